"""Measures pages: a client's results, giving a questionnaire in session, one result, and closing an alert."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from iptcare.accounts.access import require_admin, require_staff
from iptcare.audit.events import record_event
from iptcare.audit.models import EventType
from iptcare.clients.access import access_client_by_id
from iptcare.clients.models import Client
from iptcare.lib.ratelimit import rate_limit
from iptcare.measures.actions import (
    do_add_schedule,
    do_apply_standard_schedule,
    do_choose_baseline,
    do_close_alert,
    do_record_administration,
    do_remove_schedule,
    do_save_measure_settings,
)
from iptcare.measures.forms import (
    CloseAlertForm,
    InstrumentForm,
    MeasureSettingsForm,
    ScheduleForm,
    SelfReportLinkForm,
)
from iptcare.measures.instruments import INSTRUMENTS, get_instrument
from iptcare.measures.links import (
    LinkUsed,
    do_answer_link,
    do_create_link,
    do_withdraw_link,
    record_link_opened,
    resolve_link,
)
from iptcare.measures.models import Administration, Alert, MeasureSchedule, MeasureSettings, SelfReportLink
from iptcare.measures.schedules import due_for, last_given_dates
from iptcare.measures.selectors import chart_for, history, latest_by_instrument, open_episodes, progress
from iptcare.substance_use.selectors import use_summary


def _can_write(request: HttpRequest, client: Client) -> bool:
    return Client.objects.openable_by(request.user, write=True).filter(pk=client.pk).exists()


@require_staff
def measures_overview(request: HttpRequest, client_id: int) -> HttpResponse:
    client = access_client_by_id(request.user, client_id)
    record_event(EventType.MEASURES_VIEWED, actor=request.user, client=client, obj=client)
    alerts = list(client.alerts.select_related("owner", "closed_by", "administration").open_first())
    alert_admin_ids = {a.administration_id for a in alerts if a.administration_id}
    sections = []
    for latest in latest_by_instrument(client):
        administrations = history(client, latest.instrument_code)
        sections.append(
            {
                "instrument": latest.instrument,
                "latest": latest,
                "progress": progress(client, latest.instrument_code),
                "chart": chart_for(client, latest.instrument_code, administrations, alert_admin_ids),
                "administrations": list(reversed(administrations)),
            }
        )
    today = timezone.localdate()
    context = {
        "client": client,
        # Use beside mood: the program measures both, separately (IPT-DOMAIN §7).
        "use": use_summary(client, today - dt.timedelta(days=27), today),
        "new_link": request.session.pop(NEW_LINK_SESSION_KEY, None),
        "links": client.self_report_links.select_related("created_by")[:10],
        # Prefixed: both forms have a "Questionnaire" select, and each label must point at its own control.
        "link_form": SelfReportLinkForm(client=client, prefix=LINK_FORM_PREFIX),
        "schedule_form": ScheduleForm(prefix=SCHEDULE_FORM_PREFIX),
        "schedules": list(client.measure_schedules.all()),
        "due": due_for(client.measure_schedules.all(), last_given_dates(client), client, timezone.localdate()),
        "open_alerts": [a for a in alerts if a.status == "open"],
        "sections": sections,
        "alerts": alerts,
        "instruments": INSTRUMENTS.values(),
        "can_write": _can_write(request, client),
    }
    return render(request, "measures/overview.html", context)


@require_staff
def give_instrument(request: HttpRequest, client_id: int, code: str) -> HttpResponse:
    client = access_client_by_id(request.user, client_id, write=True)
    try:
        instrument = get_instrument(code)
    except KeyError:
        raise Http404("No such questionnaire.") from None
    form = InstrumentForm(request.POST or None, instrument=instrument)
    if request.method == "POST" and form.is_valid():
        administration = do_record_administration(client, instrument.code, form.answers(), acting_user=request.user)
        messages.success(request, _saved_message(administration))
        return redirect("administration_detail", client_id=client.pk, administration_id=administration.pk)
    record_event(EventType.MEASURES_VIEWED, actor=request.user, client=client, obj=client)
    context = {"client": client, "instrument": instrument, "form": form, "open_episodes": open_episodes(client)}
    return render(request, "measures/give.html", context)


def _saved_message(administration: Administration) -> str:
    """ "PHQ-9 saved: total 6, Mild.", "AUDIT-C saved: total 8, Positive screen (…)." or "C-SSRS saved: Low risk." """
    code, result = administration.instrument_code, administration.result_label
    if administration.total is not None:
        if result:
            return _("%(code)s saved: total %(total)s, %(result)s.") % {
                "code": code,
                "total": administration.total_display,
                "result": result,
            }
        return _("%(code)s saved: total %(total)s.") % {"code": code, "total": administration.total_display}
    if administration.instrument.method == "none":
        if result:
            return _("%(code)s saved: %(result)s.") % {"code": code, "result": result}
        return _("%(code)s saved.") % {"code": code}
    return _("%(code)s saved, without a total: an item it needs was left blank and is recorded as missing.") % {
        "code": code
    }


@require_staff
def administration_detail(request: HttpRequest, client_id: int, administration_id: int) -> HttpResponse:
    client = access_client_by_id(request.user, client_id)
    administration = Administration.objects.filter(client=client, pk=administration_id).first()
    if administration is None:
        raise Http404("No such result.")
    record_event(EventType.MEASURES_VIEWED, actor=request.user, client=client, obj=administration)
    instrument = administration.instrument
    administrations = history(client, instrument.code, administration.instrument_version)
    alerts = list(administration.alerts.all())
    items = [(item, administration.answers.get(item.key)) for item in instrument.items]
    context = {
        "client": client,
        "administration": administration,
        "instrument": instrument,
        "items": [
            (item, value, item.option(value).label if value is not None and item.option(value) else None)
            for item, value in items
        ],
        "alerts": alerts,
        "progress": progress(client, instrument.code),
        "can_write": _can_write(request, client),
        "open_episodes": open_episodes(client),
        "chart": chart_for(client, instrument.code, administrations, {administration.pk} if alerts else set()),
    }
    return render(request, "measures/administration.html", context)


@require_staff
def alert_close(request: HttpRequest, client_id: int, alert_id: int) -> HttpResponse:
    client = access_client_by_id(request.user, client_id, write=True)
    alert = (
        Alert.objects.filter(client=client, pk=alert_id).select_related("administration", "owner", "closed_by").first()
    )
    if alert is None:
        raise Http404("No such alert.")
    form = CloseAlertForm(request.POST or None, alert=alert)
    if request.method == "POST" and form.is_valid():
        try:
            do_close_alert(
                alert,
                disposition=form.cleaned_data["disposition"],
                cssrs_administration=form.cleaned_data.get("cssrs_administration"),
                acting_user=request.user,
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, problems in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, problems)
            else:
                form.add_error(None, error)
        else:
            messages.success(request, _("The alert is closed and its disposition recorded."))
            return redirect("measures_overview", client_id=client.pk)
    record_event(EventType.MEASURES_VIEWED, actor=request.user, client=client, obj=alert)
    return render(request, "measures/alert_close.html", {"client": client, "alert": alert, "form": form})


NEW_LINK_SESSION_KEY = "new_self_report_link"
LINK_FORM_PREFIX = "link"
SCHEDULE_FORM_PREFIX = "schedule"


@require_staff
@require_POST
def link_create(request: HttpRequest, client_id: int) -> HttpResponse:
    client = access_client_by_id(request.user, client_id, write=True)
    form = SelfReportLinkForm(request.POST, client=client, prefix=LINK_FORM_PREFIX)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("instrument", [])) or _("Choose a questionnaire."))
        return redirect("measures_overview", client_id=client.pk)
    email_to = client.email if form.cleaned_data["send_email"] else ""
    _link, url = do_create_link(
        client,
        form.cleaned_data["instrument"],
        acting_user=request.user,
        base_url=request.build_absolute_uri("/")[:-1],
        email_to=email_to,
    )
    # Shown once on the next page; only a digest of the token is stored.
    request.session[NEW_LINK_SESSION_KEY] = url
    if email_to:
        messages.success(request, _("The link is on its way to %(email)s.") % {"email": email_to})
    return redirect("measures_overview", client_id=client.pk)


@rate_limit("self_report")
def self_report(request: HttpRequest, token: str) -> HttpResponse:
    """The client's page: no sign-in, works on a phone, crisis line on top, no scores unless the program allows."""
    link = resolve_link(token, for_answers=request.method == "POST")
    if link is None:
        return render(request, "measures/self_report_gone.html", status=410)
    instrument = get_instrument(link.instrument_code)
    form = InstrumentForm(request.POST or None, instrument=instrument, for_client=True)
    if request.method == "POST" and form.is_valid():
        try:
            administration = do_answer_link(link, form.answers())
        except LinkUsed:
            return render(request, "measures/self_report_gone.html", status=410)
        context = {
            "administration": administration,
            "show_score": link.organization.show_scores_to_clients,
            "needs_support": bool(administration.alerts.exists()),
            "organization": link.organization,
        }
        return render(request, "measures/self_report_done.html", context)
    if request.method == "GET":
        record_link_opened(link)
    context = {"instrument": instrument, "form": form, "organization": link.organization}
    return render(request, "measures/self_report.html", context)


