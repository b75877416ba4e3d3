"""The organization admin's pages: staff (invite, roles, supervisors, deactivate), sites and security settings.

Inviting, changing a person's roles and supervisors, and the security settings open or widen access to client
records: they ask for the admin's password again first (require_recent_password).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from iptcare.accounts.access import access_site_by_id, access_staff_by_id, require_admin
from iptcare.accounts.actions import (
    do_deactivate_staff,
    do_invite_staff,
    do_reactivate_staff,
    do_resend_invitation,
    do_save_security_settings,
    do_save_site,
    do_update_staff,
)
from iptcare.accounts.forms import SecuritySettingsForm, SiteForm, StaffForm, StaffInviteForm
from iptcare.accounts.models import Membership, Role, SecuritySettings, Site, User
from iptcare.accounts.security import require_recent_password
from iptcare.lib.paging import paginate, query_without_page


@require_admin
def staff_list(request: HttpRequest) -> HttpResponse:
    org = request.user.organization
    staff = (
        User.objects.filter(organization=org)
        .select_related("home_site")
        .prefetch_related(Prefetch("memberships", queryset=Membership.objects.order_by("role")))
        .order_by("-is_active", "full_name")
    )
    query = request.GET.get("q", "").strip()
    if query:
        staff = staff.filter(Q(full_name__icontains=query) | Q(email__icontains=query))
    role = request.GET.get("role", "")
    if role in Role.values:
        staff = staff.filter(memberships__role=role)
    state = request.GET.get("state", "active")
    if state == "active":
        staff = staff.filter(is_active=True)
    elif state == "inactive":
        staff = staff.filter(is_active=False)
    context = {
        "page": paginate(request, staff, 50),
        "query": query,
        "role": role,
        "state": state,
        "roles": Role.choices,
        "page_query": query_without_page(request),
    }
    return render(request, "accounts/staff_list.html", context)


@require_admin
@require_recent_password
def staff_invite(request: HttpRequest) -> HttpResponse:
    org = request.user.organization
    form = StaffInviteForm(request.POST or None, organization=org, acting_user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = do_invite_staff(
            organization=org,
            email=data["email"],
            full_name=data["full_name"],
            roles=data["roles"],
            home_site=data["home_site"],
            supervisors=data["supervisors"],
            acting_user=request.user,
            base_url=request.build_absolute_uri("/")[:-1],
        )
        messages.success(
            request,
            _("Invitation sent to %(email)s. The link is valid for three days.") % {"email": user.email},
        )
        return redirect("staff_list")
    return render(request, "accounts/staff_form.html", {"form": form, "inviting": True})


@require_admin
@require_recent_password
def staff_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    staff = access_staff_by_id(request.user, user_id)
    form = StaffForm(
        request.POST or None, organization=request.user.organization, acting_user=request.user, staff=staff
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            do_update_staff(
                staff,
                full_name=data["full_name"],
                roles=data["roles"],
                home_site=data["home_site"],
                supervisors=data["supervisors"],
                acting_user=request.user,
            )
        except ValidationError as error:
            form.add_error("roles", error)
        else:
            messages.success(request, _("Saved the changes to %(name)s.") % {"name": staff.full_name})
            return redirect("staff_list")
    return render(request, "accounts/staff_form.html", {"form": form, "staff": staff, "inviting": False})


@require_admin
def staff_deactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    """GET asks for confirmation; POST deactivates."""
    staff = access_staff_by_id(request.user, user_id)
    error = None
    if request.method == "POST":
        try:
            do_deactivate_staff(staff, acting_user=request.user)
        except ValidationError as exc:
            error = exc.messages[0]
        else:
            messages.success(request, _("%(name)s can no longer sign in.") % {"name": staff.full_name})
            return redirect("staff_list")
    return render(request, "accounts/staff_deactivate.html", {"staff": staff, "error": error})


@require_admin
@require_POST
def staff_reactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    staff = access_staff_by_id(request.user, user_id)
    do_reactivate_staff(staff, acting_user=request.user)
    messages.success(request, _("%(name)s can sign in again.") % {"name": staff.full_name})
    return redirect("staff_list")


@require_admin
@require_POST
def staff_resend_invitation(request: HttpRequest, user_id: int) -> HttpResponse:
    staff = access_staff_by_id(request.user, user_id)
    try:
        do_resend_invitation(staff, acting_user=request.user, base_url=request.build_absolute_uri("/")[:-1])
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("A new invitation is on its way to %(email)s.") % {"email": staff.email})
    return redirect("staff_list")


@require_admin
def site_list(request: HttpRequest) -> HttpResponse:
    sites = Site.objects.filter(organization=request.user.organization).order_by("-is_active", "name")
    return render(request, "accounts/site_list.html", {"sites": sites})


@require_admin
def site_edit(request: HttpRequest, site_id: int | None = None) -> HttpResponse:
    org = request.user.organization
    site = access_site_by_id(request.user, site_id) if site_id else Site(organization=org)
    form = SiteForm(request.POST or None, instance=site, organization=org)
    if request.method == "POST" and form.is_valid():
        do_save_site(site, form.cleaned_data, acting_user=request.user)
        messages.success(request, _("Saved the site %(name)s.") % {"name": site.name})
        return redirect("site_list")
    return render(request, "accounts/site_form.html", {"form": form, "site": site})


@require_admin
@require_recent_password
def security_settings(request: HttpRequest) -> HttpResponse:
    """Which roles must use two-step sign-in (admins always)."""
    org_id = request.user.organization_id
    current = SecuritySettings.for_organization(org_id)
    form = SecuritySettingsForm(
        request.POST if request.method == "POST" else None,
        initial={"second_factor_roles": sorted(current.roles_needing_second_factor)},
    )
    if request.method == "POST" and form.is_valid():
        changed = do_save_security_settings(
            org_id, second_factor_roles=form.cleaned_data["second_factor_roles"], acting_user=request.user
        )
        if changed:
            messages.success(
                request,
                _("Saved. People with the ticked roles set up two-step sign-in the next time they open a page."),
            )
        else:
            messages.info(request, _("Nothing changed."))
        return redirect("security_settings")
    staff = User.objects.filter(organization_id=org_id, is_active=True).prefetch_related("memberships")
    with_device = set(
        TOTPDevice.objects.filter(user__organization_id=org_id, confirmed=True).values_list("user_id", flat=True)
    )
    required = current.roles_needing_second_factor
    without = [
        person
        for person in staff
        if person.pk not in with_device and {m.role for m in person.memberships.all()} & required
    ]
    context = {"form": form, "settings": current, "without_second_factor": without}
    return render(request, "accounts/security_settings.html", context)
