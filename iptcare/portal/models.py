"""The client portal's own records: client accounts (separate from staff), invitations, API tokens, homework
answers and the organization's portal settings.

A client account is never a django.contrib.auth user: a signed-in client is not `request.user`, so every staff page
and the staff API refuse them. Its password is hashed with Django's hashers (Argon2 first in production).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

# Five wrong passwords in a row lock the account for 15 minutes (the staff sign-in's numbers, see settings.AXES_*).
FAILURE_LIMIT = 5
LOCK_MINUTES = 15


class ClientAccount(models.Model):
    """A client's sign-in to the portal: one per client, set up from an invitation."""

    client = models.OneToOneField("clients.Client", on_delete=models.PROTECT, related_name="portal_account")
    # What the client types to sign in: their e-mail or a name they chose, stored in lower case.
    login_name = models.CharField(_("sign-in name"), max_length=150)
    password = models.CharField(max_length=128)
    # Staff can turn portal access off; the client's data stays.
    is_active = models.BooleanField(default=True)
    # A language code of settings.LANGUAGES, applied to every portal page and e-mail.
    language = models.CharField(_("language"), max_length=8, default="en")
    # The client's choice; the organization's quiet hours apply on top.
    wants_reminders = models.BooleanField(_("e-mail reminders"), default=True)
    created_at = models.DateTimeField(default=timezone.now)
    password_changed_at = models.DateTimeField(default=timezone.now)
    last_login_at = models.DateTimeField(null=True, blank=True)
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    # Wrong passwords since the last success; at FAILURE_LIMIT the account is locked until `locked_until`.
    failed_logins = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    # Each portal session remembers the generation it started in; raising it ends every session at once.
    session_generation = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["login_name"]
        constraints = [
            models.UniqueConstraint(
                Lower("login_name"),
                name="portal_login_name_unique",
                violation_error_message=_("This sign-in name is taken. Please choose another."),
            )
        ]

    def __str__(self) -> str:
        return f"Portal account of client {self.client_id}"

    @property
    def audit_label(self) -> str:
        """How the audit trail names a client acting in the portal (the actor field is for staff)."""
        return client_label(self.client)

    def set_password(self, raw_password: str) -> None:
        self.password = make_password(raw_password)
        self.password_changed_at = timezone.now()

    def check_password(self, raw_password: str) -> bool:
        def upgrade(raw: str) -> None:
            # A hash made with an older hasher is replaced with the current one once the password is known.
            self.password = make_password(raw)
            ClientAccount.objects.filter(pk=self.pk).update(password=self.password)

        return check_password(raw_password, self.password, upgrade)

    def is_locked(self, now: dt.datetime | None = None) -> bool:
        return self.locked_until is not None and self.locked_until > (now or timezone.now())


def client_label(client: object) -> str:
    return f"client:{client.identifier}"  # type: ignore[attr-defined]


def secret_digest(purpose: str, raw: str) -> str:
    """A keyed digest of a secret we hand out: a leaked table alone does not let anyone try codes offline."""
    return salted_hmac(f"iptcare.portal.{purpose}", raw, algorithm="sha256").hexdigest()


class InvitationMethod(models.TextChoices):
    EMAIL = "email", _("E-mail link")
    CODE = "code", _("Printed code")


