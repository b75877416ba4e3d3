"""The client's pages under /me/: sign-in and invitations, Today, the check-in, questionnaires, homework, the plan,
contacts, progress and settings.

Every page carries the organization's crisis line in its header. After an answer the result page is rendered in the
response to the POST itself: one round trip on a slow connection, and a safety message can never be lost in a
redirect. Sending the same answer again is harmless (the day's check-in is replaced; a questionnaire sent is no
longer waiting). Pages that show client data write an audit event.
"""

from __future__ import annotations

import datetime as dt
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from iptcare.accounts.models import Organization
from iptcare.audit.events import record_event
from iptcare.audit.models import AuditEvent, EventType
from iptcare.lib.ratelimit import failed_sign_in, rate_limit
from iptcare.measures.forms import InstrumentForm
from iptcare.measures.instruments import get_instrument
from iptcare.portal.actions import (
    InvitationUsed,
    do_answer_homework,
    do_change_password,
    do_portal_check_in,
    do_portal_questionnaire,
    do_save_preferences,
    do_set_up_account,
    do_sign_out_everywhere,
    record_invitation_refused,
    record_portal_view,
    resolve_invitation,
)
from iptcare.portal.auth import (
    SESSION_KEY,
    check_credentials,
    current_account,
    end_session,
    require_client,
    start_session,
)
from iptcare.portal.charts import mood_chart
from iptcare.portal.forms import (
    CheckInForm,
    CodeForm,
    HomeworkForm,
    PasswordChangeForm,
    PreferencesForm,
    SetUpForm,
    SignInForm,
)
from iptcare.portal.models import LOCK_MINUTES, ClientAccount, InvitationMethod, PortalInvitation
from iptcare.portal.selectors import (
    clinic_line,
    crisis_lines,
    current_homework,
    due_questionnaires,
    header_crisis_line,
    plans_for_client,
    progress_for,
    support_contacts,
    today_for,
    todays_check_in,
)

INVITATION_SESSION_KEY = "portal_invitation"
LANGUAGE_SESSION_KEY = "portal_language"
# Wrong codes from one address in CODE_WINDOW before the code page stops checking (codes are 10 characters from an
# alphabet of 25, so guessing is hopeless anyway; this keeps the audit trail from filling with attempts).
CODE_TRIES = 10
CODE_WINDOW = dt.timedelta(minutes=15)


def _render(
    request: HttpRequest, template: str, context: dict[str, Any] | None = None, *, status: int = 200
) -> HttpResponse:
    account: ClientAccount | None = getattr(request, "client_account", None)
    organization = account.client.organization if account else Organization(slug="")
    base = {
        "account": account,
        "crisis": header_crisis_line(organization),
        "show_progress": bool(account and account.portal_settings.show_progress),
    }
    return render(request, template, {**base, **(context or {})}, status=status)


