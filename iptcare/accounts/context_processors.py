"""What every page's header needs: the navigation for the signed-in person's roles."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from iptcare.accounts.models import Role
from iptcare.emergency.access import may_break_glass


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    items: list[tuple[str, str]] = []
    pending = getattr(request, "second_factor_pending", True)
    if user is not None and user.is_authenticated and user.organization_id and not pending:
        items.append((_("Caseload"), reverse("caseload")))
        if user.has_role(Role.THERAPIST, Role.COUNSELLOR, Role.SUPERVISOR):
            items.append((_("My sessions"), reverse("sessions_day")))
        items.append((_("Groups"), reverse("group_list")))
        if may_break_glass(user):
            items.append((_("Emergency access"), reverse("break_glass")))
        if user.has_role(Role.ADMIN):
            items += [
                (_("Staff"), reverse("staff_list")),
                (_("Sites"), reverse("site_list")),
                (_("Audit trail"), reverse("audit_list")),
                (_("Measures"), reverse("measure_settings")),
                (_("Session notes"), reverse("note_settings")),
                (_("Client portal"), reverse("portal_admin_settings")),
                (_("Disclosures"), reverse("disclosure_settings")),
                (_("Security"), reverse("security_settings")),
                (_("Emergency access"), reverse("emergency_queue")),
            ]
        items.append((_("My account"), reverse("account_settings")))
    return {"nav_items": items, "idle_timeout_minutes": settings.IDLE_TIMEOUT_MINUTES}
