"""Consent pages under /clients/<client_id>/consents/: the consents with their status, the accounting of
disclosures, recording a consent, a new version or a revocation, and the printable consent form. Also the admin's
notice setting (mounted at /manage/disclosures/).

Reading needs a record the user may open (care team and supervisors); recording needs care-team membership.
Anything else answers 404, audited. Every page read is audited.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from iptcare.accounts.access import require_admin, require_staff
from iptcare.accounts.security import require_recent_password
from iptcare.audit.models import EventType
from iptcare.consent.access import access_consent_by_id, access_consent_history, can_record_consents
from iptcare.consent.actions import (
    do_change_consent,
    do_record_consent,
    do_revoke_consent,
    do_save_disclosure_settings,
    record_consent_read,
)
from iptcare.consent.forms import ConsentForm, DisclosureSettingsForm, RevocationForm, recipient_formset
from iptcare.consent.models import Consent, DisclosureSettings
from iptcare.consent.selectors import ConsentHistory, disclosures_of
from iptcare.consent.statements import REVOCATION_TEXT, STATEMENT_TEXTS
from iptcare.consent.summary import consent_summary
from iptcare.lib.notices import NoticeForm, current_notice
from iptcare.lib.paging import paginate, query_without_page


def _consent_url(consent: Consent, page: str = "") -> str:
    name = f"consent_{page}" if page else "consent_detail"
    return reverse(name, kwargs={"client_id": consent.client_id, "consent_id": consent.pk})


@require_staff
def consent_list(request: HttpRequest, client_id: int) -> HttpResponse:
    history = access_consent_history(request.user, client_id)
    client = history.client
    rows = history.rows()
    record_consent_read(EventType.CONSENTS_VIEWED, client, acting_user=request.user, count=len(rows))
    context = {
        "client": client,
        "rows": rows,
        "can_write": can_record_consents(request.user, client),
        "disclosure_count": client.disclosures.count(),
    }
    return render(request, "consent/consent_list.html", context)


@require_staff
def disclosure_list(request: HttpRequest, client_id: int) -> HttpResponse:
    """The accounting of disclosures: what left, to whom, why, under which consent, newest first."""
    history = access_consent_history(request.user, client_id)
    client = history.client
    page = paginate(request, disclosures_of(client), settings.PAGE_SIZE)
    record_consent_read(EventType.DISCLOSURES_VIEWED, client, acting_user=request.user, page=page.number)
    context = {"client": client, "page": page, "page_query": query_without_page(request)}
    return render(request, "consent/disclosure_list.html", context)


def _save_consent(request: HttpRequest, history: ConsentHistory, previous: Consent | None) -> HttpResponse:
    client = history.client
    data = request.POST if request.method == "POST" else None
    formset = recipient_formset(data, previous)
    recipients = formset.recipients() if data is not None and formset.is_valid() else None
    initial = ConsentForm.initial_from(previous) if previous else None
    if data is None and previous is not None:
        record_consent_read(EventType.CONSENT_VIEWED, client, acting_user=request.user, obj=previous, view="change")
    form = ConsentForm(data, organization=client.organization, recipients=recipients, initial=initial)
    if data is not None and form.is_valid() and recipients is not None:
        try:
            if previous is None:
                consent = do_record_consent(client, form.cleaned_data, recipients, acting_user=request.user)
                messages.success(request, _("The consent is recorded."))
            else:
                consent = do_change_consent(previous, form.cleaned_data, recipients, acting_user=request.user)
                messages.success(
                    request,
                    _("Version %(version)d is recorded; the previous one is kept.") % {"version": consent.version},
                )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            return redirect(_consent_url(consent))
    context = {
        "client": client,
        "form": form,
        "formset": formset,
        "previous": previous,
        "recipient_errors": form.errors.get("recipients"),
        "revocation_text": REVOCATION_TEXT,
    }
    return render(request, "consent/consent_form.html", context)


@require_staff
def consent_create(request: HttpRequest, client_id: int) -> HttpResponse:
    return _save_consent(request, access_consent_history(request.user, client_id, write=True), None)


@require_staff
def consent_change(request: HttpRequest, client_id: int, consent_id: int) -> HttpResponse:
    history, consent = access_consent_by_id(request.user, client_id, consent_id, write=True)
    if consent.superseded_at is not None or history.revocation_of(consent) is not None:
        messages.error(request, _("Only the current version of a consent that is not revoked can be changed."))
        return redirect(_consent_url(consent))
    return _save_consent(request, history, consent)


@require_staff
def consent_detail(request: HttpRequest, client_id: int, consent_id: int) -> HttpResponse:
    history, consent = access_consent_by_id(request.user, client_id, consent_id)
    record_consent_read(EventType.CONSENT_VIEWED, history.client, acting_user=request.user, obj=consent)
    status = history.status(consent)
    context = {
        "client": history.client,
        "consent": consent,
        "status": status,
        "versions": [(version, history.status(version)) for version in history.series(consent)],
        "revocation": history.revocation_of(consent),
        "summary": consent_summary(consent),
        "statements": [(key, STATEMENT_TEXTS[key]) for key in consent.acknowledged_statements],
        "revocation_text": REVOCATION_TEXT,
        "can_write": can_record_consents(request.user, history.client),
        "is_current": consent.superseded_at is None and history.revocation_of(consent) is None,
        "disclosures": list(consent.disclosures.select_related("disclosed_by")[:20]),
    }
    return render(request, "consent/consent_detail.html", context)


@require_staff
@require_recent_password
def consent_revoke(request: HttpRequest, client_id: int, consent_id: int) -> HttpResponse:
    history, consent = access_consent_by_id(request.user, client_id, consent_id, write=True)
    form = RevocationForm(request.POST if request.method == "POST" else None, consent=consent)
    if request.method != "POST":
        record_consent_read(
            EventType.CONSENT_VIEWED, history.client, acting_user=request.user, obj=consent, view="revoke"
        )
    if request.method == "POST" and form.is_valid():
        try:
            do_revoke_consent(consent, form.cleaned_data, acting_user=request.user)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("The consent is revoked from now on. Earlier disclosures stay on record."))
            return redirect(_consent_url(consent))
    context = {"client": history.client, "consent": consent, "form": form, "summary": consent_summary(consent)}
    return render(request, "consent/consent_revoke.html", context)


@require_staff
def consent_print(request: HttpRequest, client_id: int, consent_id: int) -> HttpResponse:
    """The consent form on paper, with the same content as the page: for the client's copy and the paper record."""
    history, consent = access_consent_by_id(request.user, client_id, consent_id)
    record_consent_read(EventType.CONSENT_PRINTED, history.client, acting_user=request.user, obj=consent)
    notice = DisclosureSettings.for_organization(history.client.organization_id).notice
    context = {
        "client": history.client,
        "consent": consent,
        "status": history.status(consent),
        "revocation": history.revocation_of(consent),
        "statements": [(key, STATEMENT_TEXTS[key]) for key in consent.acknowledged_statements],
        "revocation_text": REVOCATION_TEXT,
        "notice": notice,
        "printed_at": timezone.localtime(),
    }
    return render(request, "consent/consent_print.html", context)


@require_admin
def disclosure_settings(request: HttpRequest) -> HttpResponse:
    """The organization's notice: the short or the long form of 42 CFR §2.32(a), stamped on every disclosure."""
    current = DisclosureSettings.for_organization(request.user.organization_id)
    form = DisclosureSettingsForm(
        request.POST if request.method == "POST" else None, initial={"notice_form": current.notice_form}
    )
    if request.method == "POST" and form.is_valid():
        do_save_disclosure_settings(
            request.user.organization_id, form.cleaned_data["notice_form"], acting_user=request.user
        )
        messages.success(request, _("The notice setting is saved. Disclosures from now on carry the chosen form."))
        return redirect(request.path)
    context = {
        "form": form,
        "settings": current,
        "notices": [current_notice(form_value) for form_value in NoticeForm.values],
    }
    return render(request, "consent/disclosure_settings.html", context)
