"""Signing in and out, the second factor, invitations, and a person's own account settings."""

from __future__ import annotations

import base64
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from iptcare.accounts.actions import do_create_token, do_revoke_token
from iptcare.accounts.forms import EmailAuthenticationForm, TokenCreateForm, TotpCodeForm
from iptcare.accounts.models import PersonalAccessToken
from iptcare.audit.events import record_event
from iptcare.audit.models import EventType

NEW_TOKEN_SESSION_KEY = "new_api_token"  # noqa: S105 (a session key name, not a secret)


class LoginView(auth_views.LoginView):
    form_class = EmailAuthenticationForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


def locked_out(request: HttpRequest, response: HttpResponse | None = None, credentials: Any = None) -> HttpResponse:
    """What django-axes shows when an account is locked after repeated failed sign-ins."""
    minutes = round(settings.AXES_COOLOFF_TIME * 60)
    form = EmailAuthenticationForm(request)
    context = {"form": form, "locked_out": True, "cooloff_minutes": minutes}
    return render(request, "accounts/login.html", context, status=429)


def lockout_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The account a sign-in attempt is counted against: the e-mail as stored (trimmed, lower case)."""
    source = credentials if credentials else request.POST
    return str(source.get("username") or "").strip().lower()


def _safe_next(request: HttpRequest, fallback: str = "home") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return str(reverse_lazy(fallback))


@login_required
def totp_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: show its QR code, then confirm with a first code."""
    user = request.user
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        messages.info(request, _("Your authenticator app is already set up."))
        return redirect("account_settings")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)
    form = TotpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            with transaction.atomic():
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                record_event(EventType.TOTP_ENABLED, actor=user)
            otp_login(request, device)
            messages.success(request, _("Two-step sign-in is on. You will be asked for a code each time you sign in."))
            return redirect(_safe_next(request))
        form.add_error("code", _("That code did not match. Check the time on your phone and try the newest code."))
    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=5, title=_("QR code for your authenticator app"))
    context = {
        "form": form,
        "qr_svg": qr_svg,
        "secret": base64.b32encode(device.bin_key).decode(),
        "required": user.is_org_admin,
        "next": request.GET.get("next", ""),
    }
    return render(request, "accounts/totp_setup.html", context)


@login_required
def totp_verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in for people with an authenticator app."""
    user = request.user
    devices = list(TOTPDevice.objects.filter(user=user, confirmed=True))
    if not devices:
        return redirect(_safe_next(request))
    form = TotpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        for device in devices:
            allowed, _info = device.verify_is_allowed()
            if allowed and device.verify_token(form.cleaned_data["code"]):
                otp_login(request, device)
                record_event(EventType.TOTP_VERIFIED, actor=user)
                return redirect(_safe_next(request))
        record_event(EventType.TOTP_FAILED, actor=user)
        form.add_error(
            "code",
            _("That code did not match, or there were too many tries. Wait a moment and use the newest code."),
        )
    return render(request, "accounts/totp_verify.html", {"form": form, "next": request.GET.get("next", "")})


@login_required
@require_POST
def totp_remove(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.is_verified():
        # Defence in depth: the middleware already keeps an unverified session away from this view.
        return redirect("totp_verify")
    if user.is_org_admin:
        messages.error(request, _("Admins must keep two-step sign-in on."))
        return redirect("account_settings")
    with transaction.atomic():
        deleted, _detail = TOTPDevice.objects.filter(user=user).delete()
        if deleted:
            record_event(EventType.TOTP_DISABLED, actor=user)
    messages.success(request, _("Two-step sign-in is off."))
    return redirect("account_settings")


@login_required
def account_settings(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = TokenCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _token, raw = do_create_token(
            user, name=form.cleaned_data["name"], expires_at=form.expires_at(), acting_user=user
        )
        # Shown once on the next page, then gone: a reload neither shows it again nor makes another token.
        request.session[NEW_TOKEN_SESSION_KEY] = raw
        return redirect("account_settings")
    new_token = request.session.pop(NEW_TOKEN_SESSION_KEY, None)
    context = {
        "form": form,
        "new_token": new_token,
        "tokens": PersonalAccessToken.objects.filter(user=user),
        "has_totp": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
    }
    return render(request, "accounts/settings.html", context)


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = PersonalAccessToken.objects.filter(user=request.user, pk=token_id).first()
    if token is None:
        raise Http404("No token found.")
    do_revoke_token(token, acting_user=request.user)
    messages.success(
        request,
        _("The token “%(name)s” is revoked; programs using it can no longer sign in.") % {"name": token.name},
    )
    return redirect("account_settings")


class AuditedPasswordSet:
    """Mixin for the views that set a password: the new password and its audit event commit together."""

    set_through = ""

    def form_valid(self, form: Any) -> HttpResponse:
        with transaction.atomic():
            response = super().form_valid(form)  # type: ignore[misc]
            record_event(EventType.PASSWORD_CHANGED, actor=form.user, extra={"via": self.set_through})
        return response


class PasswordResetConfirmView(AuditedPasswordSet, auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")
    set_through = "reset link"


class InvitationAcceptView(AuditedPasswordSet, auth_views.PasswordResetConfirmView):
    """An invited staff member chooses their password; the link works once and expires."""

    template_name = "accounts/invitation_accept.html"
    success_url = reverse_lazy("invitation_done")
    post_reset_login = False
    set_through = "invitation"


class PasswordChangeView(AuditedPasswordSet, auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("account_settings")
    set_through = "account settings"

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("Your password is changed."))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form: Any) -> HttpResponse:
        # Recorded without saying whether the address exists, like the page itself.
        record_event(EventType.PASSWORD_RESET_REQUESTED, actor_label=form.cleaned_data["email"])
        return super().form_valid(form)