def _public(view: Any) -> Any:
    """Pages before sign-in: in the language the client picked on them (?lang=es), else the browser's."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        chosen = request.GET.get("lang")
        if chosen in dict(_languages()):
            request.session[LANGUAGE_SESSION_KEY] = chosen
        language = request.session.get(LANGUAGE_SESSION_KEY) or translation.get_language()
        with translation.override(language):
            request.LANGUAGE_CODE = language
            response = view(request, *args, **kwargs)
        response["Content-Language"] = language
        response["Cache-Control"] = "no-store"
        return response

    return wrapped


def _languages() -> list[tuple[str, str]]:
    return list(settings.LANGUAGES)


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/me/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return "/me/"


# ---------------------------------------------------------------------------------------------------- signing in


@_public
@rate_limit("portal_login", methods=["POST"], count_if=failed_sign_in)
def sign_in(request: HttpRequest) -> HttpResponse:
    if current_account(request) is not None:
        return redirect(_safe_next(request))
    form = SignInForm(request.POST or None)
    status = 200
    locked = False
    if request.method == "POST" and form.is_valid():
        result = check_credentials(form.cleaned_data["login_name"], form.cleaned_data["password"])
        if result.outcome == "ok" and result.account is not None:
            language = result.account.language
            start_session(request, result.account)
            with translation.override(language):
                messages.success(request, _("Welcome back."))
            return redirect(_safe_next(request))
        if result.outcome == "locked":
            locked, status = True, 429
        else:
            form.add_error(None, _("The sign-in name or the password is not right. Please try again."))
    context = {
        "form": form,
        "locked": locked,
        "lock_minutes": LOCK_MINUTES,
        "idle": request.GET.get("idle") == "1",
        "staff_signed_in": request.user.is_authenticated,
        "next": _safe_next(request),
        "languages": _languages(),
    }
    return _render(request, "portal/login.html", context, status=status)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    account = current_account(request)
    language = account.language if account else translation.get_language()
    if account is not None:
        record_event(EventType.PORTAL_LOGOUT, client=account.client, actor_label=account.audit_label)
    end_session(request)
    request.session[LANGUAGE_SESSION_KEY] = language
    with translation.override(language):
        messages.info(request, _("You are signed out."))
    return redirect("portal_login")


@_public
@rate_limit("portal_invitation", methods=["POST"])
def start(request: HttpRequest) -> HttpResponse:
    """Entering the one-time code from a printed invitation."""
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if _too_many_code_tries(request):
            form.add_error(None, _("Too many tries. Please wait 15 minutes, or ask your care team for help."))
            status = 429
        else:
            invitation = resolve_invitation(form.cleaned_data["code"], InvitationMethod.CODE)
            if invitation is None:
                record_invitation_refused(InvitationMethod.CODE)
                form.add_error(
                    "code",
                    _(
                        "This code does not work. It may be mistyped, already used, or expired (codes work for 72 "
                        "hours). Please check it, or ask your care team for a new one."
                    ),
                )
            else:
                return _begin_set_up(request, invitation)
    return _render(request, "portal/start.html", {"form": form, "languages": _languages()}, status=status)


def _too_many_code_tries(request: HttpRequest) -> bool:
    address = request.META.get("REMOTE_ADDR")
    # Refusals belong to no organization; filtering on that lets the (organization, type, time) index serve this.
    recent = AuditEvent.objects.filter(
        organization__isnull=True,
        event_type=EventType.PORTAL_INVITATION_REFUSED,
        ip_address=address,
        created_at__gte=timezone.now() - CODE_WINDOW,
    )
    return recent.count() >= CODE_TRIES


@_public
@rate_limit("portal_invitation")
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The e-mailed link. It leads straight on to choosing a password, so the token leaves the address bar."""
    found = resolve_invitation(token, InvitationMethod.EMAIL)
    if found is None:
        record_invitation_refused(InvitationMethod.EMAIL)
        return _render(request, "portal/invitation_gone.html", status=410)
    return _begin_set_up(request, found)


def _begin_set_up(request: HttpRequest, invitation: PortalInvitation) -> HttpResponse:
    language = request.session.get(LANGUAGE_SESSION_KEY)
    # A new session: whoever used this browser before (a staff member, another client) is signed out.
    request.session.flush()
    request.session[INVITATION_SESSION_KEY] = invitation.pk
    if language:
        request.session[LANGUAGE_SESSION_KEY] = language
    return redirect("portal_set_up")


@_public
def set_up(request: HttpRequest) -> HttpResponse:
    found = (
        PortalInvitation.objects.usable()
        .select_related("client__organization")
        .filter(pk=request.session.get(INVITATION_SESSION_KEY) or 0)
        .first()
    )
    if found is None:
        return _render(request, "portal/invitation_gone.html", status=410)
    existing = ClientAccount.objects.filter(client=found.client).first()
    initial = {
        "login_name": existing.login_name if existing else found.client.email,
        "language": existing.language if existing else translation.get_language(),
    }
    form = SetUpForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            account = do_set_up_account(
                found,
                login_name=form.cleaned_data["login_name"],
                password=form.cleaned_data["new_password"],
                language=form.cleaned_data["language"],
            )
        except InvitationUsed:
            return _render(request, "portal/invitation_gone.html", status=410)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            start_session(request, account, via="invitation")
            with translation.override(account.language):
                messages.success(
                    request, _("Your password is set. This is your page: it shows what is waiting for you.")
                )
            return redirect("portal_today")
    return _render(request, "portal/set_up.html", {"form": form, "resetting": existing is not None})


def _add_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error)


# ---------------------------------------------------------------------------------------------------- today


@require_client
def today(request: HttpRequest) -> HttpResponse:
    account = request.client_account
    client = account.client
    record_portal_view(account, "today")
    context = {"today": today_for(client), "first_name": client.preferred_name or client.given_name}
    return _render(request, "portal/today.html", context)


