"""Staff pages for the portal: a client's portal access (invite, print a code, turn off) and the admin's settings.

Inviting and turning access off need care-team membership (a record the person may change); "not yours" is 404.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from iptcare.accounts.access import require_admin, require_staff
from iptcare.audit.events import record_event
from iptcare.audit.models import EventType
from iptcare.clients.access import access_client_by_id
from iptcare.portal.actions import do_invite_client, do_save_portal_settings, do_turn_off_access
from iptcare.portal.forms import InvitationMethodForm, PortalSettingsForm, language_choices
from iptcare.portal.models import ClientAccount, HomeworkAnswer, InvitationMethod, PortalInvitation, PortalSettings
from iptcare.portal.selectors import header_crisis_line

NEW_CODE_SESSION_KEY = "portal_new_code"


@require_staff
def portal_access(request: HttpRequest, client_id: int) -> HttpResponse:
    client = access_client_by_id(request.user, client_id, write=True)
    if request.method == "POST":
        form = InvitationMethodForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose how to invite the client."))
            return redirect("portal_access", client_id=client.pk)
        method = form.cleaned_data["method"]
        try:
            invitation, raw = do_invite_client(
                client, method, acting_user=request.user, base_url=request.build_absolute_uri("/")[:-1]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("portal_access", client_id=client.pk)
        if method == InvitationMethod.CODE:
            language = request.POST.get("language")
            # Shown once on the next page, then gone; only a keyed digest is stored.
            request.session[NEW_CODE_SESSION_KEY] = {
                "client": client.pk,
                "code": raw,
                "expires": invitation.expires_at.isoformat(),
                "language": language if language in dict(language_choices()) else "en",
            }
            return redirect("portal_access_code", client_id=client.pk)
        messages.success(
            request,
            _("The invitation is on its way to %(email)s. The link works once, for 72 hours.")
            % {"email": client.email},
        )
        return redirect("portal_access", client_id=client.pk)
    record_event(EventType.PORTAL_ACCESS_VIEWED, actor=request.user, client=client, obj=client)
    context = {
        "client": client,
        "account": ClientAccount.objects.filter(client=client).first(),
        "invitations": list(PortalInvitation.objects.filter(client=client).select_related("created_by")[:5]),
        "homework_answers": list(
            HomeworkAnswer.objects.filter(client=client).select_related("note__session").order_by("-updated_at")[:3]
        ),
        "languages": language_choices(),
        "now": timezone.now(),
    }
    return render(request, "portal/staff/access.html", context)


@require_staff
def portal_access_code(request: HttpRequest, client_id: int) -> HttpResponse:
    """The printable one-time code, shown once."""
    client = access_client_by_id(request.user, client_id, write=True)
    shown = request.session.pop(NEW_CODE_SESSION_KEY, None)
    if not shown or shown.get("client") != client.pk:
        messages.info(request, _("A code is shown only once. Create a new one if the client needs it."))
        return redirect("portal_access", client_id=client.pk)
    expires = timezone.localtime(dt.datetime.fromisoformat(shown["expires"]))
    with translation.override(shown["language"]):
        context = {
            "code": PortalInvitation.shown_code(shown["code"]),
            "expires": expires,
            "start_url": request.build_absolute_uri(reverse("portal_start")),
            "crisis": header_crisis_line(client.organization),
            "back": reverse("portal_access", kwargs={"client_id": client.pk}),
            "handout_language": shown["language"],
        }
        response = render(request, "portal/staff/code.html", context)
    response["Cache-Control"] = "no-store"
    return response


@require_staff
@require_POST
def portal_access_turn_off(request: HttpRequest, client_id: int) -> HttpResponse:
    client = access_client_by_id(request.user, client_id, write=True)
    account = ClientAccount.objects.filter(client=client, is_active=True).first()
    if account is not None:
        do_turn_off_access(account, acting_user=request.user)
        messages.success(request, _("Portal access is off. The client is signed out everywhere."))
    return redirect("portal_access", client_id=client.pk)


@require_admin
def portal_settings(request: HttpRequest) -> HttpResponse:
    """The organization admin's page: progress charts for clients, reminders and quiet hours, idle log-off."""
    organization_id = request.user.organization_id
    current = PortalSettings.for_organization(organization_id)
    form = PortalSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        do_save_portal_settings(organization_id, form.cleaned_data, acting_user=request.user)
        messages.success(request, _("Portal settings saved."))
        return redirect("portal_admin_settings")
    return render(request, "portal/staff/settings.html", {"form": form})
