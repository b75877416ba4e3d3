"""The append-only audit trail: who read or changed what, about which client, when and from where."""

from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _


class EventType(models.IntegerChoices):
    """Grouped by hundreds so that a range filter finds a whole family (1xx = sign-in, 2xx = clients, …)."""

    LOGIN = 101, _("Signed in (password accepted)")
    LOGIN_FAILED = 102, _("Sign-in failed")
    LOGOUT = 103, _("Signed out")
    IDLE_LOGOUT = 104, _("Signed out after inactivity")
    LOCKED_OUT = 105, _("Locked out")
    PASSWORD_CHANGED = 106, _("Password changed")
    PASSWORD_RESET_REQUESTED = 107, _("Password reset requested")
    TOTP_ENABLED = 110, _("Second factor enabled")
    TOTP_DISABLED = 111, _("Second factor removed")
    TOTP_FAILED = 112, _("Second factor code rejected")
    TOTP_VERIFIED = 113, _("Second factor code accepted")

    CLIENT_LIST_VIEWED = 200, _("Client list viewed")
    CLIENT_VIEWED = 201, _("Client record viewed")
    CLIENT_CREATED = 202, _("Client created")
    CLIENT_UPDATED = 203, _("Client updated")
    # A request for a record the person may not open (or that does not exist): answered 404, kept here.
    CLIENT_ACCESS_REFUSED = 204, _("Client record refused")

    MEASURE_RECORDED = 220, _("Questionnaire recorded")
    MEASURES_VIEWED = 221, _("Questionnaire results viewed")
    LINK_SENT = 222, _("Questionnaire link created")
    LINK_OPENED = 223, _("Questionnaire link opened")
    SCHEDULE_CHANGED = 224, _("Questionnaire schedule changed")
    BASELINE_CHOSEN = 225, _("Baseline chosen")
    ALERT_RAISED = 230, _("Safety alert raised")
    ALERT_CLOSED = 231, _("Safety alert closed")

    EPISODE_VIEWED = 250, _("IPT episode viewed")
    EPISODE_CHANGED = 251, _("IPT episode changed")
    SESSIONS_VIEWED = 260, _("Sessions viewed")
    SESSION_CHANGED = 261, _("Session scheduled or changed")
    NOTE_VIEWED = 262, _("Session note viewed")
    NOTE_CHANGED = 263, _("Session note draft saved")
    NOTE_SIGNED = 264, _("Session note signed")
    NOTE_AMENDED = 265, _("Session note amended")
    NOTE_SETTINGS_CHANGED = 266, _("Session note settings changed")
    PLAN_VIEWED = 270, _("Relapse-prevention plan viewed")
    PLAN_CHANGED = 271, _("Relapse-prevention plan changed")
    CLOSURE_CHANGED = 272, _("Closure recorded")
    GROUP_VIEWED = 280, _("IPT group viewed")
    GROUP_CHANGED = 281, _("IPT group changed")

    CARE_TEAM_VIEWED = 300, _("Care team viewed")
    CARE_TEAM_MEMBER_ADDED = 301, _("Care team member added")
    CARE_TEAM_MEMBER_UPDATED = 302, _("Care team member changed")
    CARE_TEAM_MEMBER_REMOVED = 303, _("Care team member removed")

    PEOPLE_VIEWED = 400, _("People in the client's life viewed")
    PERSON_ADDED = 401, _("Person added")
    PERSON_UPDATED = 402, _("Person changed")

    STAFF_INVITED = 500, _("Staff member invited")
    STAFF_UPDATED = 501, _("Staff member changed")
    STAFF_DEACTIVATED = 502, _("Staff member deactivated")
    STAFF_REACTIVATED = 503, _("Staff member reactivated")
    SITE_CREATED = 510, _("Site created")
    SITE_UPDATED = 511, _("Site changed")
    MEASURE_SETTINGS_CHANGED = 520, _("Measure settings changed")

    TOKEN_CREATED = 600, _("API token created")
    TOKEN_REVOKED = 601, _("API token revoked")

    AUDIT_VIEWED = 700, _("Audit trail viewed")
    AUDIT_EXPORTED = 701, _("Audit trail downloaded")

    # The client portal: the client acts under actor_label "client:<identifier>"; staff as themselves.
    PORTAL_INVITED = 800, _("Portal invitation created")
    PORTAL_ACCOUNT_SET_UP = 801, _("Portal password set from an invitation")
    PORTAL_INVITATION_REFUSED = 802, _("Portal invitation code or link refused")
    PORTAL_ACCESS_TURNED_OFF = 803, _("Portal access turned off")
    PORTAL_ACCESS_VIEWED = 804, _("Portal access page viewed")
    PORTAL_LOGIN = 810, _("Client signed in to the portal")
    PORTAL_LOGIN_FAILED = 811, _("Client portal sign-in failed")
    PORTAL_LOCKED_OUT = 812, _("Client portal account locked")
    PORTAL_LOGOUT = 813, _("Client signed out of the portal")
    PORTAL_IDLE_LOGOUT = 814, _("Client signed out after inactivity")
    PORTAL_LOGOUT_EVERYWHERE = 815, _("Client ended all their portal sessions")
    PORTAL_PASSWORD_CHANGED = 816, _("Client changed their portal password")
    PORTAL_TOKEN_CREATED = 817, _("Client API token created")
    PORTAL_TOKEN_REVOKED = 818, _("Client API token revoked")
    PORTAL_VIEWED = 820, _("Client viewed a portal page")
    PORTAL_CHECK_IN = 821, _("Client check-in from the portal")
    PORTAL_QUESTIONNAIRE = 822, _("Client questionnaire from the portal")
    PORTAL_HOMEWORK = 823, _("Client homework answer")
    PORTAL_PREFERENCES_CHANGED = 824, _("Client changed their portal settings")
    PORTAL_SUPPORT_SHOWN = 825, _("Crisis support message shown to the client")
    PORTAL_REMINDER_SENT = 840, _("Portal reminder e-mailed")
    PORTAL_SETTINGS_CHANGED = 850, _("Portal settings changed")

    # 42 CFR Part 2: consents (90x), disclosures (91x), the organization's notice setting (920).
    CONSENTS_VIEWED = 900, _("Consents viewed")
    CONSENT_VIEWED = 901, _("Consent viewed")
    CONSENT_PRINTED = 902, _("Consent form printed")
    CONSENT_RECORDED = 903, _("Consent recorded")
    CONSENT_VERSIONED = 904, _("Consent changed (new version)")
    CONSENT_REVOKED = 905, _("Consent revoked")
    DISCLOSURES_VIEWED = 910, _("Accounting of disclosures viewed")
    DISCLOSURE_CHECKED = 911, _("Disclosure checked against the consents")
    DISCLOSURE_RECORDED = 912, _("Records disclosed")
    DISCLOSURE_REFUSED = 913, _("Disclosure refused: no consent covers it")
    DISCLOSURE_SETTINGS_CHANGED = 920, _("Disclosure notice setting changed")

    # SUD counselling notes (93x): kept apart from the record, under their own consent.
    COUNSELLING_NOTES_VIEWED = 930, _("Counselling notes listed")
    COUNSELLING_NOTE_VIEWED = 931, _("Counselling note read")
    COUNSELLING_NOTE_CREATED = 932, _("Counselling note written")
    COUNSELLING_NOTE_CHANGED = 933, _("Counselling note changed")
    COUNSELLING_NOTE_SIGNED = 934, _("Counselling note signed")
    COUNSELLING_NOTE_REFUSED = 935, _("Counselling note refused")

    # Emergency ("break the glass") access (94x).
    EMERGENCY_ACCESS_GRANTED = 940, _("Emergency access opened")
    EMERGENCY_ACCESS_REFUSED = 941, _("Emergency access refused")
    EMERGENCY_ACCESS_ENDED = 942, _("Emergency access ended")
    EMERGENCY_ACCESS_REVIEWED = 943, _("Emergency access reviewed")
    EMERGENCY_ACCESS_SETTINGS_CHANGED = 944, _("Emergency access settings changed")

    # Security hardening (95x): re-authentication, sessions, rate limits, keys.
    REAUTHENTICATED = 950, _("Password confirmed for a sensitive action")
    REAUTHENTICATION_FAILED = 951, _("Password confirmation failed")
    SESSION_REJECTED = 952, _("Session ended: it came from another browser")
    RATE_LIMITED = 953, _("Too many requests refused")
    SECURITY_SETTINGS_CHANGED = 954, _("Security settings changed")
    ENCRYPTION_KEYS_ROTATED = 955, _("Encryption keys rotated")

    # Outside recipients (96x): tokens for parties outside the program, records sent out.
    RECIPIENT_TOKEN_CREATED = 960, _("Outside recipient token created")
    RECIPIENT_TOKEN_REVOKED = 961, _("Outside recipient token revoked")
    RECORDS_EXPORTED = 962, _("Records exported for an outside recipient")


