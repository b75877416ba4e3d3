"""Substance use day by day: the Timeline Followback calendar and the daily check-in.

How a day is stored (IPT-DOMAIN §6: missing days stay missing, never abstinent):

- A *recorded* day has one UseDay row with substance "any": the day as a whole. Its `used` says whether anything
  was used that day, so "no use of anything" is a row with used=False.
- Rows for single substances say what was asked about and used, with the amount, or that it was not used.
- A day with no "any" row is *missing*: nobody asked, or the answer was not recorded.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from iptcare.clients.models import Substance
from iptcare.encryption.fields import EncryptedTextField

# The substance value of the row that stands for the whole day.
ANY_SUBSTANCE = "any"
SUBSTANCE_CHOICES = [(ANY_SUBSTANCE, _("Any substance (the day as a whole)")), *Substance.choices]


class DayStatus(models.TextChoices):
    """What is known about one day. Not a stored field: it is read from the day's "any" row."""

    MISSING = "missing", _("Not recorded")
    NO_USE = "no_use", _("No use")
    USED = "used", _("Used")


class Unit(models.TextChoices):
    # US standard drink = 14 g of pure alcohol (NIAAA); alcohol is always counted in these.
    STANDARD_DRINKS = "standard_drinks", _("standard drinks")
    GRAMS = "grams", _("grams")
    MILLIGRAMS = "milligrams", _("milligrams")
    DOSES = "doses", _("doses")
    PILLS = "pills", _("pills or tablets")
    CIGARETTES = "cigarettes", _("cigarettes")
    OCCASIONS = "occasions", _("times used")
    DOLLARS = "dollars", _("dollars spent")


# The unit offered first for each substance in the calendar.
DEFAULT_UNITS = {
    Substance.ALCOHOL: Unit.STANDARD_DRINKS,
    Substance.OPIOIDS: Unit.DOSES,
    Substance.COCAINE: Unit.GRAMS,
    Substance.METHAMPHETAMINE: Unit.GRAMS,
    Substance.CANNABIS: Unit.GRAMS,
    Substance.SEDATIVES: Unit.PILLS,
    Substance.HALLUCINOGENS: Unit.DOSES,
    Substance.INHALANTS: Unit.OCCASIONS,
    Substance.TOBACCO: Unit.CIGARETTES,
    Substance.OTHER: Unit.OCCASIONS,
}


class Source(models.TextChoices):
    TLFB = "tlfb", _("Timeline Followback")
    CHECK_IN = "check_in", _("Daily check-in")


class UseDayQuerySet(models.QuerySet):
    def whole_days(self) -> UseDayQuerySet:
        """The rows that stand for whole days: one per recorded day."""
        return self.filter(substance=ANY_SUBSTANCE)


