"""Old and new values of encrypted fields stay encrypted in the audit trail.

The trail keeps `{"changes": {field: [old, new]}}`; a note's text or a client's phone number written there in clear
would undo the encryption of the record itself. Values of fields that are encrypted on any model are sealed when
the event is written and opened when it is shown to someone allowed to see them.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.apps import apps

from iptcare.encryption.fields import EncryptedTextField, decrypt_text, encrypt_text, is_encrypted


@cache
def encrypted_field_names() -> frozenset[str]:
    return frozenset(
        field.name
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField)
    )


def seal_changes(changes: dict[str, list[Any]]) -> dict[str, list[Any]]:
    sensitive = encrypted_field_names()
    return {
        name: [_seal(value) for value in values] if name in sensitive else values for name, values in changes.items()
    }


def open_changes(changes: dict[str, list[Any]]) -> dict[str, list[Any]]:
    return {name: [decrypt_text(v) if is_encrypted(v) else v for v in values] for name, values in changes.items()}


def _seal(value: Any) -> Any:
    return encrypt_text(value) if isinstance(value, str) and value else value
