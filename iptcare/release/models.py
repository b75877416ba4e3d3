"""Tokens with which a party outside the program reads one client's records through the API, under a consent.

A token names its recipient, purpose and categories once; every call is put to the disclosure gate again (the
consent may have been revoked or have expired since), recorded in the accounting of disclosures, and answered with
the notice and the consent summary. Only a SHA-256 digest of the token is stored; it is shown once.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from iptcare.consent.models import Purpose, RecipientClass


class RecipientTokenQuerySet(models.QuerySet):
    def active(self) -> RecipientTokenQuerySet:
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class RecipientToken(models.Model):
    # Distinct from staff tokens ("ipt_…"), so neither kind is ever mistaken for the other.
    PREFIX = "rcp_"

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="recipient_tokens")
    recipient_name = models.CharField(_("recipient's name"), max_length=200)
    recipient_organization = models.CharField(_("recipient's organization"), max_length=200, blank=True)
    recipient_class = models.CharField(
        _("the recipient is one of the client's"), max_length=30, choices=RecipientClass.choices, blank=True
    )
    purpose = models.CharField(_("purpose"), max_length=30, choices=Purpose.choices)
    purpose_detail = models.CharField(_("other purpose"), max_length=300, blank=True)
    # DataCategory values (never counselling notes).
    categories = models.JSONField(_("information"), default=list)
    token_digest = models.CharField(max_length=64, unique=True)
    token_hint = models.CharField(max_length=12)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = RecipientTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["client", "created_at"], name="release_token_client_idx")]
        constraints = [
            models.CheckConstraint(condition=~Q(recipient_name=""), name="release_token_names_recipient"),
        ]

    def __str__(self) -> str:
        return f"Token for {self.recipient_name} ({self.token_hint}…)"

    @staticmethod
    def digest(raw_token: str) -> str:
        return hashlib.sha256(raw_token.encode()).hexdigest()

    @classmethod
    def new_raw_token(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def recipient_label(self) -> str:
        if self.recipient_organization:
            return f"{self.recipient_name} ({self.recipient_organization})"
        return self.recipient_name
