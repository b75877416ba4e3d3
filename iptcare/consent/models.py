"""Consents to disclose substance-use records, and the disclosures made under them (42 CFR Part 2; IPT-DOMAIN §10).

A consent is kept as it was signed. Changing one records a new version of the same series and marks the old one
superseded; revoking one adds a revocation that takes effect from its time. Nothing here is deleted: database
triggers (iptcare/consent/triggers.py) refuse DELETE on every table and any UPDATE except marking a version
superseded, once. Whether a disclosure may go ahead is decided in one place, iptcare/consent/gate.py.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from iptcare.lib.notices import Notice, NoticeForm, current_notice


class ConsentKind(models.TextChoices):
    SINGLE = "single", _("Single disclosure")
    TPO = "tpo", _("Treatment, payment and health care operations (TPO)")
    RESEARCH = "research", _("Research")
    # Never combined with another kind: a consent of this kind covers counselling notes and nothing else.
    COUNSELLING_NOTES = "counselling_notes", _("SUD counselling notes")


class DataCategory(models.TextChoices):
    """What a consent covers and a disclosure sends, in categories a client can understand."""

    DEMOGRAPHICS = "demographics", _("Identity, demographics and contact details")
    DIAGNOSES = "diagnoses", _("Diagnoses and co-occurring conditions")
    MEDICATIONS = "medications", _("Medications")
    MEASURES = "measures", _("Questionnaire and measure results")
    SUBSTANCE_USE = "substance_use", _("Substance use (days of use, check-ins)")
    SESSION_SUMMARY = "session_summary", _("A summary of session notes")
    TREATMENT_PLAN = "treatment_plan", _("Treatment plans (IPT formulation, relapse-prevention and safety plans)")
    RELATIONSHIPS = "relationships", _("The people in the client's life (interpersonal inventory, closeness circle)")
    ATTENDANCE = "attendance", _("Attendance and appointments")
    # Kept apart by law: only a consent of kind COUNSELLING_NOTES covers it, and never a TPO consent.
    COUNSELLING_NOTES = "counselling_notes", _("SUD counselling notes")


class Purpose(models.TextChoices):
    TREATMENT = "treatment", _("Treatment")
    PAYMENT = "payment", _("Payment")
    OPERATIONS = "health_care_operations", _("Health care operations")
    RESEARCH = "research", _("Research")
    # Refused unless a court order is recorded on the consent (42 CFR §2.64, §2.65).
    LEGAL_PROCEEDINGS = "legal_proceedings", _("Legal proceedings against the client")
    OTHER = "other", _("Other (described)")


TPO_PURPOSES = frozenset({Purpose.TREATMENT, Purpose.PAYMENT, Purpose.OPERATIONS})


class RecipientClass(models.TextChoices):
    """Classes of recipient a TPO consent may name instead of people (42 CFR §2.31(a)(4)(i))."""

    TREATING_PROVIDERS = "treating_providers", _("My treating providers")
    HEALTH_PLANS = "health_plans", _("My health plans and third-party payers")
    PROGRAM_OPERATIONS = "program_operations", _("People helping to operate this program")


class DiscloserKind(models.TextChoices):
    PROGRAM = "program", _("The program (this organization)")
    NAMED_STAFF = "named_staff", _("Only the staff named below")


class ExpiryKind(models.TextChoices):
    DATE = "date", _("On a date")
    END_OF_TREATMENT = "end_of_treatment", _("At the end of treatment (discharge)")
    # Allowed for TPO consents only.
    NONE = "none", _("None (until revoked; TPO consents only)")


class SignerKind(models.TextChoices):
    CLIENT = "client", _("The client")
    REPRESENTATIVE = "representative", _("An authorised representative")


class Statement(models.TextChoices):
    """The statements a consent form shows and the signer acknowledges. Their wording is in statements.py."""

    REDISCLOSURE = "redisclosure", _("Redisclosure under HIPAA")
    REFUSAL = "refusal_consequences", _("Consequences of refusing to sign")
    NOT_CONDITIONED = "not_conditioned", _("Treatment is not conditioned on signing")


class ConsentStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    NOT_YET_EFFECTIVE = "not_yet_effective", _("Not yet in effect")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")
    SUPERSEDED = "superseded", _("Superseded")


class Consent(models.Model):
    """One version of a client's written consent to disclose, with every element of 42 CFR §2.31."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="consents")
    # The versions of one consent share a series; a revocation revokes the series.
    series = models.UUIDField(default=uuid.uuid4, editable=False)
    version = models.PositiveSmallIntegerField(default=1)
    # The version this one replaced (None for version 1).
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    kind = models.CharField(_("kind of consent"), max_length=20, choices=ConsentKind.choices)
    discloser_kind = models.CharField(
        _("who may disclose"), max_length=12, choices=DiscloserKind.choices, default=DiscloserKind.PROGRAM
    )
    named_disclosers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    # DataCategory values.
    categories = models.JSONField(_("information"), default=list)
    information_description = models.TextField(_("description of the information"))
    # RecipientClass values (TPO consents only); named recipients are ConsentRecipient rows.
    recipient_classes = models.JSONField(_("classes of recipients"), default=list, blank=True)
    # Purpose values.
    purposes = models.JSONField(_("purposes"), default=list)
    purpose_other = models.CharField(_("other purpose"), max_length=300, blank=True)
    court_order_reference = models.CharField(_("court order reference"), max_length=200, blank=True)
    effective_from = models.DateField(_("in effect from"))
    expiry_kind = models.CharField(_("expires"), max_length=20, choices=ExpiryKind.choices)
    expires_on = models.DateField(_("expiry date"), null=True, blank=True)
    signer_kind = models.CharField(_("signed by"), max_length=16, choices=SignerKind.choices)
    # The typed name is the signature.
    signer_name = models.CharField(_("signature (typed name)"), max_length=200)
    representative_relationship = models.CharField(_("relationship to the client"), max_length=120, blank=True)
    signed_on = models.DateField(_("date signed"))
    # Statement values the signer acknowledged, in the wording of `statements_version` (statements.py).
    acknowledged_statements = models.JSONField(default=list, blank=True)
    statements_version = models.CharField(max_length=20)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    # Set once, when a new version replaces this one; the only change a stored consent ever takes.
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "version"],
                name="consent_version_unique",
                violation_error_message=_("This consent already has a version with that number."),
            ),
            models.CheckConstraint(
                condition=(Q(expiry_kind="date") & Q(expires_on__isnull=False))
                | (~Q(expiry_kind="date") & Q(expires_on__isnull=True)),
                name="consent_expiry_date_with_date_kind",
                violation_error_message=_("An expiry date goes with “expires on a date”, and only with it."),
            ),
            models.CheckConstraint(
                condition=~Q(expiry_kind="none") | Q(kind="tpo"),
                name="consent_no_expiry_only_tpo",
                violation_error_message=_("Only a TPO consent may have no expiry."),
            ),
            models.CheckConstraint(
                condition=~Q(signer_kind="representative") | ~Q(representative_relationship=""),
                name="consent_representative_has_relationship",
                violation_error_message=_("A representative's relationship to the client is recorded."),
            ),
            models.CheckConstraint(
                condition=~Q(signer_name=""),
                name="consent_signed",
                violation_error_message=_("A consent is signed."),
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1),
                name="consent_version_positive",
                violation_error_message=_("Versions are numbered from 1."),
            ),
        ]
        indexes = [
            models.Index(fields=["client", "recorded_at"], name="consent_client_time_idx"),
            models.Index(fields=["series", "version"], name="consent_series_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} consent v{self.version} ({self.signed_on})"

    @property
    def is_tpo(self) -> bool:
        return self.kind == ConsentKind.TPO

    def category_labels(self) -> list[str]:
        return [str(DataCategory(c).label) for c in self.categories if c in DataCategory.values]

    def purpose_labels(self) -> list[str]:
        labels = []
        for value in self.purposes:
            if value == Purpose.OTHER:
                labels.append(self.purpose_other)
            elif value in Purpose.values:
                labels.append(str(Purpose(value).label))
        return labels

    def recipient_class_labels(self) -> list[str]:
        return [str(RecipientClass(c).label) for c in self.recipient_classes if c in RecipientClass.values]

    def ends_on_discharge(self) -> bool:
        return self.expiry_kind == ExpiryKind.END_OF_TREATMENT


class ConsentRecipient(models.Model):
    """A person or organization a consent names as recipient, or an intermediary with its participants."""

    class Kind(models.TextChoices):
        PERSON = "person", _("A person")
        ORGANIZATION = "organization", _("An organization")
        # A health information exchange, research institution or the like that passes records on (§2.31(a)(4)(ii)).
        INTERMEDIARY = "intermediary", _("An intermediary (for example a health information exchange)")

    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="recipients")
    kind = models.CharField(_("recipient is"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    # A person's organization (optional); for an organization, its address or department.
    organization = models.CharField(_("organization or address"), max_length=200, blank=True)
    # For an intermediary: the member participants it may pass records to, by name.
    participants = models.JSONField(_("participants"), default=list, blank=True)
    # For an intermediary: or, generally, the participants that have a treating provider relationship with the client.
    participants_are_treating_providers = models.BooleanField(
        _("participants with a treating provider relationship with the client"), default=False
    )

    class Meta:
        ordering = ["consent", "id"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        text = f"{self.name} ({self.organization})" if self.organization else self.name
        if self.kind != self.Kind.INTERMEDIARY:
            return text
        members = list(self.participants)
        if self.participants_are_treating_providers:
            members.append(str(_("participants who treat the client")))
        return str(_("%(name)s, an intermediary, for: %(members)s")) % {"name": text, "members": ", ".join(members)}


class ConsentRevocation(models.Model):
    """The client's written revocation of a consent (all its versions), effective from `revoked_at` onward."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+")
    series = models.UUIDField(unique=True)
    # The version in force when it was revoked.
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="+")
    # When the revocation took effect: the moment it was recorded. Disclosures before it stay valid.
    revoked_at = models.DateTimeField(default=timezone.now)
    # The date written on the client's revocation.
    written_on = models.DateField(_("date of the written revocation"))
    revoked_by_name = models.CharField(_("signed by (typed name)"), max_length=200)
    representative_relationship = models.CharField(_("relationship to the client"), max_length=120, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-revoked_at", "-id"]

    def __str__(self) -> str:
        return f"Revocation of consent {self.series} at {self.revoked_at:%Y-%m-%d %H:%M}"


class Disclosure(models.Model):
    """One disclosure of a client's records, as the accounting of disclosures lists it. Kept as written."""

    class Channel(models.TextChoices):
        PRINT = "print", _("Printed")
        DOWNLOAD = "download", _("Downloaded")
        API = "api", _("Read through the API")
        OTHER = "other", _("Other")

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="disclosures")
    # The consent version the disclosure relied on.
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="disclosures")
    disclosed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    disclosed_at = models.DateTimeField(default=timezone.now)
    recipient_name = models.CharField(max_length=200)
    recipient_organization = models.CharField(max_length=200, blank=True)
    # The RecipientClass the discloser stated the recipient belongs to, when a class consent was relied on.
    recipient_class = models.CharField(max_length=30, blank=True)
    # The intermediary the records went through, if any.
    recipient_via = models.CharField(max_length=200, blank=True)
    purpose = models.CharField(max_length=30, choices=Purpose.choices)
    purpose_detail = models.CharField(max_length=300, blank=True)
    # DataCategory values.
    categories = models.JSONField(default=list)
    # What left, in words ("Relapse-prevention plan, version 2").
    document = models.CharField(max_length=200)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    # The notice stamped on it, by version and word for word, and the consent summary that went with it.
    notice_version = models.CharField(max_length=40)
    notice_text = models.TextField()
    consent_summary = models.TextField()

    class Meta:
        ordering = ["-disclosed_at", "-id"]
        indexes = [models.Index(fields=["client", "disclosed_at"], name="disclosure_client_time_idx")]

    def __str__(self) -> str:
        return f"Disclosure to {self.recipient_name} on {self.disclosed_at:%Y-%m-%d}"

    @property
    def recipient_label(self) -> str:
        text = self.recipient_name
        if self.recipient_organization:
            text = f"{text} ({self.recipient_organization})"
        if self.recipient_via:
            text = str(_("%(recipient)s, via %(via)s")) % {"recipient": text, "via": self.recipient_via}
        return text

    def category_labels(self) -> list[str]:
        return [str(DataCategory(c).label) for c in self.categories if c in DataCategory.values]

    @property
    def purpose_label(self) -> str:
        if self.purpose == Purpose.OTHER:
            return self.purpose_detail
        return self.get_purpose_display()


class DisclosureSettings(models.Model):
    """An organization's choice of notice for what it discloses. Org admins change it."""

    organization = models.OneToOneField("accounts.Organization", on_delete=models.CASCADE, related_name="+")
    notice_form = models.CharField(
        _("Notice stamped on disclosures"), max_length=10, choices=NoticeForm.choices, default=NoticeForm.SHORT
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("disclosure settings")
        verbose_name_plural = _("disclosure settings")

    def __str__(self) -> str:
        return f"Disclosure settings of organization {self.organization_id}"

    @classmethod
    def for_organization(cls, organization_id: int) -> DisclosureSettings:
        """The stored settings, or the defaults (unsaved) when the organization never changed them."""
        return cls.objects.filter(organization_id=organization_id).first() or cls(organization_id=organization_id)

    @property
    def notice(self) -> Notice:
        return current_notice(self.notice_form)


def local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()
