"""No uploads: no model stores files, no form takes them, and request bodies are kept small.

A future upload must come with a type and a size check: this file fails until it has one (and until
DATA_UPLOAD_MAX_NUMBER_FILES and docs/security.md say so).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.validators import FileExtensionValidator
from django.db import models
from django.test import Client as HttpClient

from iptcare.accounts.models import User
from iptcare.clients.models import Client
from tests.conftest import bearer, sign_in

ROOT = Path(__file__).resolve().parents[2]


def test_every_file_field_checks_the_type_and_the_size() -> None:
    file_fields = [
        field
        for model in apps.get_models()
        if model.__module__.startswith("iptcare.")
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    ]
    for field in file_fields:
        kinds = {type(validator) for validator in field.validators}
        assert FileExtensionValidator in kinds, f"{field.model.__name__}.{field.name} accepts any type of file"
        assert len(field.validators) >= 2, f"{field.model.__name__}.{field.name} accepts a file of any size"
    assert file_fields == [], "uploads exist now: review DATA_UPLOAD_MAX_NUMBER_FILES and docs/security.md"


def test_no_view_or_form_reads_uploaded_files() -> None:
    pattern = re.compile(r"request\.FILES|forms\.(File|Image)Field|FileInput")
    readers = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "iptcare").rglob("*.py")
        if "migrations" not in path.parts and pattern.search(path.read_text())
    ]
    assert readers == []


def test_request_bodies_are_limited() -> None:
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 1024 * 1024
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE == 1024 * 1024
    assert settings.DATA_UPLOAD_MAX_NUMBER_FILES == 0


def test_a_file_sent_anyway_is_refused(alice: User, fern: Client) -> None:
    upload = SimpleUploadedFile("notes.pdf", b"%PDF-1.4 ...", content_type="application/pdf")
    response = sign_in(alice).post(f"/clients/{fern.pk}/people/new/", {"name": "Coach", "file": upload})
    assert response.status_code == 400


def test_an_oversized_body_is_refused_on_pages_and_in_the_api(alice: User, fern: Client) -> None:
    too_long = "x" * (1024 * 1024 + 1)
    page = sign_in(alice).post(f"/clients/{fern.pk}/people/new/", {"name": too_long})
    assert page.status_code == 400
    body = json.dumps({"name": too_long, "relationship_type": "friend"})
    api = HttpClient().post(f"/api/v1/clients/{fern.pk}/people", body, content_type="application/json", **bearer(alice))
    assert api.status_code == 413 and api.json() == {"detail": "The request body is too large."}
    assert not fern.people.filter(relationship_type="friend").exists()