@require_client
def check_in(request: HttpRequest) -> HttpResponse:
    account = request.client_account
    client = account.client
    existing = todays_check_in(client)
    initial: dict[str, Any] = {}
    if existing is not None:
        initial = {
            "mood": existing.mood,
            "craving": existing.craving,
            "used": "yes" if existing.used else "no",
            "substances": existing.substances,
            "interpersonal_event": existing.interpersonal_event,
            "person": existing.person_id,
        }
    form = CheckInForm(request.POST or None, client=client, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved, outcome = do_portal_check_in(account, form.check_in_data())
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return _render(request, "portal/check_in_done.html", {"check_in": saved, "outcome": outcome})
    else:
        record_portal_view(account, "check_in", obj=existing)
    return _render(request, "portal/check_in.html", {"form": form, "existing": existing})


@require_client
def questionnaire(request: HttpRequest, code: str) -> HttpResponse:
    account = request.client_account
    client = account.client
    waiting = {item.code for item in due_questionnaires(client)}
    try:
        instrument = get_instrument(code)
    except KeyError:
        instrument = None
    if instrument is None or instrument.code not in waiting:
        messages.info(request, _("This questionnaire is not waiting for you at the moment. Thank you."))
        return redirect("portal_today")
    form = InstrumentForm(request.POST or None, instrument=instrument, for_client=True)
    if request.method == "POST" and form.is_valid():
        _administration, outcome = do_portal_questionnaire(account, instrument.code, form.answers())
        return _render(request, "portal/questionnaire_done.html", {"outcome": outcome})
    if request.method == "GET":
        record_portal_view(account, "questionnaire")
    context = {
        "instrument": instrument,
        "form": form,
        # Questionnaires are shown as published: a translation must be a validated one (see docs/portal.md).
        "not_in_your_language": not translation.get_language().startswith("en"),
    }
    return _render(request, "portal/questionnaire.html", context)


@require_client
def homework(request: HttpRequest) -> HttpResponse:
    account = request.client_account
    current = current_homework(account.client)
    if current is None:
        messages.info(request, _("There is no homework from your last session."))
        return redirect("portal_today")
    initial = (
        {"done": "yes" if current.answer.done else "no", "comment": current.answer.comment} if current.answer else {}
    )
    form = HomeworkForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        do_answer_homework(account, current.note, done=form.cleaned_data["done"], comment=form.cleaned_data["comment"])
        messages.success(request, _("Thank you. Your therapist will see your answer."))
        return redirect("portal_today")
    if request.method == "GET":
        record_portal_view(account, "homework", obj=current.note)
    return _render(request, "portal/homework.html", {"homework": current, "form": form})


# ------------------------------------------------------------------------------------ plan, contacts, progress


@require_client
def plan(request: HttpRequest) -> HttpResponse:
    account = request.client_account
    plans = plans_for_client(account.client)
    record_portal_view(account, "plan")
    return _render(request, "portal/plan.html", {"plans": plans})


@require_client
def contacts(request: HttpRequest) -> HttpResponse:
    account = request.client_account
    client = account.client
    record_portal_view(account, "contacts")
    context = {
        "people": support_contacts(client),
        "clinic": clinic_line(client),
        "lines": crisis_lines(client.organization),
    }
    return _render(request, "portal/contacts.html", context)


@require_client
def progress(request: HttpRequest) -> HttpResponse:
    account = request.client_account
    if not account.portal_settings.show_progress:
        return redirect("portal_today")
    record_portal_view(account, "progress")
    found = progress_for(account.client)
    return _render(request, "portal/progress.html", {"progress": found, "chart": mood_chart(found.moods)})


# ---------------------------------------------------------------------------------------------------- settings


@require_client
def preferences(request: HttpRequest) -> HttpResponse:
    account = request.client_account
    form = PreferencesForm(
        request.POST or None, initial={"language": account.language, "wants_reminders": account.wants_reminders}
    )
    if request.method == "POST" and form.is_valid():
        do_save_preferences(
            account, language=form.cleaned_data["language"], wants_reminders=form.cleaned_data["wants_reminders"]
        )
        with translation.override(account.language):
            messages.success(request, _("Your settings are saved."))
        return redirect("portal_preferences")
    context = {
        "form": form,
        "password_form": PasswordChangeForm(account=account),
        "has_email": bool(account.client.email),
    }
    return _render(request, "portal/settings.html", context)


@require_client
@require_POST
def change_password(request: HttpRequest) -> HttpResponse:
    account = request.client_account
    form = PasswordChangeForm(request.POST, account=account)
    if form.is_valid():
        do_change_password(account, form.cleaned_data["new_password"])
        # This session stays signed in; every other one ends.
        request.session[SESSION_KEY] = {**request.session[SESSION_KEY], "generation": account.session_generation}
        messages.success(
            request, _("Your password is changed. Any other device where you were signed in is now signed out.")
        )
        return redirect("portal_preferences")
    preferences_form = PreferencesForm(
        initial={"language": account.language, "wants_reminders": account.wants_reminders}
    )
    context = {"form": preferences_form, "password_form": form, "has_email": bool(account.client.email)}
    return _render(request, "portal/settings.html", context, status=400)


@require_client
@require_POST
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    account = request.client_account
    do_sign_out_everywhere(account)
    end_session(request)
    request.session[LANGUAGE_SESSION_KEY] = account.language
    messages.info(request, _("You are signed out on every phone and computer."))
    return redirect("portal_login")
