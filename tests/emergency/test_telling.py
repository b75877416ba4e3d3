"""Who is told: e-mails to the care team and the admins without client data; the banner the person sees on every
page of the client; the notice the care team sees on the record; the page of one emergency access."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from iptcare.accounts.models import Organization, Role, User
from iptcare.clients.models import CareTeamMember, Client
from iptcare.emergency.models import EmergencyAccess
from iptcare.ipt.models import Episode
from tests.conftest import make_staff, sign_in
from tests.emergency.conftest import JUSTIFICATION, break_glass, make_grant

pytestmark = pytest.mark.django_db


class TestEmails:
    def test_the_care_team_and_the_admins_are_told_without_client_data(
        self,
        tom: User,
        fern: Client,
        alice: User,
        cody: User,
        pia: User,
        dora: User,
        eve: User,
        bob: User,
        sam: User,
        carol: User,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            break_glass(sign_in(tom))
        grant = EmergencyAccess.objects.get()
        told = sorted(address for message in mail.outbox for address in message.to)
        assert told == sorted(u.email for u in (alice, cody, pia, dora, eve))
        assert all(len(message.to) == 1 for message in mail.outbox)  # nobody sees who else was told
        for message in mail.outbox:
            text = message.subject + message.body
            for secret in ("Fern", "Fairweather", "N-0001", fern.identifier.lower(), JUSTIFICATION, "crisis", "Tom"):
                assert secret not in text
            assert message.subject == "iptcare: emergency access was used"
            assert f"http://testserver/emergency/{grant.pk}/" in message.body
        team_body = next(m.body for m in mail.outbox if m.to == [alice.email])
        assert team_body.startswith(
            "Emergency access was used on a record of your care team. Sign in to see who opened it and why."
        )
        admin_body = next(m.body for m in mail.outbox if m.to == [eve.email])
        assert "and to review it" in admin_body

    def test_inactive_people_are_not_told(
        self, tom: User, fern: Client, cody: User, django_capture_on_commit_callbacks: Any
    ) -> None:
        cody.is_active = False
        cody.save()
        with django_capture_on_commit_callbacks(execute=True):
            break_glass(sign_in(tom))
        assert cody.email not in [address for message in mail.outbox for address in message.to]

    def test_nothing_is_sent_without_an_access(
        self, tom: User, fern: Client, alice: User, django_capture_on_commit_callbacks: Any
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            break_glass(sign_in(tom), identifier="N-9999")
            break_glass(sign_in(alice))
        assert mail.outbox == []


class TestBanner:
    def test_the_person_sees_it_on_every_page_of_the_client(self, tom: User, fern: Client, episode: Episode) -> None:
        http = sign_in(tom)
        break_glass(http)
        grant = EmergencyAccess.objects.get()
        ends = timezone.localtime(grant.expires_at)
        expected = ends.strftime("%H:%M") if ends.date() == timezone.localdate() else ends.strftime("%Y-%m-%d %H:%M")
        for path in (
            f"/clients/{fern.pk}/",
            f"/clients/{fern.pk}/measures/",
            f"/clients/{fern.pk}/episodes/{episode.pk}/",
            f"/clients/{fern.pk}/episodes/{episode.pk}/timeline/",
        ):
            body = http.get(path).content.decode()
            assert "Emergency access — read only" in body, path
            assert f"ends at {expected}" in body, path
            assert "End emergency access now" in body, path
            assert f'action="/emergency/{grant.pk}/end/"' in body, path

    def test_the_care_team_does_not_see_it(self, tom: User, alice: User, fern: Client) -> None:
        make_grant(tom, fern)
        assert "Emergency access — read only" not in sign_in(alice).get(f"/clients/{fern.pk}/").content.decode()

    def test_pages_without_a_client_have_no_banner(self, tom: User, fern: Client) -> None:
        make_grant(tom, fern)
        assert "Emergency access — read only" not in sign_in(tom).get("/clients/").content.decode()

    def test_no_banner_once_it_has_ended(self, tom: User, fern: Client) -> None:
        """Tom's access ended early, then he joined the care team: the record opens, without the banner."""
        make_grant(tom, fern, ended_at=timezone.now(), ended_by=tom)
        CareTeamMember.objects.create(client=fern, user=tom, team_role="therapist")
        response = sign_in(tom).get(f"/clients/{fern.pk}/")
        assert response.status_code == 200
        assert "Emergency access — read only" not in response.content.decode()


