"""Stored questionnaires and the safety alerts they raise.

An administration is kept exactly as answered (database triggers refuse UPDATE and DELETE); a correction is a new
administration that points at the one it corrects. Alerts change status but are never deleted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from iptcare.measures.instruments import get_instrument
from iptcare.measures.instruments.base import Instrument

if TYPE_CHECKING:
    from iptcare.measures.selectors import AlertFacts


class AnsweredBy(models.TextChoices):
    CLINICIAN = "clinician", _("Clinician, in session")
    CLIENT_PORTAL = "client_portal", _("Client, in the portal")
    CLIENT_LINK = "client_link", _("Client, by link")


class AdministrationQuerySet(models.QuerySet):
    def current(self) -> AdministrationQuerySet:
        """Administrations that no later correction replaces."""
        return self.filter(corrected_by__isnull=True)


class Administration(models.Model):
    """One completed questionnaire: who answered, when, the instrument version, the answers and the scores."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="administrations")
    # One of iptcare.measures.instruments.INSTRUMENTS (checked by the actions, so adding one needs no migration).
    instrument_code = models.CharField(_("instrument"), max_length=20)
    # The version is pinned: two versions of an instrument are never trended together.
    instrument_version = models.CharField(max_length=40)
    answered_by = models.CharField(max_length=20, choices=AnsweredBy.choices)
    # The episode of IPT the client was in when it was given (screening and progress measures of that course).
    episode = models.ForeignKey(
        "ipt.Episode", on_delete=models.PROTECT, null=True, blank=True, related_name="administrations"
    )
    # The clinician who gave it, or who sent the link.
    administered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    administered_at = models.DateTimeField(default=timezone.now)
    # {item key: published answer value, or null when not answered}.
    answers = models.JSONField()
    total = models.FloatField(null=True, blank=True)
    band = models.CharField(max_length=40, blank=True)
    subscales = models.JSONField(default=dict, blank=True)
    flags = models.JSONField(default=list, blank=True)
    positive = models.BooleanField(null=True, blank=True)
    # Sex at birth used for sex-specific cut-offs, as it was when scored.
    sex_used = models.CharField(max_length=10, blank=True)
    corrects = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrected_by"
    )
    correction_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = AdministrationQuerySet.as_manager()

    class Meta:
        ordering = ["-administered_at", "-id"]
        indexes = [
            models.Index(fields=["client", "instrument_code", "administered_at"], name="admin_client_instr_time_idx"),
            models.Index(fields=["organization", "administered_at"], name="admin_org_time_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(corrects__isnull=True) | ~models.Q(correction_reason=""),
                name="administration_correction_has_reason",
                violation_error_message=_("A correction needs a reason."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument_code} {self.administered_at:%Y-%m-%d}"

    @property
    def instrument(self) -> Instrument:
        return get_instrument(self.instrument_code)

    @property
    def band_label(self) -> str:
        band = next((b for b in self.instrument.bands if b.code == self.band), None)
        return str(band.label) if band else ""

    @property
    def total_display(self) -> str:
        if self.total is None:
            return "—"
        return str(int(self.total)) if float(self.total).is_integer() else f"{self.total:.2f}"

    @property
    def screen_rule(self) -> str:
        """The instrument's positive-screen cut-off in words ("≥4 men / ≥3 women"); "" when it has none."""
        rule = self.instrument.screening
        if rule is None:
            return ""
        if not rule.at_least_by_sex:
            return f"≥{_number(rule.at_least)}"
        words = {"male": _("men"), "female": _("women")}
        order = [sex for sex in words if sex in rule.at_least_by_sex]
        order += [sex for sex in rule.at_least_by_sex if sex not in words]
        return " / ".join(f"≥{_number(rule.at_least_by_sex[sex])} {words.get(sex, sex)}" for sex in order)

    @property
    def screen_label(self) -> str:
        """ "Positive screen (≥4 men / ≥3 women)", "Negative screen (≥3)", or "" when not screened."""
        if self.positive is None:
            return ""
        if self.positive:
            return str(_("Positive screen (%(rule)s)") % {"rule": self.screen_rule})
        return str(_("Negative screen (%(rule)s)") % {"rule": self.screen_rule})

    @property
    def screen_cut_off_note(self) -> str:
        """Which cut-off applied when it depends on sex at birth and that was not recorded; else ""."""
        rule = self.instrument.screening
        if self.positive is None or rule is None or not rule.at_least_by_sex or self.sex_used in rule.at_least_by_sex:
            return ""
        return str(
            _("Sex at birth is not recorded as female or male: the cut-off of %(n)s was used.")
            % {"n": _number(rule.cut_off(None))}
        )

    @property
    def result_label(self) -> str:
        """The band, or the screen result for an instrument without bands (AUDIT-C, PHQ-2); "" for neither."""
        return self.band_label or self.screen_label


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


class AlertRule(models.TextChoices):
    PHQ9_ITEM9 = "phq9_item9", _("PHQ-9 item 9 above 0")
    CSSRS_HIGH = "cssrs_high", _("C-SSRS screener: high risk")
    DETERIORATION = "deterioration", _("Reliable deterioration")
    HIGH_CRAVING = "high_craving", _("High craving (PACS 15 or more)")
    LAPSE = "lapse", _("Use reported after abstinence")
    MISSED_SESSIONS = "missed_sessions", _("Two sessions missed in a row")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed with a disposition")


class AlertQuerySet(models.QuerySet):
    def open(self) -> AlertQuerySet:
        return self.filter(status=AlertStatus.OPEN)

    def open_first(self) -> AlertQuerySet:
        """Open alerts before closed ones, newest first within each."""
        is_open = models.Case(models.When(status=AlertStatus.OPEN, then=0), default=1)
        return self.order_by(is_open, "-raised_at", "-id")


class Alert(models.Model):
    """A safety signal for the care team. It is closed by a clinician with a written disposition, never deleted."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="alerts")
    rule = models.CharField(max_length=20, choices=AlertRule.choices)
    administration = models.ForeignKey(
        Administration, on_delete=models.PROTECT, null=True, blank=True, related_name="alerts"
    )
    # A blocking alert needs a completed C-SSRS screener before it can be closed (PHQ-9 item 9).
    needs_cssrs = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    raised_at = models.DateTimeField(default=timezone.now)
    detail = models.CharField(max_length=300, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    disposition = models.TextField(blank=True)
    cssrs_administration = models.ForeignKey(
        Administration, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "status", "raised_at"], name="alert_org_status_time_idx"),
            models.Index(fields=["client", "status"], name="alert_client_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="open") | (~models.Q(disposition="") & models.Q(closed_at__isnull=False)),
                name="alert_closed_with_disposition",
                violation_error_message=_("An alert is closed only with a disposition."),
            ),
            models.CheckConstraint(
                condition=models.Q(status="open")
                | models.Q(needs_cssrs=False)
                | models.Q(cssrs_administration__isnull=False),
                name="alert_item9_closed_with_cssrs",
                violation_error_message=_("This alert needs a C-SSRS screener before it is closed."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_rule_display()} ({self.get_status_display()})"

    @cached_property
    def facts(self) -> AlertFacts:
        """What raised the alert: the instrument, the result and its scores (see selectors.describe_alert)."""
        from iptcare.measures.selectors import describe_alert

        return describe_alert(self)


class SelfReportLinkQuerySet(models.QuerySet):
    def usable(self) -> SelfReportLinkQuerySet:
        return self.filter(used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())

    def answerable(self) -> SelfReportLinkQuerySet:
        """Usable links, and expired ones opened before expiry, for a day's grace."""
        now = timezone.now()
        late = models.Q(
            opened_at__isnull=False,
            opened_at__lt=models.F("expires_at"),
            expires_at__gt=now - SelfReportLink.LATE_ANSWER_GRACE,
        )
        return self.filter(used_at__isnull=True, revoked_at__isnull=True).filter(models.Q(expires_at__gt=now) | late)


class SelfReportLink(models.Model):
    """A single-use link a client opens without signing in, to answer one questionnaire.

    The token in the URL is signed (with its creation time) and only its SHA-256 digest is stored.
    """

    DEFAULT_VALID_FOR = timezone.timedelta(hours=72)
    # Answers sent this long after expiry still count when the link was opened in time: a client who started
    # before the deadline must not lose what they said (it may be a safety answer).
    LATE_ANSWER_GRACE = timezone.timedelta(hours=24)

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="self_report_links")
    instrument_code = models.CharField(max_length=20)
    token_digest = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    sent_to = models.EmailField(blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    administration = models.OneToOneField(
        Administration, on_delete=models.PROTECT, null=True, blank=True, related_name="self_report_link"
    )

    objects = SelfReportLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["client", "created_at"], name="link_client_time_idx")]

    def __str__(self) -> str:
        return f"{self.instrument_code} link for client {self.client_id}"

    @property
    def state(self) -> str:
        if self.used_at:
            return "answered"
        if self.revoked_at:
            return "withdrawn"
        return "expired" if self.expires_at <= timezone.now() else "waiting"