@require_staff
@require_POST
def schedule_change(request: HttpRequest, client_id: int) -> HttpResponse:
    """Add a schedule, apply the standard one, or remove one (the form's "action" says which)."""
    client = access_client_by_id(request.user, client_id, write=True)
    action = request.POST.get("action", "add")
    if action == "standard":
        added = do_apply_standard_schedule(client, acting_user=request.user)
        messages.success(request, _("Added %(count)d schedules.") % {"count": added})
    elif action == "remove":
        schedule = MeasureSchedule.objects.filter(client=client, pk=request.POST.get("schedule_id") or 0).first()
        if schedule is None:
            raise Http404("No such schedule.")
        do_remove_schedule(schedule, acting_user=request.user)
        messages.success(request, _("Removed the schedule %(schedule)s.") % {"schedule": schedule})
    else:
        form = ScheduleForm(request.POST, prefix=SCHEDULE_FORM_PREFIX)
        if form.is_valid():
            try:
                do_add_schedule(
                    client,
                    form.cleaned_data["instrument"],
                    form.cleaned_data["kind"],
                    interval_days=form.cleaned_data["interval_days"],
                    acting_user=request.user,
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("Schedule added."))
        else:
            messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("measures_overview", client_id=client.pk)


@require_admin
def measure_settings(request: HttpRequest) -> HttpResponse:
    """The admin's page for alert thresholds and reliable-change thresholds."""
    org_id = request.user.organization_id
    current = MeasureSettings.for_organization(org_id)
    initial = {"pacs_alert_at": current.pacs_alert_at, "deterioration_alerts": current.deterioration_alerts}
    initial |= {f"threshold_{code}": value for code, value in (current.reliable_change_thresholds or {}).items()}
    form = MeasureSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        do_save_measure_settings(
            org_id,
            pacs_alert_at=form.cleaned_data["pacs_alert_at"],
            deterioration_alerts=form.cleaned_data["deterioration_alerts"],
            thresholds=form.thresholds(),
            acting_user=request.user,
        )
        messages.success(request, _("Saved. New questionnaires use these settings from now on."))
        return redirect("measure_settings")
    return render(request, "measures/settings.html", {"form": form})


@require_staff
@require_POST
def choose_baseline(request: HttpRequest, client_id: int, administration_id: int) -> HttpResponse:
    client = access_client_by_id(request.user, client_id, write=True)
    administration = Administration.objects.current().filter(client=client, pk=administration_id).first()
    if administration is None:
        raise Http404("No such result.")
    try:
        do_choose_baseline(administration, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Change is now measured from this result."))
    return redirect("administration_detail", client_id=client.pk, administration_id=administration.pk)


@require_staff
@require_POST
def link_withdraw(request: HttpRequest, client_id: int, link_id: int) -> HttpResponse:
    client = access_client_by_id(request.user, client_id, write=True)
    link = SelfReportLink.objects.filter(client=client, pk=link_id).first()
    if link is None:
        raise Http404("No such link.")
    do_withdraw_link(link, acting_user=request.user)
    messages.success(request, _("The link no longer works."))
    return redirect("measures_overview", client_id=client.pk)