class UseDay(models.Model):
    """One client's use of one substance on one day, or (substance "any") the day as a whole.

    Re-entering a day changes its rows in place; the audit trail keeps the old values.
    """

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="use_days")
    date = models.DateField(_("date"))
    # A Substance value, or "any" for the row that says whether anything was used that day.
    substance = models.CharField(_("substance"), max_length=20, choices=SUBSTANCE_CHOICES)
    used = models.BooleanField(_("used"))
    # How much, in `unit`; empty when not given (the day still counts as a day of use).
    amount = models.DecimalField(_("amount"), max_digits=6, decimal_places=2, null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=20, choices=Unit.choices, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    # On a whole-day row: the lapse alert this day raised, so that one lapse raises one alert.
    lapse_alert = models.ForeignKey("measures.Alert", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    objects = UseDayQuerySet.as_manager()

    class Meta:
        ordering = ["date", "substance", "id"]
        verbose_name = _("use day")
        constraints = [
            models.UniqueConstraint(
                fields=["client", "date", "substance"],
                name="use_day_unique_per_substance",
                violation_error_message=_("This day already has an entry for this substance."),
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
                name="use_day_amount_not_negative",
                violation_error_message=_("An amount cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(used=True) | Q(amount__isnull=True),
                name="use_day_amount_only_when_used",
                violation_error_message=_("An amount is only recorded for a substance that was used."),
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | ~Q(unit=""),
                name="use_day_amount_has_unit",
                violation_error_message=_("An amount needs its unit."),
            ),
            models.CheckConstraint(
                condition=~Q(substance=Substance.ALCOHOL) | Q(unit__in=["", Unit.STANDARD_DRINKS]),
                name="use_day_alcohol_in_standard_drinks",
                violation_error_message=_("Alcohol is recorded in standard drinks."),
            ),
            models.CheckConstraint(
                condition=Q(substance=Substance.ALCOHOL) | ~Q(unit=Unit.STANDARD_DRINKS),
                name="use_day_standard_drinks_only_for_alcohol",
                violation_error_message=_("Standard drinks are a unit for alcohol only."),
            ),
            models.CheckConstraint(
                condition=~Q(substance=ANY_SUBSTANCE) | (Q(amount__isnull=True) & Q(unit="")),
                name="use_day_whole_day_has_no_amount",
                violation_error_message=_("The row for the whole day has no amount."),
            ),
            models.CheckConstraint(
                condition=Q(substance=ANY_SUBSTANCE) | Q(lapse_alert__isnull=True),
                name="use_day_lapse_on_whole_day",
                violation_error_message=_("A lapse belongs to the whole day."),
            ),
        ]
        indexes = [
            # Whole days of one client by date: the abstinence streak and the lapse check. The unique
            # constraint's index (client, date, substance) serves reads of a window.
            models.Index(fields=["client", "substance", "date"], name="use_day_client_subst_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.substance}: {'used' if self.used else 'not used'}"


class CheckIn(models.Model):
    """A daily check-in: mood, craving, whether anything was used, and an interpersonal event that day.

    Entered by staff on the client's behalf for now. Its answer about use is copied to the day's UseDay rows
    when given or changed; a later Timeline Followback entry for the same day changes those rows, not this answer.
    """

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="check_ins")
    date = models.DateField(_("date"))
    # 0 = very low, 10 = very good; empty when the client did not answer.
    mood = models.PositiveSmallIntegerField(_("mood"), null=True, blank=True, validators=[MaxValueValidator(10)])
    # 0 = no craving, 10 = the strongest craving; empty when the client did not answer.
    craving = models.PositiveSmallIntegerField(_("craving"), null=True, blank=True, validators=[MaxValueValidator(10)])
    used = models.BooleanField(_("used alcohol or drugs"))
    # Substance values the client named as used that day (empty when nothing was used).
    substances = models.JSONField(_("substances used"), default=list, blank=True)
    interpersonal_event = EncryptedTextField(_("interpersonal event"), blank=True)
    # Someone from the client's own people (checked by the form and the action: same client only).
    person = models.ForeignKey(
        "clients.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="check_ins",
        verbose_name=_("person involved"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("check-in")
        constraints = [
            # Its index also serves the list of a client's check-ins by date.
            models.UniqueConstraint(
                fields=["client", "date"],
                name="check_in_one_per_client_and_day",
                violation_error_message=_("This client already has a check-in for this day."),
            ),
            models.CheckConstraint(
                condition=Q(mood__isnull=True) | Q(mood__lte=10),
                name="check_in_mood_0_to_10",
                violation_error_message=_("Mood is from 0 to 10."),
            ),
            models.CheckConstraint(
                condition=Q(craving__isnull=True) | Q(craving__lte=10),
                name="check_in_craving_0_to_10",
                violation_error_message=_("Craving is from 0 to 10."),
            ),
        ]

    def __str__(self) -> str:
        return f"Check-in {self.date:%Y-%m-%d}"

    def substance_labels(self) -> list[str]:
        return [str(Substance(v).label) for v in self.substances if v in Substance.values]
