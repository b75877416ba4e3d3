"""The admin's pages: inviting staff, roles, supervisors, deactivation, and sites."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django_otp.plugins.otp_totp.models import TOTPDevice

from iptcare.accounts.models import Membership, Organization, Site, SupervisionLink, User
from iptcare.audit.models import AuditEvent, EventType
from tests.conftest import PASSWORD, confirm_password, make_staff, sign_in

pytestmark = pytest.mark.django_db


def invite(http: HttpClient, **changes: object):
    data = {"email": "nina@north.test", "full_name": "Nina Novak", "roles": ["therapist", "counsellor"]}
    data.update(changes)
    return confirm_password(http).post("/manage/staff/invite/", data)


def test_it_invites_staff_who_then_choose_a_password(eve: User, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(sign_in(eve))
    assert response.status_code == 302
    nina = User.objects.get(email="nina@north.test")
    assert nina.organization_id == eve.organization_id
    assert nina.roles == {"therapist", "counsellor"}
    assert not nina.has_usable_password()
    assert AuditEvent.objects.get(event_type=EventType.STAFF_INVITED).extra["email"] == "nina@north.test"

    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/invite/\S+/)", mail.outbox[0].body).group(1)
    http = HttpClient()
    form_url = http.get(link, follow=True).redirect_chain[-1][0]
    weak = http.post(form_url, {"new_password1": "nina@north.test", "new_password2": "nina@north.test"})
    assert "too similar" in weak.content.decode()
    http.post(form_url, {"new_password1": "a calm spring morning", "new_password2": "a calm spring morning"})
    assert (
        http.post("/accounts/login/", {"username": "nina@north.test", "password": "a calm spring morning"}).status_code
        == 302
    )
    # The link works once.
    assert "no longer works" in HttpClient().get(link, follow=True).content.decode()


def test_it_refuses_an_invitation_to_an_existing_address_or_without_a_role(eve: User, alice: User) -> None:
    http = sign_in(eve)
    taken = invite(http, email="ALICE@north.test")
    assert "already exists" in taken.content.decode()
    no_role = invite(http, roles=[])
    assert "roles" in no_role.context["form"].errors
    assert User.objects.filter(email="nina@north.test").count() == 0
    assert mail.outbox == []


def test_it_sets_roles_and_supervisors(eve: User, alice: User, bob: User, tom: User) -> None:
    data = {"full_name": "Tom Tran", "roles": ["therapist", "physician"], "supervisors": [bob.pk]}
    response = confirm_password(sign_in(eve)).post(f"/manage/staff/{tom.pk}/", data)
    assert response.status_code == 302
    assert set(Membership.objects.filter(user=tom).values_list("role", flat=True)) == {
        "therapist",
        "physician",
    }
    assert SupervisionLink.objects.filter(supervisor=bob, supervisee=tom).exists()
    changes = AuditEvent.objects.get(event_type=EventType.STAFF_UPDATED).extra["changes"]
    assert changes["roles"] == [["therapist"], ["physician", "therapist"]]
    assert changes["supervisors"] == [[], [bob.email]]


def test_it_leaves_changes_to_your_own_roles_to_another_admin(eve: User, north: Organization) -> None:
    widened = {"full_name": "Eve Evans", "roles": ["admin", "therapist"]}
    response = confirm_password(sign_in(eve)).post(f"/manage/staff/{eve.pk}/", widened)
    assert "Another admin must change your own roles" in response.content.decode()
    assert User.objects.get(pk=eve.pk).roles == {"admin"}

    ada = make_staff(north, "ada@north.test", "Ada Admin", "admin")
    TOTPDevice.objects.create(user=ada, name="phone", confirmed=True)
    confirm_password(sign_in(ada)).post(f"/manage/staff/{eve.pk}/", widened)
    assert User.objects.get(pk=eve.pk).roles == {"admin", "therapist"}


def test_it_refuses_an_admin_making_themself_someones_supervisor(eve: User, alice: User, fern) -> None:
    from iptcare.accounts.actions import do_update_staff

    # Eve also supervises (granted by another admin): she still may not put herself over Alice's clients.
    Membership.objects.create(user=eve, role="supervisor")
    response = confirm_password(sign_in(eve)).post(
        f"/manage/staff/{alice.pk}/", {"full_name": "Alice Ashby", "roles": ["therapist"], "supervisors": [eve.pk]}
    )
    assert "Another admin must make you" in response.content.decode()
    assert not SupervisionLink.objects.filter(supervisor=eve, supervisee=alice).exists()
    assert sign_in(eve).get(f"/clients/{fern.pk}/").status_code == 404
    with pytest.raises(ValidationError):
        do_update_staff(alice, full_name="A", roles=["therapist"], home_site=None, supervisors=[eve], acting_user=eve)


def test_it_keeps_at_least_one_active_admin(eve: User) -> None:
    from iptcare.accounts.actions import _refuse_removing_last_admin

    with pytest.raises(ValidationError, match="at least one active admin"):
        _refuse_removing_last_admin(eve)


def test_it_asks_before_deactivating_then_ends_sign_in_and_tokens(eve: User, tom: User) -> None:
    from iptcare.accounts.actions import do_create_token

    token, _raw = do_create_token(tom, name="t", acting_user=tom)
    tom_session = sign_in(tom)
    http = sign_in(eve)
    assert "Deactivate" in http.get(f"/manage/staff/{tom.pk}/deactivate/").content.decode()
    assert User.objects.get(pk=tom.pk).is_active
    http.post(f"/manage/staff/{tom.pk}/deactivate/")
    assert not User.objects.get(pk=tom.pk).is_active
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert tom_session.get("/clients/").status_code == 302
    assert HttpClient().post("/accounts/login/", {"username": tom.email, "password": PASSWORD}).status_code == 200
    http.post(f"/manage/staff/{tom.pk}/reactivate/")
    assert User.objects.get(pk=tom.pk).is_active
    types = list(
        AuditEvent.objects.filter(
            event_type__in=[EventType.STAFF_DEACTIVATED, EventType.STAFF_REACTIVATED]
        ).values_list("event_type", flat=True)
    )
    assert sorted(types) == [EventType.STAFF_DEACTIVATED, EventType.STAFF_REACTIVATED]


def test_it_refuses_deactivating_yourself(eve: User) -> None:
    response = sign_in(eve).post(f"/manage/staff/{eve.pk}/deactivate/")
    assert "your own account" in response.content.decode()
    assert User.objects.get(pk=eve.pk).is_active


def test_it_lists_and_filters_staff(eve: User, alice: User, bob: User) -> None:
    http = sign_in(eve)
    everyone = [u.email for u in http.get("/manage/staff/").context["page"].object_list]
    assert set(everyone) == {eve.email, alice.email, bob.email}
    supervisors = [u.email for u in http.get("/manage/staff/", {"role": "supervisor"}).context["page"].object_list]
    assert supervisors == [bob.email]


def test_it_creates_and_edits_sites(eve: User, north: Organization) -> None:
    http = sign_in(eve)
    http.post(
        "/manage/sites/new/",
        {"name": "Lakeside", "address": "1 Shore Rd", "phone": "555 010 4444", "is_active": "on"},
    )
    site = Site.objects.get(organization=north, name="Lakeside")
    duplicate = http.post("/manage/sites/new/", {"name": "lakeside", "is_active": "on"})
    assert "already has a site" in duplicate.content.decode()
    http.post(f"/manage/sites/{site.pk}/", {"name": "Lakeside Clinic", "address": "1 Shore Rd", "phone": ""})
    site.refresh_from_db()
    assert (site.name, site.is_active) == ("Lakeside Clinic", False)
    assert AuditEvent.objects.filter(event_type=EventType.SITE_CREATED).count() == 1
    updated = AuditEvent.objects.get(event_type=EventType.SITE_UPDATED)
    assert updated.extra["changes"]["name"] == ["Lakeside", "Lakeside Clinic"]


def test_it_keeps_admin_pages_to_admins_of_the_organization(
    alice: User, dan: User, sam: User, tom: User, north_site: Site
) -> None:
    for user in (alice, dan):
        assert sign_in(user).get("/manage/staff/").status_code == 403
        assert sign_in(user).get("/manage/sites/").status_code == 403
    south_admin = confirm_password(sign_in(sam))
    assert south_admin.get(f"/manage/staff/{tom.pk}/").status_code == 404
    assert south_admin.get(f"/manage/sites/{north_site.pk}/").status_code == 404
    assert tom.email not in south_admin.get("/manage/staff/").content.decode()


def test_it_shows_pending_invitations_and_sends_them_again(eve: User, django_capture_on_commit_callbacks) -> None:
    http = sign_in(eve)
    with django_capture_on_commit_callbacks(execute=True):
        invite(http)
    nina = User.objects.get(email="nina@north.test")
    assert "Invited" in http.get("/manage/staff/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        http.post(f"/manage/staff/{nina.pk}/resend-invitation/")
    assert [m.to for m in mail.outbox] == [["nina@north.test"], ["nina@north.test"]]
    assert AuditEvent.objects.filter(event_type=EventType.STAFF_INVITED, extra__resent=True).count() == 1


def test_it_does_not_re_invite_someone_who_already_has_a_password(
    eve: User, tom: User, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_in(eve).post(f"/manage/staff/{tom.pk}/resend-invitation/", follow=True)
    assert "have not yet chosen a password" in response.content.decode()
    assert mail.outbox == []
    assert not AuditEvent.objects.filter(event_type=EventType.STAFF_INVITED).exists()


def test_it_offers_no_deactivate_link_on_your_own_row(eve: User, tom: User) -> None:
    html = sign_in(eve).get("/manage/staff/").content.decode()
    assert f"/manage/staff/{tom.pk}/deactivate/" in html
    assert f"/manage/staff/{eve.pk}/deactivate/" not in html
