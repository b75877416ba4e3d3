"""Emergency access pages.

/emergency/ — break the glass: the client identifier, a reason and a justification, then a confirmation.
/emergency/<id>/ — one emergency access, for the person who used it, the client's care team and the admins.
/emergency/<id>/end/ — end it now (POST).
/manage/emergency-access/ — the admins' review queue, the review itself and the duration setting.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from iptcare.accounts.access import require_admin, require_staff
from iptcare.audit.events import record_event
from iptcare.audit.models import EventType
from iptcare.clients.models import Client
from iptcare.emergency.access import (
    access_grant_by_id,
    active_grant,
    find_client,
    is_admin,
    may_break_glass,
    may_end,
    may_review,
)
from iptcare.emergency.actions import (
    REFUSED_ROLE,
    REFUSED_UNKNOWN_CLIENT,
    do_end_emergency_access,
    do_grant_emergency_access,
    do_review_emergency_access,
    do_save_emergency_settings,
    record_refusal,
)
from iptcare.emergency.forms import (
    UNKNOWN_CLIENT_MESSAGE,
    EmergencyAccessForm,
    EmergencySettingsForm,
    QueueFilterForm,
    ReviewForm,
)
from iptcare.emergency.models import EmergencyAccess, EmergencyAccessSettings, EmergencyReason
from iptcare.emergency.selectors import audit_trail_url, own_accesses, review_queue
from iptcare.lib.paging import paginate, query_without_page


def _time(moment: Any) -> str:
    return date_format(timezone.localtime(moment), "H:i")


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")[:-1]


@require_staff
def break_glass(request: HttpRequest) -> HttpResponse:
    """GET shows the form; POST checks it and asks for confirmation; a confirmed POST opens the record."""
    user = request.user
    if not may_break_glass(user):
        if request.method == "POST":
            record_refusal(user, REFUSED_ROLE, identifier=request.POST.get("identifier", ""))
        raise PermissionDenied(_("Admins review emergency accesses; they do not use them."))
    duration = EmergencyAccessSettings.for_organization(user.organization_id).duration
    data = request.POST if request.method == "POST" else None
    form = EmergencyAccessForm(data, initial={"identifier": request.GET.get("identifier", "")[:40]})
    action = request.POST.get("action", "check")
    if data is not None and form.is_valid() and action != "edit":
        cleaned = form.cleaned_data
        client = find_client(user, cleaned["identifier"])
        if client is None:
            record_refusal(user, REFUSED_UNKNOWN_CLIENT, identifier=cleaned["identifier"])
            form.add_error("identifier", UNKNOWN_CLIENT_MESSAGE)
        else:
            answer = _already_open(request, client)
            if answer is not None:
                return answer
            if action == "confirm":
                do_grant_emergency_access(
                    user,
                    client,
                    reason=cleaned["reason"],
                    justification=cleaned["justification"],
                    base_url=_base_url(request),
                )
                # The banner on every page of the record says the rest: read only, until when, how to end it.
                return redirect("client_detail", client_id=client.pk)
            context = {
                "form": form,
                "reason_label": EmergencyReason(cleaned["reason"]).label,
                "duration_minutes": int(duration.total_seconds() // 60),
                "ends_at": timezone.now() + duration,
            }
            return render(request, "emergency/confirm.html", context)
    context = {
        "form": form,
        "duration_minutes": int(duration.total_seconds() // 60),
        "own": list(own_accesses(user)[:10]),
    }
    return render(request, "emergency/break_glass.html", context)


def _already_open(request: HttpRequest, client: Client) -> HttpResponse | None:
    """Someone who can already open the record goes straight to it: no emergency access is recorded."""
    grant = active_grant(request.user, client)
    if grant is not None:
        messages.info(
            request,
            _("Your emergency access to this record is open until %(time)s.") % {"time": _time(grant.expires_at)},
        )
        return redirect("client_detail", client_id=client.pk)
    if Client.objects.openable_by(request.user).filter(pk=client.pk).exists():
        messages.info(request, _("You can open this record already: no emergency access is needed."))
        return redirect("client_detail", client_id=client.pk)
    return None


def _detail_context(request: HttpRequest, grant: EmergencyAccess, review_form: ReviewForm | None = None) -> dict:
    user = request.user
    admin = is_admin(user)
    can_review = may_review(user, grant)
    return {
        "grant": grant,
        "is_admin": admin,
        "is_holder": grant.user_id == user.pk,
        "can_end": may_end(user, grant),
        "can_review": can_review,
        "review_form": review_form or (ReviewForm(prefix=f"review-{grant.pk}") if can_review else None),
        "audit_url": audit_trail_url(grant) if admin else "",
        "can_open_client": Client.objects.openable_by(user).filter(pk=grant.client_id).exists(),
    }


@require_staff
def access_detail(request: HttpRequest, grant_id: int) -> HttpResponse:
    grant = access_grant_by_id(request.user, grant_id)
    # The page names the client and the justification: reading it is audited like a client read.
    record_event(
        EventType.AUDIT_VIEWED, actor=request.user, client=grant.client, obj=grant, extra={"kind": "emergency"}
    )
    return render(request, "emergency/access_detail.html", _detail_context(request, grant))


@require_POST
@require_staff
def access_end(request: HttpRequest, grant_id: int) -> HttpResponse:
    grant = access_grant_by_id(request.user, grant_id)
    if grant.user_id != request.user.pk and not is_admin(request.user):
        raise PermissionDenied(_("Only the person who used it or an admin ends an emergency access."))
    try:
        do_end_emergency_access(grant, acting_user=request.user)
    except ValidationError as error:
        messages.info(request, error.messages[0])
    else:
        messages.success(request, _("The emergency access has ended."))
    if grant.user_id == request.user.pk:
        return redirect("break_glass")
    return redirect("emergency_access_detail", grant_id=grant.pk)


@require_admin
def review_queue_page(request: HttpRequest) -> HttpResponse:
    form = QueueFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    page = paginate(request, review_queue(request.user.organization_id, status), settings.PAGE_SIZE)
    for grant in page.object_list:
        grant.audit_url = audit_trail_url(grant)
        grant.can_end = may_end(request.user, grant)
        grant.review_form = ReviewForm(prefix=f"review-{grant.pk}") if may_review(request.user, grant) else None
    context = {
        "form": form,
        "status": status,
        "page": page,
        "page_query": query_without_page(request),
        "settings": EmergencyAccessSettings.for_organization(request.user.organization_id),
    }
    record_event(
        EventType.AUDIT_VIEWED,
        actor=request.user,
        extra={"kind": "emergency_queue", "client_ids": sorted({grant.client_id for grant in page.object_list})},
    )
    return render(request, "emergency/queue.html", context)


@require_POST
@require_admin
def review(request: HttpRequest, grant_id: int) -> HttpResponse:
    grant = access_grant_by_id(request.user, grant_id)
    form = ReviewForm(request.POST, prefix=f"review-{grant.pk}")
    if form.is_valid():
        try:
            do_review_emergency_access(
                grant, outcome=form.cleaned_data["outcome"], note=form.cleaned_data["note"], acting_user=request.user
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.error(request, error.messages[0])
                return redirect("emergency_access_detail", grant_id=grant.pk)
        else:
            messages.success(request, _("The emergency access is marked reviewed."))
            return redirect("emergency_queue")
    return render(request, "emergency/access_detail.html", _detail_context(request, grant, review_form=form))


@require_admin
def emergency_settings(request: HttpRequest) -> HttpResponse:
    current = EmergencyAccessSettings.for_organization(request.user.organization_id)
    form = EmergencySettingsForm(
        request.POST if request.method == "POST" else None, initial={"duration_minutes": current.duration_minutes}
    )
    if request.method == "POST" and form.is_valid():
        do_save_emergency_settings(
            request.user.organization_id, form.cleaned_data["duration_minutes"], acting_user=request.user
        )
        messages.success(request, _("Saved. Emergency accesses opened from now on last this long."))
        return redirect("emergency_settings")
    return render(request, "emergency/settings.html", {"form": form, "settings": current})
