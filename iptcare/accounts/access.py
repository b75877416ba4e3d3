"""Role checks for pages and API operations that are not about one client."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from iptcare.accounts.models import Role, Site, User


def require_role(*roles: str) -> Callable:
    """Signed-in staff of an organization holding one of `roles`; anyone else gets 403."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.organization_id or not user.has_role(*roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


require_admin = require_role(Role.ADMIN)


def require_staff(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed-in staff who belong to an organization (the platform operator's account does not)."""
    return require_role(*Role.values)(view)


def access_staff_by_id(acting_user: User, user_id: int) -> User:
    try:
        return User.objects.select_related("home_site").get(pk=user_id, organization_id=acting_user.organization_id)
    except (User.DoesNotExist, ValueError, TypeError):
        raise Http404("No staff member found.") from None


def access_site_by_id(acting_user: User, site_id: int) -> Site:
    try:
        return Site.objects.get(pk=site_id, organization_id=acting_user.organization_id)
    except (Site.DoesNotExist, ValueError, TypeError):
        raise Http404("No site found.") from None