class TestCareTeamNotice:
    def test_the_care_team_sees_who_when_and_why(self, tom: User, alice: User, fern: Client) -> None:
        make_grant(tom, fern, reason="on_call")
        body = sign_in(alice).get(f"/clients/{fern.pk}/").content.decode()
        assert "Emergency access to this record in the last 30 days" in body
        assert "Tom Tran" in body
        assert "On-call cover" in body
        assert JUSTIFICATION in body
        assert "not yet reviewed" in body

    def test_a_reviewed_access_says_so(self, tom: User, alice: User, eve: User, fern: Client) -> None:
        make_grant(
            tom,
            fern,
            started=timezone.now() - dt.timedelta(days=2),
            reviewed_at=timezone.now(),
            reviewed_by=eve,
            review_outcome="appropriate",
        )
        body = sign_in(alice).get(f"/clients/{fern.pk}/").content.decode()
        assert "reviewed: Appropriate" in body

    def test_older_than_30_days_is_not_in_the_notice(self, tom: User, alice: User, fern: Client) -> None:
        make_grant(tom, fern, started=timezone.now() - dt.timedelta(days=31))
        body = sign_in(alice).get(f"/clients/{fern.pk}/").content.decode()
        assert "Emergency access to this record" not in body

    def test_the_person_who_used_it_and_a_supervisor_do_not_see_the_notice(
        self, tom: User, bob: User, fern: Client
    ) -> None:
        make_grant(tom, fern)
        assert "Emergency access to this record" not in sign_in(tom).get(f"/clients/{fern.pk}/").content.decode()
        assert "Emergency access to this record" not in sign_in(bob).get(f"/clients/{fern.pk}/").content.decode()

    def test_the_notice_costs_one_query_whatever_the_number_of_accesses(
        self, alice: User, fern: Client, north: Organization, django_assert_num_queries: Any
    ) -> None:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        people = [make_staff(north, f"p{i}@north.test", f"Person {i}", Role.THERAPIST) for i in range(6)]
        make_grant(people[0], fern)
        http = sign_in(alice)
        http.get(f"/clients/{fern.pk}/")
        with CaptureQueriesContext(connection) as one:
            http.get(f"/clients/{fern.pk}/")
        for person in people[1:]:
            make_grant(person, fern)
        with django_assert_num_queries(len(one.captured_queries)):
            body = http.get(f"/clients/{fern.pk}/").content.decode()
        assert "Person 5" in body


class TestDetailPage:
    def test_the_care_team_the_admin_and_the_person_see_it(
        self, tom: User, alice: User, eve: User, fern: Client
    ) -> None:
        grant = make_grant(tom, fern)
        for user in (tom, alice, eve):
            body = sign_in(user).get(f"/emergency/{grant.pk}/").content.decode()
            assert "Tom Tran" in body and JUSTIFICATION in body, user
        admin_body = sign_in(eve).get(f"/emergency/{grant.pk}/").content.decode()
        assert "/manage/audit/?" in admin_body
        assert "End it now" in admin_body
        assert "/manage/audit/?" not in sign_in(alice).get(f"/emergency/{grant.pk}/").content.decode()

    @pytest.mark.parametrize("who", ["carol", "sam", "dan", "bob"])
    def test_anyone_else_gets_404(self, who: str, tom: User, fern: Client, request: Any) -> None:
        grant = make_grant(tom, fern)
        assert sign_in(request.getfixturevalue(who)).get(f"/emergency/{grant.pk}/").status_code == 404
