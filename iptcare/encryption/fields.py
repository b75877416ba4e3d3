"""Model fields whose values are stored encrypted: free text of notes, contact details.

A value is stored as `enc1:<data key id>:<Fernet token>` (AES-128-CBC with HMAC-SHA256, from `cryptography`).
An empty value stays empty, so "nothing written" needs no key. A stored value without the prefix is read as it is:
rows written before a field was encrypted still open, and the migration that encrypts a field encrypts them.

Fernet tokens differ each time the same text is encrypted. Signed notes are kept as signed by database triggers
that compare every column, so a value read from the database remembers its stored form (`SealedText`) and is
written back byte for byte while it is unchanged.

Encrypted columns cannot be searched or sorted in the database: filter on other columns.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core import validators
from django.db import models

from iptcare.encryption import keyring

PREFIX = "enc1:"


class SealedText(str):
    """Text read from an encrypted column, carrying the stored form it came from."""

    stored: str

    def __new__(cls, text: str, stored: str) -> SealedText:
        value = super().__new__(cls, text)
        value.stored = stored
        return value

    def __reduce__(self) -> tuple[type[str], tuple[str]]:
        # Copies and pickles (e-mail backends, caches) are plain text: they are written back re-encrypted.
        return (str, (str(self),))


def is_encrypted(stored: object) -> bool:
    return isinstance(stored, str) and stored.startswith(PREFIX)


def encrypt_text(text: str) -> str:
    if isinstance(text, SealedText):
        return text.stored
    if text == "":
        return ""
    key_id, fernet = keyring.current_data_key()
    return f"{PREFIX}{key_id}:{fernet.encrypt(text.encode()).decode()}"


def decrypt_text(stored: str) -> str:
    if not is_encrypted(stored):
        return stored
    key_id, _, token = stored[len(PREFIX) :].partition(":")
    try:
        fernet = keyring.data_key(int(key_id))
        return SealedText(fernet.decrypt(token.encode()).decode(), stored)
    except keyring.KeyUnavailable:
        raise
    except Exception as error:  # a damaged value: say so rather than show ciphertext or crash obscurely
        raise keyring.KeyUnavailable(
            f"A stored value encrypted with data key #{key_id} cannot be decrypted."
        ) from error


class EncryptedTextField(models.TextField):
    """A TextField stored encrypted. `max_length` limits what a form accepts; the column itself is unbounded."""

    description = "Text, encrypted at rest"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return value if value is None else decrypt_text(value)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and is_encrypted(value):
            return decrypt_text(value)
        return super().to_python(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None:
            return None
        # str() of a SealedText would drop the stored form it carries.
        return encrypt_text(value if isinstance(value, str) else str(value))

    def get_lookup(self, lookup_name: str):
        # Only "is it empty?" can be asked of ciphertext; anything else would silently match nothing.
        if lookup_name in {"isnull", "exact"}:
            return super().get_lookup(lookup_name)
        return None


class EncryptedCharField(EncryptedTextField):
    """A one-line value (a phone number) stored encrypted; its form field is a text input, not a text area."""

    def formfield(self, **kwargs: Any) -> forms.Field:
        return super().formfield(**{"widget": forms.TextInput, **kwargs})


class EncryptedEmailField(EncryptedTextField):
    """An e-mail address, validated like EmailField, stored encrypted."""

    default_validators = [validators.validate_email]

    def formfield(self, **kwargs: Any) -> forms.Field:
        return super().formfield(**{"form_class": forms.EmailField, "widget": forms.EmailInput, **kwargs})


def encrypted_field_names(model: type[models.Model]) -> set[str]:
    return {field.name for field in model._meta.concrete_fields if isinstance(field, EncryptedTextField)}
