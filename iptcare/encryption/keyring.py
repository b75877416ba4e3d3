"""The master keys (outside the database) and the data keys (in it, wrapped): loading, caching, rotating.

Master keys are Fernet keys, the first of which wraps; any of them unwraps, so a rotation is: put a new key first,
run `iptcare rotate_keys`, then remove the old key. They come from, in order:
  1. the FIELD_ENCRYPTION_MASTER_KEYS setting (the test settings use it),
  2. the IPTCARE_MASTER_KEYS environment variable (comma-separated; production),
  3. in development only (DEBUG), the file `<data folder>/master_keys`, created on first use.
Production without a master key refuses to encrypt or decrypt anything (and `iptcare check` says so).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

_lock = threading.Lock()
# Unwrapped data keys by id, and the id of the one used for new values. Data keys never change once made (a
# rotation re-wraps them), so the cache stays valid for the life of the process.
_data_keys: dict[int, Fernet] = {}
_current_id: int | None = None


class KeyUnavailable(ImproperlyConfigured):
    """A value cannot be encrypted or decrypted with the configured keys."""


def master_key_file() -> Path:
    return Path(settings.DATA_DIR) / "master_keys"


def master_keys() -> list[str]:
    configured = getattr(settings, "FIELD_ENCRYPTION_MASTER_KEYS", None)
    if configured:
        return list(configured)
    from_env = [key.strip() for key in os.environ.get("IPTCARE_MASTER_KEYS", "").split(",") if key.strip()]
    if from_env:
        return from_env
    if settings.DEBUG:
        return _development_key_file()
    return []


def _development_key_file() -> list[str]:
    path = master_key_file()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(Fernet.generate_key().decode() + "\n")
        path.chmod(0o600)
    return [line.strip() for line in path.read_text().splitlines() if line.strip()]


def master_fernet() -> MultiFernet:
    keys = master_keys()
    if not keys:
        raise KeyUnavailable(
            "No master key: set IPTCARE_MASTER_KEYS (Fernet keys, newest first); see docs/encryption.md."
        )
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as error:
        raise KeyUnavailable("A master key is not a valid Fernet key (32 url-safe base64-encoded bytes).") from error


def current_data_key() -> tuple[int, Fernet]:
    """The data key for new values, creating the first one when there is none."""
    global _current_id
    with _lock:
        if _current_id is not None and _current_id in _data_keys:
            return _current_id, _data_keys[_current_id]
    from iptcare.encryption.models import DataKey

    key = DataKey.objects.filter(retired_at__isnull=True).order_by("-id").first()
    if key is None:
        key = _create_data_key()
    fernet = _unwrap(key)
    with _lock:
        _data_keys[key.pk] = fernet
        _current_id = key.pk
    return key.pk, fernet


def data_key(key_id: int) -> Fernet:
    with _lock:
        if key_id in _data_keys:
            return _data_keys[key_id]
    from iptcare.encryption.models import DataKey

    key = DataKey.objects.filter(pk=key_id).first()
    if key is None:
        raise KeyUnavailable(f"Data key #{key_id} is not in the database: the value cannot be decrypted.")
    fernet = _unwrap(key)
    with _lock:
        _data_keys[key_id] = fernet
    return fernet


def _create_data_key():
    from iptcare.encryption.models import DataKey

    wrapped = master_fernet().encrypt(Fernet.generate_key()).decode()
    return DataKey.objects.create(wrapped_key=wrapped)


def _unwrap(key) -> Fernet:
    try:
        return Fernet(master_fernet().decrypt(key.wrapped_key.encode()))
    except InvalidToken as error:
        raise KeyUnavailable(
            f"No master key opens data key #{key.pk}: is the right IPTCARE_MASTER_KEYS (or key file) in place?"
        ) from error


def forget_cached_keys() -> None:
    """Drop the unwrapped keys held in memory (after a rotation, and in tests)."""
    global _current_id
    with _lock:
        _data_keys.clear()
        _current_id = None


def cache_snapshot() -> tuple[dict[int, Fernet], int | None]:
    with _lock:
        return dict(_data_keys), _current_id


def restore_cache(snapshot: tuple[dict[int, Fernet], int | None]) -> None:
    global _current_id
    with _lock:
        _data_keys.clear()
        _data_keys.update(snapshot[0])
        _current_id = snapshot[1]


def rewrap_data_keys() -> int:
    """Re-encrypt every data key with the first master key. Returns how many were re-wrapped."""
    from iptcare.encryption.models import DataKey

    master = master_fernet()
    count = 0
    with transaction.atomic():
        for key in DataKey.objects.select_for_update().order_by("id"):
            try:
                key.wrapped_key = master.rotate(key.wrapped_key.encode()).decode()
            except InvalidToken as error:
                raise KeyUnavailable(
                    f"None of the master keys opens data key #{key.pk}; nothing was changed."
                ) from error
            key.wrapped_at = timezone.now()
            key.save(update_fields=["wrapped_key", "wrapped_at"])
            count += 1
    return count


def start_new_data_key() -> int:
    """Retire the current data keys and make a new one for new values. Old values keep their own key."""
    from iptcare.encryption.models import DataKey

    with transaction.atomic():
        DataKey.objects.filter(retired_at__isnull=True).update(retired_at=timezone.now())
        key = _create_data_key()
    forget_cached_keys()
    return key.pk
