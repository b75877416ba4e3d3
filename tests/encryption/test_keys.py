"""Master keys stay outside the database; rotating them re-wraps the data keys and every value still opens."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.test import override_settings

from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.models import Client
from iptcare.encryption import keyring
from iptcare.encryption.checks import master_key_configured
from iptcare.encryption.models import DataKey

pytestmark = pytest.mark.django_db

OLD = Fernet.generate_key().decode()
NEW = Fernet.generate_key().decode()


@pytest.fixture
def own_keys() -> Iterator[None]:
    """Start from an empty key cache under a master key of this test's own, and give the suite its cache back."""
    snapshot = keyring.cache_snapshot()
    keyring.forget_cached_keys()
    DataKey.objects.all().delete()
    with override_settings(FIELD_ENCRYPTION_MASTER_KEYS=[OLD]):
        yield
    keyring.restore_cache(snapshot)


def reread(client: Client) -> str:
    keyring.forget_cached_keys()  # as a freshly started process would
    return Client.objects.get(pk=client.pk).phone


def test_the_data_key_is_kept_only_wrapped(own_keys: None, fern: Client) -> None:
    fern.phone = "555-0142"
    fern.save()
    key = DataKey.objects.get()
    assert key.wrapped_key.startswith("gAAAAA")  # a Fernet token, not a raw key
    assert Fernet(Fernet(OLD.encode()).decrypt(key.wrapped_key.encode()))  # only the master key opens it


def test_rotation_lets_the_old_master_key_go(own_keys: None, fern: Client) -> None:
    fern.phone = "555-0142"
    fern.save()
    with override_settings(FIELD_ENCRYPTION_MASTER_KEYS=[NEW, OLD]):
        call_command("rotate_keys", stdout=open("/dev/null", "w"))  # noqa: SIM115
    with override_settings(FIELD_ENCRYPTION_MASTER_KEYS=[NEW]):
        assert reread(fern) == "555-0142"
    with override_settings(FIELD_ENCRYPTION_MASTER_KEYS=[OLD]), pytest.raises(keyring.KeyUnavailable, match="IPTCARE"):
        reread(fern)
    event = AuditEvent.objects.get(event_type=EventType.ENCRYPTION_KEYS_ROTATED)
    assert event.extra["rewrapped"] == 1


def test_without_the_old_key_rotation_fails_and_changes_nothing(own_keys: None, fern: Client) -> None:
    fern.phone = "555-0142"
    fern.save()
    wrapped = DataKey.objects.get().wrapped_key
    with override_settings(FIELD_ENCRYPTION_MASTER_KEYS=[NEW]), pytest.raises(Exception, match="nothing was changed"):
        call_command("rotate_keys")
    assert DataKey.objects.get().wrapped_key == wrapped


def test_a_new_data_key_serves_new_values_and_old_values_keep_theirs(own_keys: None, fern: Client, alice) -> None:
    fern.phone = "555-0142"
    fern.save()
    first = DataKey.objects.get()
    call_command("rotate_keys", "--new-data-key", stdout=open("/dev/null", "w"))  # noqa: SIM115
    other = Client.objects.get(pk=fern.pk)
    other.address = "1 New Street"
    other.save()
    assert DataKey.objects.count() == 2
    assert DataKey.objects.get(pk=first.pk).retired_at is not None
    keyring.forget_cached_keys()
    fresh = Client.objects.get(pk=fern.pk)
    assert (fresh.phone, fresh.address) == ("555-0142", "1 New Street")


def test_generate_prints_a_usable_key(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("rotate_keys", "--generate")
    key = capsys.readouterr().out.strip()
    assert Fernet(key.encode())
    assert not AuditEvent.objects.filter(event_type=EventType.ENCRYPTION_KEYS_ROTATED).exists()


def test_production_without_a_master_key_fails_the_deploy_check(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IPTCARE_MASTER_KEYS", raising=False)
    with override_settings(DEBUG=False, FIELD_ENCRYPTION_MASTER_KEYS=None):
        errors = master_key_configured()
    assert [error.id for error in errors] == ["iptcare.E101"]
    monkeypatch.setenv("IPTCARE_MASTER_KEYS", NEW)
    with override_settings(DEBUG=False, FIELD_ENCRYPTION_MASTER_KEYS=None):
        assert master_key_configured() == []


def test_development_makes_a_key_file_outside_the_database(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IPTCARE_MASTER_KEYS", raising=False)
    with override_settings(DEBUG=True, DATA_DIR=tmp_path, FIELD_ENCRYPTION_MASTER_KEYS=None):
        keys = keyring.master_keys()
        assert keys == keyring.master_keys()  # made once, then read
    key_file = tmp_path / "master_keys"
    assert key_file.read_text().strip() == keys[0]
    assert key_file.stat().st_mode & 0o777 == 0o600
