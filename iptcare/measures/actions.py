"""Recording questionnaires and handling the alerts they raise. Each function is one audited transaction."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from iptcare.audit.events import diff_fields, record_event
from iptcare.audit.models import EventType
from iptcare.clients.models import CareTeamMember, TeamRole
from iptcare.measures.instruments import get_instrument
from iptcare.measures.models import (
    Administration,
    Alert,
    AlertRule,
    AlertStatus,
    AnsweredBy,
    ChosenBaseline,
    MeasureSchedule,
    MeasureSettings,
    ScheduleKind,
)
from iptcare.measures.scoring import Score, change_between, score

if TYPE_CHECKING:
    from iptcare.accounts.models import User
    from iptcare.clients.models import Client

CSSRS_CODE = "C-SSRS"

# Which instrument flags raise which alert; these safety rules always apply. PHQ-9 item 9 blocks until a
# C-SSRS screener and a disposition. High craving (PACS) uses the organization's threshold instead of the flag.
ALERT_FOR_FLAG: dict[tuple[str, str], AlertRule] = {
    ("PHQ-9", "item9-positive"): AlertRule.PHQ9_ITEM9,
    ("PHQ-9", "item9-unanswered"): AlertRule.PHQ9_ITEM9,
    ("C-SSRS", "high-risk"): AlertRule.CSSRS_HIGH,
}


@transaction.atomic
def do_record_administration(
    client: Client,
    code: str,
    answers: dict[str, Any],
    *,
    answered_by: str = AnsweredBy.CLINICIAN,
    acting_user: User | None,
    administered_at: dt.datetime | None = None,
    corrects: Administration | None = None,
    correction_reason: str = "",
    notify: bool = True,
) -> Administration:
    """Score on the server and store once. Raises AnswerError for answers that do not fit the instrument.

    `notify=False` records alerts without e-mailing anyone (for loading past data, where a message would be stale).
    """
    instrument = get_instrument(code)
    sex = client.sex_at_birth if client.sex_at_birth in ("female", "male") else None
    result = score(instrument, answers, sex=sex)
    if corrects is not None:
        _check_correction(client, instrument.code, corrects, correction_reason)
    administration = Administration.objects.create(
        organization_id=client.organization_id,
        client=client,
        episode=_open_episode(client),
        instrument_code=instrument.code,
        instrument_version=instrument.version,
        answered_by=answered_by,
        administered_by=acting_user,
        administered_at=administered_at or timezone.now(),
        answers=result.answers,
        total=result.total,
        band=result.band or "",
        subscales=result.subscales,
        flags=list(result.flags),
        positive=result.positive,
        sex_used=sex or "",
        corrects=corrects,
        correction_reason=correction_reason,
    )
    record_event(
        EventType.MEASURE_RECORDED,
        actor=acting_user,
        actor_label="" if acting_user else AnsweredBy(answered_by).label,
        client=client,
        obj=administration,
        extra={
            "instrument": instrument.code,
            "answered_by": answered_by,
            "corrects": corrects.pk if corrects else None,
        },
    )
    _raise_alerts(client, administration, result, notify=notify)
    return administration


def _open_episode(client: Client) -> Any:
    from iptcare.ipt.models import OPEN_STATUSES, Episode

    return Episode.objects.filter(client=client, status__in=OPEN_STATUSES).order_by("-start_date", "-id").first()


def _check_correction(client: Client, code: str, corrects: Administration, reason: str) -> None:
    if corrects.client_id != client.pk or corrects.instrument_code != code:
        raise ValidationError(_("A correction must be of the same questionnaire for the same client."))
    if hasattr(corrects, "corrected_by"):
        raise ValidationError(_("That questionnaire was already corrected; correct the latest version."))
    if not reason.strip():
        raise ValidationError(_("A correction needs a reason."))


def _raise_alerts(client: Client, administration: Administration, result: Score, *, notify: bool) -> None:
    settings = MeasureSettings.for_organization(client.organization_id)
    if result.instrument == "PACS" and result.total is not None and result.total >= settings.pacs_alert_at:
        raise_alert(
            client,
            AlertRule.HIGH_CRAVING,
            administration=administration,
            detail=f"PACS {result.total:g}",
            notify=notify,
        )
    _raise_flag_alerts(client, administration, result, notify=notify)
    if settings.deterioration_alerts:
        _raise_deterioration(client, administration, settings, notify=notify)


def _raise_flag_alerts(client: Client, administration: Administration, result: Score, *, notify: bool) -> None:
    for flag in result.alerts:
        rule = ALERT_FOR_FLAG.get((result.instrument, flag))
        if rule is not None:
            needs_cssrs = rule == AlertRule.PHQ9_ITEM9
            raise_alert(
                client, rule, administration=administration, needs_cssrs=needs_cssrs, detail=flag, notify=notify
            )


def _raise_deterioration(
    client: Client, administration: Administration, settings: MeasureSettings, *, notify: bool
) -> None:
    verdict = deterioration_since_baseline(
        administration, threshold=settings.threshold_for(administration.instrument_code)
    )
    # One open deterioration alert per instrument: a course that stays worse is one problem, not one per week.
    already_open = Alert.objects.open().filter(
        client=client, rule=AlertRule.DETERIORATION, administration__instrument_code=administration.instrument_code
    )
    if verdict and not already_open.exists():
        raise_alert(client, AlertRule.DETERIORATION, administration=administration, detail=verdict, notify=notify)


def deterioration_since_baseline(administration: Administration, *, threshold: float | None = None) -> str:
    """A description when the total got reliably worse than at the first administration, else ""."""
    if administration.total is None:
        return ""
    from iptcare.measures.selectors import baseline_against

    # None too for a result entered with an earlier date than the baseline: it says nothing about getting worse since.
    baseline = baseline_against(administration)
    if baseline is None:
        return ""
    change = change_between(administration.instrument, baseline.total, administration.total, threshold=threshold)
    if change.verdict != "deteriorated":
        return ""
    return f"{administration.instrument_code} {baseline.total_display} → {administration.total_display}"


def raise_alert(
    client: Client,
    rule: str,
    *,
    administration: Administration | None = None,
    needs_cssrs: bool = False,
    detail: str = "",
    notify: bool = True,
) -> Alert:
    """Open an alert for the client's primary therapist (call inside the transaction of what caused it)."""
    owner = primary_therapist_of(client)
    alert = Alert.objects.create(
        organization_id=client.organization_id,
        client=client,
        rule=rule,
        administration=administration,
        needs_cssrs=needs_cssrs,
        owner=owner,
        detail=detail[:300],
    )
    record_event(EventType.ALERT_RAISED, actor=None, client=client, obj=alert, extra={"rule": rule})
    if notify and owner is not None and owner.email:
        # No clinical detail leaves by e-mail: it says that something is waiting, and where.
        message = _("A new safety alert is waiting for a client on your caseload. Sign in to iptcare to review it.")
        transaction.on_commit(
            lambda: send_mail(_("iptcare: a new safety alert"), message, None, [owner.email], fail_silently=True)
        )
    return alert


