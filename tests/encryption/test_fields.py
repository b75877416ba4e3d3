"""Sensitive fields are stored encrypted, read back as written, and keep signed notes byte for byte."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.exceptions import FieldError
from django.db import connection

from iptcare.audit.events import record_event
from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.models import Client, Person
from iptcare.encryption.fields import PREFIX, SealedText, decrypt_text, encrypt_text
from iptcare.encryption.migration import encrypt_rows

pytestmark = pytest.mark.django_db


def stored(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608 (test: fixed names)
        return cursor.fetchone()[0]


def test_contact_details_are_stored_encrypted_and_read_back(fern: Client) -> None:
    fern.phone = "555-0142"
    fern.address = "12 Synthetic Lane"
    fern.save()

    raw_phone = stored("clients_client", "phone", fern.pk)
    assert raw_phone.startswith(PREFIX)
    assert "555-0142" not in raw_phone
    assert "Synthetic" not in stored("clients_client", "address", fern.pk)
    fresh = Client.objects.get(pk=fern.pk)
    assert (fresh.phone, fresh.address) == ("555-0142", "12 Synthetic Lane")


def test_the_same_text_is_encrypted_differently_each_time() -> None:
    assert encrypt_text("same words") != encrypt_text("same words")


def test_an_empty_value_stays_empty_and_needs_no_key(fern: Client) -> None:
    fern.phone = ""
    fern.save()
    assert stored("clients_client", "phone", fern.pk) == ""


def test_a_value_written_before_encryption_is_read_as_it_is(fern: Client) -> None:
    with connection.cursor() as cursor:
        cursor.execute("UPDATE clients_client SET phone = %s WHERE id = %s", ["555-0100", fern.pk])
    assert Client.objects.get(pk=fern.pk).phone == "555-0100"


def test_an_unchanged_value_is_written_back_exactly_as_stored(fern: Client) -> None:
    fern.phone = "555-0142"
    fern.save()
    before = stored("clients_client", "phone", fern.pk)
    fresh = Client.objects.get(pk=fern.pk)
    assert isinstance(fresh.phone, SealedText)
    fresh.save()
    assert stored("clients_client", "phone", fern.pk) == before
    fresh.phone = fresh.phone + "9"  # an edit is a plain str again: encrypted anew
    fresh.save()
    assert stored("clients_client", "phone", fern.pk) != before
    assert Client.objects.get(pk=fern.pk).phone == "555-01429"


def test_encrypted_columns_refuse_searches_that_could_not_work(fern: Client) -> None:
    assert Person.objects.filter(client=fern, notes="").count() == fern.people.filter(notes="").count()
    with pytest.raises(FieldError):
        list(Client.objects.filter(phone__icontains="555"))


def test_old_and_new_values_in_the_audit_trail_are_sealed(fern: Client, alice) -> None:
    event = record_event(
        EventType.CLIENT_UPDATED,
        actor=alice,
        client=fern,
        changes={"phone": ["555-0100", "555-0199"], "status": ["a", "b"]},
    )
    raw = AuditEvent.objects.get(pk=event.pk).extra["changes"]
    assert raw["status"] == ["a", "b"]
    assert all(value.startswith(PREFIX) for value in raw["phone"])
    assert ("phone", "555-0100", "555-0199") in AuditEvent.objects.get(pk=event.pk).change_list


def test_the_migration_helper_encrypts_existing_rows_and_reverses(fern: Client) -> None:
    with connection.cursor() as cursor:
        cursor.execute("UPDATE clients_client SET phone = %s WHERE id = %s", ["555-0100", fern.pk])
    operation = encrypt_rows("clients", {"client": ["phone"]})
    # What the operation uses of a schema editor (a real one cannot open inside a test's transaction on SQLite).
    editor = SimpleNamespace(
        connection=connection,
        quote_name=connection.ops.quote_name,
        execute=lambda sql, params: connection.cursor().execute(sql, params),
    )
    operation.code(apps, editor)
    assert stored("clients_client", "phone", fern.pk).startswith(PREFIX)
    assert Client.objects.get(pk=fern.pk).phone == "555-0100"
    operation.code(apps, editor)  # twice is harmless: already encrypted values are left alone
    operation.reverse_code(apps, editor)
    assert stored("clients_client", "phone", fern.pk) == "555-0100"


def test_a_damaged_value_raises_a_clear_error() -> None:
    from iptcare.encryption.keyring import KeyUnavailable

    good = encrypt_text("words")
    with pytest.raises(KeyUnavailable, match="cannot be decrypted"):
        decrypt_text(good[:-6] + "AAAAAA")
