"""Two-step sign-in by role: admins always, other roles when the organization says so (/manage/security/)."""

from __future__ import annotations

import re

from django.test import Client as HttpClient
from django_otp.plugins.otp_totp.models import TOTPDevice

from iptcare.accounts.models import Organization, Role, SecuritySettings, User
from iptcare.accounts.security import second_factor_required
from iptcare.audit.models import AuditEvent, EventType
from tests.conftest import PASSWORD, bearer, confirm_password, sign_in

PAGE = "/manage/security/"


def require_for(eve: User, *roles: str):
    return confirm_password(sign_in(eve)).post(PAGE, {"second_factor_roles": list(roles)})


def password_sign_in(user: User) -> HttpClient:
    http = HttpClient()
    assert http.post("/accounts/login/", {"username": user.email, "password": PASSWORD}).status_code == 302
    return http


def test_by_default_only_admins_must(north: Organization, alice: User, eve: User, dan: User) -> None:
    assert SecuritySettings.for_organization(north.pk).roles_needing_second_factor == {Role.ADMIN}
    assert second_factor_required(eve) and not second_factor_required(alice) and not second_factor_required(dan)
    # The demo's clinicians get in with their password alone.
    assert password_sign_in(alice).get("/clients/").status_code == 200


def test_the_admin_page_shows_admins_ticked_for_good(eve: User) -> None:
    html = confirm_password(sign_in(eve)).get(PAGE).content.decode()
    assert re.search(r'<input type="checkbox" name="second_factor_roles" value="admin"[^>]* checked disabled>', html)
    therapist = re.search(r'<input type="checkbox" name="second_factor_roles" value="therapist"[^>]*>', html).group(0)
    assert "checked" not in therapist and "disabled" not in therapist


def test_an_admin_requires_it_for_more_roles_audited(north: Organization, eve: User) -> None:
    response = require_for(eve, "therapist", "physician")
    assert response.status_code == 302 and response["Location"] == PAGE
    stored = SecuritySettings.objects.get(organization=north)
    # Admins stay in even though a browser never sends a disabled box.
    assert stored.second_factor_roles == ["admin", "physician", "therapist"]
    assert stored.updated_by == eve
    event = AuditEvent.objects.get(event_type=EventType.SECURITY_SETTINGS_CHANGED)
    assert event.actor == eve and event.organization_id == north.pk
    assert event.extra["changes"]["second_factor_roles"] == [["admin"], ["admin", "physician", "therapist"]]
    # Saving the same again records nothing new.
    require_for(eve, "therapist", "physician")
    assert AuditEvent.objects.filter(event_type=EventType.SECURITY_SETTINGS_CHANGED).count() == 1
    # Unticking everything leaves admins.
    require_for(eve)
    assert SecuritySettings.objects.get(organization=north).roles_needing_second_factor == {"admin"}


def test_an_unknown_role_is_refused(eve: User) -> None:
    response = require_for(eve, "superuser")
    assert response.status_code == 200 and "second_factor_roles" in response.context["form"].errors


def test_a_required_role_is_sent_to_set_it_up(eve: User, alice: User, cody: User, carol: User) -> None:
    require_for(eve, "therapist")
    http = password_sign_in(alice)
    response = http.get("/clients/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/2fa/setup/")
    setup_page = http.get(response["Location"]).content.decode()
    assert "Your organization requires two-step sign-in for your role" in setup_page
    # The session's API calls wait for it too; a bearer token is a second thing the caller has, and still works.
    assert http.get("/api/v1/clients/").status_code == 401
    assert HttpClient().get("/api/v1/clients/", **bearer(alice)).status_code == 200
    # Other roles, and other organizations' therapists, are not affected.
    assert password_sign_in(cody).get("/clients/").status_code == 200
    assert password_sign_in(carol).get("/clients/").status_code == 200


def test_someone_who_has_an_authenticator_gives_its_code_and_cannot_remove_it(eve: User, alice: User) -> None:
    TOTPDevice.objects.create(user=alice, name="phone", confirmed=True)
    require_for(eve, "therapist")
    unverified = password_sign_in(alice)
    assert unverified.get("/clients/")["Location"].startswith("/accounts/2fa/verify/")
    http = sign_in(alice)
    response = http.post("/accounts/2fa/remove/", follow=True)
    assert "Your role must keep two-step sign-in on." in response.content.decode()
    assert TOTPDevice.objects.filter(user=alice).exists()
    settings_page = http.get("/accounts/settings/").content.decode()
    assert "Your organization requires two-step sign-in for your role." in settings_page


def test_the_page_lists_who_has_not_set_it_up(eve: User, alice: User, tom: User, cody: User) -> None:
    TOTPDevice.objects.create(user=tom, name="phone", confirmed=True)
    require_for(eve, "therapist")
    html = confirm_password(sign_in(eve)).get(PAGE).content.decode()
    assert alice.email in html and tom.email not in html and cody.email not in html


def test_only_an_admin_changes_it_and_only_for_their_organization(
    north: Organization, south: Organization, alice: User, dan: User, sam: User
) -> None:
    for user in (alice, dan):
        assert confirm_password(sign_in(user)).post(PAGE, {"second_factor_roles": ["therapist"]}).status_code == 403
    require_for(sam, "therapist")
    assert SecuritySettings.for_organization(south.pk).roles_needing_second_factor == {"admin", "therapist"}
    assert SecuritySettings.for_organization(north.pk).roles_needing_second_factor == {"admin"}