def primary_therapist_of(client: Client) -> User | None:
    members = CareTeamMember.objects.filter(client=client, team_role=TeamRole.PRIMARY_THERAPIST)
    member = members.select_related("user").first()
    return member.user if member else None


@transaction.atomic
def do_close_alert(
    alert: Alert, *, disposition: str, cssrs_administration: Administration | None = None, acting_user: User
) -> Alert:
    """Close with a written disposition; a PHQ-9 item-9 alert also needs a C-SSRS screener given since it was raised."""
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.status != AlertStatus.OPEN:
        raise ValidationError(_("This alert is already closed."))
    if not disposition.strip():
        raise ValidationError({"disposition": _("Write what was done and decided.")})
    if alert.needs_cssrs:
        valid = (
            cssrs_administration is not None
            and cssrs_administration.client_id == alert.client_id
            and cssrs_administration.instrument_code == CSSRS_CODE
            and cssrs_administration.administered_at >= alert.raised_at
            # The clinician completes the screener (IPT-DOMAIN §5); a self-report does not close a safety alert.
            and cssrs_administration.answered_by == AnsweredBy.CLINICIAN
            # A screener that a correction replaced no longer counts.
            and Administration.objects.current().filter(pk=cssrs_administration.pk).exists()
            # The screener's risk level is only given on complete answers.
            and bool(cssrs_administration.band)
        )
        if not valid:
            raise ValidationError(
                {"cssrs_administration": _("Record a complete C-SSRS screener for this client first, then choose it.")}
            )
    alert.status = AlertStatus.CLOSED
    alert.disposition = disposition.strip()
    alert.closed_by = acting_user
    alert.closed_at = timezone.now()
    alert.cssrs_administration = cssrs_administration if alert.needs_cssrs else None
    alert.save(update_fields=["status", "disposition", "closed_by", "closed_at", "cssrs_administration"])
    record_event(
        EventType.ALERT_CLOSED,
        actor=acting_user,
        client=alert.client,
        obj=alert,
        extra={"rule": alert.rule, "cssrs": cssrs_administration.pk if cssrs_administration else None},
    )
    return alert