class ScheduleKind(models.TextChoices):
    EVERY_N_DAYS = "every_n_days", _("Every N days")
    AT_INTAKE = "at_intake", _("Once, at intake")
    AT_DISCHARGE = "at_discharge", _("At discharge")


class MeasureSchedule(models.Model):
    """When a client is due an instrument. Due and overdue are computed from the last administration."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="measure_schedules")
    instrument_code = models.CharField(_("questionnaire"), max_length=20)
    kind = models.CharField(_("when"), max_length=20, choices=ScheduleKind.choices)
    interval_days = models.PositiveSmallIntegerField(_("every how many days"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["client", "instrument_code", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "instrument_code", "kind"],
                name="schedule_unique_per_client_instrument_kind",
                violation_error_message=_("This client already has that schedule for that questionnaire."),
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="every_n_days") | models.Q(interval_days__gte=1),
                name="schedule_interval_for_every_n_days",
                violation_error_message=_("Give the number of days between questionnaires."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_code} {self.get_kind_display()}"


class MeasureSettings(models.Model):
    """An organization's choices for alert rules and change thresholds.

    The PHQ-9 item-9 and C-SSRS high-risk alerts are not here: they are safety rules and always apply.
    """

    organization = models.OneToOneField(
        "accounts.Organization", on_delete=models.CASCADE, related_name="measure_settings"
    )
    pacs_alert_at = models.PositiveSmallIntegerField(
        _("PACS total that raises a high-craving alert"), default=15, help_text=_("0–30; the default is 15.")
    )
    deterioration_alerts = models.BooleanField(_("Alert on reliable deterioration"), default=True)
    # {"PHQ-9": 6, "GAD-7": 4}: the change in points that counts as reliable, replacing an instrument's default.
    reliable_change_thresholds = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "measure settings"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pacs_alert_at__lte=30),
                name="measure_settings_pacs_in_range",
                violation_error_message=_("The PACS total runs from 0 to 30."),
            )
        ]

    def __str__(self) -> str:
        return f"Measure settings of {self.organization_id}"

    @classmethod
    def for_organization(cls, organization_id: int) -> MeasureSettings:
        """The stored settings, or the defaults (unsaved) when the organization has not changed any."""
        return cls.objects.filter(organization_id=organization_id).first() or cls(organization_id=organization_id)

    def threshold_for(self, code: str) -> float | None:
        value = (self.reliable_change_thresholds or {}).get(code)
        return float(value) if value is not None else None


class ChosenBaseline(models.Model):
    """The administration a client's change is measured from, when it is not the first one (e.g. a new course)."""

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="chosen_baselines")
    instrument_code = models.CharField(max_length=20)
    administration = models.ForeignKey(Administration, on_delete=models.PROTECT, related_name="+")
    chosen_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    chosen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "instrument_code"],
                name="chosen_baseline_one_per_instrument",
                violation_error_message=_("This client already has a chosen baseline for that questionnaire."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument_code} baseline of client {self.client_id}"