class AuditEvent(models.Model):
    """One audited action. Rows are only ever inserted: database triggers refuse UPDATE and DELETE."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Kept as text too, so the trail still reads well for a sign-in attempt with an unknown e-mail.
    actor_label = models.CharField(max_length=254, blank=True)
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # An EventType value. Not declared as `choices`, so that adding an event type needs no migration.
    event_type = models.PositiveSmallIntegerField()
    # The record acted on, as "app.model" and its primary key (e.g. "clients.person", "17").
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    # Whether the action came through a page, the JSON API or the console.
    channel = models.CharField(max_length=10, blank=True)
    reason = models.TextField(blank=True)
    # {"changes": {field: [old, new]}, ...} and any other detail worth keeping.
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "event_type", "created_at"], name="audit_org_type_time_idx"),
            models.Index(fields=["organization", "created_at"], name="audit_org_time_idx"),
            models.Index(fields=["client", "created_at"], name="audit_client_time_idx"),
            models.Index(fields=["actor", "created_at"], name="audit_actor_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.event_label}"

    @property
    def event_label(self) -> str:
        try:
            return str(EventType(self.event_type).label)
        except ValueError:
            return str(self.event_type)

    @property
    def object_label(self) -> str:
        """The record acted on, as a person reads it ("Care team member #65")."""
        if not self.object_type:
            return ""
        try:
            model = apps.get_model(self.object_type)
        except (LookupError, ValueError):
            return f"{self.object_type} #{self.object_id}"
        return f"{capfirst(model._meta.verbose_name)} #{self.object_id}"

    @property
    def change_list(self) -> list[tuple[str, Any, Any]]:
        """(field, old, new) for each recorded change, with an empty or missing value shown as "—"."""
        from iptcare.encryption.audit import open_changes  # late: the encryption app imports models

        changes = open_changes(self.extra.get("changes", {}) if isinstance(self.extra, dict) else {})

        def shown(value: Any) -> Any:
            return "—" if value in (None, "", []) else value

        return [(field.replace("_", " "), shown(old), shown(new)) for field, (old, new) in changes.items()]