@transaction.atomic
def do_add_schedule(
    client: Client, code: str, kind: str, *, interval_days: int | None = None, acting_user: User
) -> MeasureSchedule:
    instrument = get_instrument(code)
    schedule = MeasureSchedule(
        organization_id=client.organization_id,
        client=client,
        instrument_code=instrument.code,
        kind=kind,
        interval_days=interval_days if kind == ScheduleKind.EVERY_N_DAYS else None,
        created_by=acting_user,
    )
    schedule.full_clean()
    schedule.save()
    record_event(
        EventType.SCHEDULE_CHANGED,
        actor=acting_user,
        client=client,
        obj=schedule,
        extra={"added": str(schedule), "interval_days": schedule.interval_days},
    )
    return schedule


@transaction.atomic
def do_remove_schedule(schedule: MeasureSchedule, *, acting_user: User) -> None:
    record_event(
        EventType.SCHEDULE_CHANGED,
        actor=acting_user,
        client=schedule.client,
        obj=schedule,
        extra={"removed": str(schedule)},
    )
    schedule.delete()


@transaction.atomic
def do_apply_standard_schedule(client: Client, *, acting_user: User) -> int:
    """Add the program's usual schedule, keeping any the client already has. Returns how many were added."""
    from iptcare.measures.schedules import STANDARD_SCHEDULE

    existing = set(MeasureSchedule.objects.filter(client=client).values_list("instrument_code", "kind"))
    added = 0
    for code, kind, days in STANDARD_SCHEDULE:
        if (code, kind) not in existing:
            do_add_schedule(client, code, kind, interval_days=days, acting_user=acting_user)
            added += 1
    return added


@transaction.atomic
def do_save_measure_settings(
    organization_id: int,
    *,
    pacs_alert_at: int,
    deterioration_alerts: bool,
    thresholds: dict[str, float],
    acting_user: User,
) -> MeasureSettings:
    settings, _created = MeasureSettings.objects.select_for_update().get_or_create(organization_id=organization_id)
    before = {
        "pacs_alert_at": settings.pacs_alert_at,
        "deterioration_alerts": settings.deterioration_alerts,
        "reliable_change_thresholds": settings.reliable_change_thresholds,
    }
    settings.pacs_alert_at = pacs_alert_at
    settings.deterioration_alerts = deterioration_alerts
    settings.reliable_change_thresholds = thresholds
    settings.updated_at = timezone.now()
    settings.full_clean()
    settings.save()
    after = {
        "pacs_alert_at": pacs_alert_at,
        "deterioration_alerts": deterioration_alerts,
        "reliable_change_thresholds": thresholds,
    }
    record_event(
        EventType.MEASURE_SETTINGS_CHANGED,
        actor=acting_user,
        obj=settings,
        changes=diff_fields(before, after),
    )
    return settings


@transaction.atomic
def do_choose_baseline(administration: Administration, *, acting_user: User) -> ChosenBaseline:
    """Measure this client's change on this instrument from `administration` from now on."""
    if administration.total is None:
        raise ValidationError(_("A baseline needs a complete questionnaire with a total."))
    chosen, _created = ChosenBaseline.objects.update_or_create(
        client=administration.client,
        instrument_code=administration.instrument_code,
        defaults={"administration": administration, "chosen_by": acting_user, "chosen_at": timezone.now()},
    )
    record_event(
        EventType.BASELINE_CHOSEN,
        actor=acting_user,
        client=administration.client,
        obj=administration,
        extra={"instrument": administration.instrument_code},
    )
    return chosen
