"""Signing in and out, the second factor, invitations, and a person's own account settings."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urlsplit

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from iptcare.accounts.actions import do_create_token, do_revoke_token
from iptcare.accounts.forms import ConfirmPasswordForm, EmailAuthenticationForm, TokenCreateForm, TotpCodeForm
from iptcare.accounts.models import PersonalAccessToken
from iptcare.accounts.security import mark_reauthenticated, second_factor_required
from iptcare.audit.events import record_event
from iptcare.audit.models import EventType
from iptcare.lib import ratelimit
from iptcare.lib.ratelimit import failed_sign_in, rate_limit

NEW_TOKEN_SESSION_KEY = "new_api_token"  # noqa: S105 (a session key name, not a secret)


def _typed_email(request: HttpRequest, _kwargs: dict[str, Any]) -> str:
    return str(request.POST.get("email") or "").strip().lower()


# Per address, on top of axes (which locks one account from one address): many accounts tried from one address.
@method_decorator(rate_limit("login", methods=["POST"], count_if=failed_sign_in), name="dispatch")
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
        "required": second_factor_required(user),
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
    if second_factor_required(user):
        messages.error(request, _("Your role must keep two-step sign-in on."))
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
        "totp_required": second_factor_required(user),
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


@login_required
def confirm_password(request: HttpRequest) -> HttpResponse:
    """Give the password again (and the authenticator's code, if the person has one) before a sensitive action.

    Wrong answers are counted per person; past RATE_LIMITS["reauthentication"] the session ends, since whoever is
    at this browser does not know the password.
    """
    user = request.user
    devices = list(TOTPDevice.objects.filter(user=user, confirmed=True))
    form = ConfirmPasswordForm(request.POST or None, with_code=bool(devices))
    limiter_key = f"user:{user.pk}"
    if request.method == "POST":
        if ratelimit.is_limited("reauthentication", limiter_key):
            ratelimit.note_refusal("reauthentication", limiter_key, request=request)
            logout(request)
            return ratelimit.too_many_requests(request, "reauthentication")
        if form.is_valid():
            if _confirmed(user, devices, form.cleaned_data):
                mark_reauthenticated(request)
                # The page it was for, without its query (which may name a client).
                record_event(EventType.REAUTHENTICATED, actor=user, extra={"for": urlsplit(_safe_next(request)).path})
                return redirect(_safe_next(request))
            ratelimit.hit("reauthentication", limiter_key)
            record_event(EventType.REAUTHENTICATION_FAILED, actor=user)
            if devices:
                form.add_error(None, _("The password or the code is not right. Use the newest code from your app."))
            else:
                form.add_error("password", _("That is not your password."))
    context = {
        "form": form,
        "next": _safe_next(request),
        "with_code": bool(devices),
        "reauth_minutes": settings.REAUTH_MAX_AGE_MINUTES,
    }
    return render(request, "accounts/confirm_password.html", context)


def _confirmed(user: Any, devices: list[TOTPDevice], data: dict[str, Any]) -> bool:
    # Both are checked even when the password is wrong, so the answer's timing does not tell which one failed.
    password_ok = user.check_password(data["password"])
    if not devices:
        return password_ok
    code_ok = False
    for device in devices:
        allowed, _info = device.verify_is_allowed()
        if allowed and device.verify_token(data["code"]):
            code_ok = True
            break
    return password_ok and code_ok


class AuditedPasswordSet:
    """Mixin for the views that set a password: the new password and its audit event commit together."""

    set_through = ""

    def form_valid(self, form: Any) -> HttpResponse:
        with transaction.atomic():
            response = super().form_valid(form)  # type: ignore[misc]
            record_event(EventType.PASSWORD_CHANGED, actor=form.user, extra={"via": self.set_through})
        return response


# Reset and invitation links: each request from one address counts, so guessing links is slow and loud.
@method_decorator(rate_limit("account_link"), name="dispatch")
class PasswordResetConfirmView(AuditedPasswordSet, auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")
    set_through = "reset link"


@method_decorator(rate_limit("account_link"), name="dispatch")
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


# Every reset e-mail asked for counts: per address, and per e-mail address typed (so nobody's inbox is flooded).
@method_decorator(rate_limit("password_reset", methods=["POST"]), name="dispatch")
@method_decorator(rate_limit("password_reset_email", methods=["POST"], key=_typed_email), name="dispatch")
class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form: Any) -> HttpResponse:
        # Recorded without saying whether the address exists, like the page itself.
        record_event(EventType.PASSWORD_RESET_REQUESTED, actor_label=form.cleaned_data["email"])
        return super().form_valid(form)
