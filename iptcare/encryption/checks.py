"""`iptcare check`: production must have a master key that opens the data keys."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register

from iptcare.encryption import keyring


@register(Tags.security, deploy=True)
def master_key_configured(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    if settings.DEBUG:
        return []
    try:
        keyring.master_fernet()
    except keyring.KeyUnavailable as error:
        return [Error(str(error), id="iptcare.E101", hint="Generate one with `iptcare rotate_keys --generate`.")]
    return []