class PortalInvitationQuerySet(models.QuerySet):
    def usable(self) -> PortalInvitationQuerySet:
        return self.filter(used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


class PortalInvitation(models.Model):
    """An invitation to set up (or reset) a client's portal password: an e-mailed link or a printed code.

    Only a keyed digest of the link's token or the code is stored. It works once, expires, and a newer invitation
    for the same client withdraws the older ones.
    """

    VALID_FOR = dt.timedelta(hours=72)
    # Codes use letters and digits that cannot be mistaken for one another (no 0/O, 1/I/L, 5/S, 2/Z, 8/B).
    CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
    CODE_LENGTH = 10

    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="portal_invitations")
    method = models.CharField(max_length=10, choices=InvitationMethod.choices)
    digest = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    # The address an e-mailed link went to.
    sent_to = models.EmailField(blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = PortalInvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["client", "created_at"], name="portal_invite_client_idx")]

    def __str__(self) -> str:
        return f"{self.get_method_display()} for client {self.client_id}"

    @property
    def state(self) -> str:
        if self.used_at:
            return "used"
        if self.revoked_at:
            return "withdrawn"
        return "expired" if self.expires_at <= timezone.now() else "waiting"

    @classmethod
    def new_code(cls) -> str:
        return "".join(secrets.choice(cls.CODE_ALPHABET) for _ in range(cls.CODE_LENGTH))

    @classmethod
    def normalize_code(cls, typed: str) -> str:
        """What the client typed, as stored: capitals, without the spaces and dashes people add."""
        return "".join(ch for ch in typed.upper() if ch.isalnum())

    @staticmethod
    def shown_code(code: str) -> str:
        """The code as printed: two groups of five."""
        return f"{code[:5]}-{code[5:]}"


class ClientApiTokenQuerySet(models.QuerySet):
    def active(self) -> ClientApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ClientApiToken(models.Model):
    """A bearer token for the client's side of the API (/api/v1/me/), scoped to that client's own data.

    Tokens of staff (accounts.PersonalAccessToken) and of clients live in different tables with different prefixes,
    so neither is ever accepted where the other belongs.
    """

    PREFIX = "iptme_"
    VALID_FOR = dt.timedelta(days=30)

    account = models.ForeignKey(ClientAccount, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    # SHA-256 is enough here: tokens are 256 random bits.
    token_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ClientApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} (client token)"

    @staticmethod
    def digest(raw_token: str) -> str:
        return hashlib.sha256(raw_token.encode()).hexdigest()

    @classmethod
    def new_raw_token(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)


class HomeworkAnswer(models.Model):
    """The client's answer to the homework set in a session note: done or not, and a comment for the therapist."""

    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="homework_answers")
    note = models.ForeignKey("therapy.SessionNote", on_delete=models.PROTECT, related_name="homework_answers")
    done = models.BooleanField(_("done"))
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["note"],
                name="homework_answer_one_per_note",
                violation_error_message=_("This homework already has an answer."),
            )
        ]

    def __str__(self) -> str:
        return f"Homework answer for note {self.note_id}"


class PortalSettings(models.Model):
    """An organization's choices for its client portal. Org admins change them under /manage/portal/."""

    organization = models.OneToOneField(
        "accounts.Organization", on_delete=models.CASCADE, related_name="portal_settings"
    )
    # Clients see their own charts of mood, days without use and their streak. Never questionnaire scores.
    show_progress = models.BooleanField(_("Show clients their own progress charts"), default=False)
    reminders_enabled = models.BooleanField(_("Send e-mail reminders"), default=True)
    # No reminder is sent from `quiet_from` until `quiet_until` (the span may cross midnight; equal means none).
    quiet_from = models.TimeField(_("Quiet hours start"), default=dt.time(21, 0))
    quiet_until = models.TimeField(_("Quiet hours end"), default=dt.time(8, 0))
    idle_minutes = models.PositiveSmallIntegerField(_("Sign clients out after this many idle minutes"), default=15)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "portal settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(idle_minutes__gte=5, idle_minutes__lte=120),
                name="portal_settings_idle_minutes_range",
                violation_error_message=_("Choose between 5 and 120 minutes."),
            )
        ]

    def __str__(self) -> str:
        return f"Portal settings of {self.organization_id}"

    @classmethod
    def for_organization(cls, organization_id: int) -> PortalSettings:
        """The stored settings, or the defaults (unsaved) when the organization has not changed any."""
        return cls.objects.filter(organization_id=organization_id).first() or cls(organization_id=organization_id)

    def is_quiet(self, moment: dt.datetime) -> bool:
        """Whether `moment` (aware) falls in the quiet hours, on the organization's clock."""
        local = timezone.localtime(moment).time()
        start, end = self.quiet_from, self.quiet_until
        if start == end:
            return False
        if start < end:
            return start <= local < end
        return local >= start or local < end
