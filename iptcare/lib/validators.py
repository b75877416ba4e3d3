"""Field validators shared by forms and the API."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_PHONE_ALLOWED = re.compile(r"^\+?[0-9 ()./-]+$")


def validate_phone(value: str) -> None:
    """A phone number people can dial: digits with the usual separators, 7 to 15 digits."""
    if not value:
        return
    digits = re.sub(r"\D", "", value)
    if not _PHONE_ALLOWED.match(value) or not 7 <= len(digits) <= 15:
        raise ValidationError(
            _("Enter a phone number of 7 to 15 digits; spaces, dashes, brackets and a leading + are fine."),
            code="invalid_phone",
        )
