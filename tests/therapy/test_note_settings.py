"""The organization's note settings: the admin's page, audited."""

from __future__ import annotations

import pytest

from iptcare.accounts.models import User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.therapy.models import NoteSettings
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


def test_the_admin_turns_the_co_signature_on(eve: User, north) -> None:
    http = sign_in(eve)
    assert "co-signature" in http.get("/sessions/settings/").content.decode()

    response = http.post("/sessions/settings/", {"require_cosign_for_supervised": "on"})

    assert response.status_code == 302
    assert NoteSettings.for_organization(north.pk).require_cosign_for_supervised
    event = AuditEvent.objects.get(event_type=EventType.NOTE_SETTINGS_CHANGED)
    assert event.extra["changes"]["require_cosign_for_supervised"] == [False, True]


@pytest.mark.parametrize("persona", ["alice", "bob", "dan"])
def test_other_roles_may_not(persona: str, request: pytest.FixtureRequest, north) -> None:
    response = sign_in(request.getfixturevalue(persona)).post(
        "/sessions/settings/", {"require_cosign_for_supervised": "on"}
    )

    assert response.status_code == 403
    assert not NoteSettings.for_organization(north.pk).require_cosign_for_supervised


def test_each_organization_has_its_own(eve: User, sam: User, north, south) -> None:
    sign_in(eve).post("/sessions/settings/", {"require_cosign_for_supervised": "on"})

    assert not NoteSettings.for_organization(south.pk).require_cosign_for_supervised
