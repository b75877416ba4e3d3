"""Sign-in, sign-out and lock-out go to the audit trail."""

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from iptcare.accounts.models import User
from iptcare.audit.events import record_event
from iptcare.audit.models import EventType


@receiver(user_logged_in)
def audit_login(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    record_event(EventType.LOGIN, actor=user)


@receiver(user_logged_out)
def audit_logout(sender: Any, request: Any, user: User | None, **kwargs: Any) -> None:
    quiet = getattr(request, "_idle_logout", False) or getattr(request, "_session_rejected", False)
    if user is not None and not quiet:
        record_event(EventType.LOGOUT, actor=user)


def _known_user(email: str) -> User | None:
    return User.objects.filter(email__iexact=email).select_related("organization").first() if email else None


@receiver(user_login_failed)
def audit_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    email = str(credentials.get("username") or credentials.get("email") or "")[:254]
    user = _known_user(email)
    record_event(
        EventType.LOGIN_FAILED,
        organization=user.organization if user else None,
        actor_label=email,
    )


@receiver(user_locked_out)
def audit_locked_out(sender: Any, request: Any, username: str | None, ip_address: str, **kwargs: Any) -> None:
    email = (username or "")[:254]
    user = _known_user(email)
    record_event(EventType.LOCKED_OUT, organization=user.organization if user else None, actor_label=email)
