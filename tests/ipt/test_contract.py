"""The treatment contract: written from the episode's plan and the problem areas, signed by therapist and client
with the time of each signature, locked once both have signed; the number of sessions then changes only by a
renegotiation, kept with its reason."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError

from iptcare.accounts.models import User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.models import Client, Person
from iptcare.ipt.actions import do_change_episode_status, do_open_episode
from iptcare.ipt.actions_formulation import (
    do_add_problem_area,
    do_renegotiate_sessions,
    do_save_contract,
    do_sign_contract,
)
from iptcare.ipt.models import Contract, Episode, Modality, Renegotiation
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 31, 16, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen_today() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def url(episode: Episode, page: str = "contract/") -> str:
    return f"/clients/{episode.client_id}/episodes/{episode.pk}/{page}"


def contract_data(*modalities: tuple[str, str], **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "sessions": "12",
        "session_minutes": "50",
        "frequency": "weekly",
        "start_date": "2026-04-01",
        "end_date": "2026-06-17",
        "focus": "Role dispute with her sister.",
        "modalities-TOTAL_FORMS": "6",
        "modalities-INITIAL_FORMS": "0",
    }
    for number, (kind, provider) in enumerate(modalities):
        data[f"modalities-{number}-kind"] = kind
        data[f"modalities-{number}-provider"] = provider
    return data | fields


def write_contract(episode: Episode, user: User, **fields: Any) -> Contract:
    data = {
        "sessions": 12,
        "session_minutes": 50,
        "frequency": "weekly",
        "start_date": dt.date(2026, 4, 1),
        "end_date": dt.date(2026, 6, 17),
        "focus": "Role transition: the lost job.",
    }
    return do_save_contract(episode, data | fields, modalities=[("mi", "Cody Clarke")], acting_user=user)


def sign_both(contract: Contract, user: User) -> Contract:
    return do_sign_contract(
        contract, therapist_signature=user.full_name, client_signature="Fern Fairweather", acting_user=user
    )


def changed_events(kind: str) -> list[AuditEvent]:
    events = AuditEvent.objects.filter(event_type=EventType.EPISODE_CHANGED).order_by("id")
    return [e for e in events if e.extra.get("kind") == kind]


def form_errors(response: Any, field: str) -> str:
    return " ".join(response.context["form"].errors.get(field, []))


class TestWritingTheContract:
    def test_it_starts_from_the_episode_plan_and_the_problem_areas(
        self, episode: Episode, alice: User, sister: Person
    ) -> None:
        do_add_problem_area(
            episode,
            {"kind": "role_dispute", "dispute_stage": "impasse", "dispute_with": sister, "rationale": "Rows."},
            acting_user=alice,
        )
        response = sign_in(alice).get(url(episode))
        assert response.status_code == 200
        form = response.context["form"]
        assert form["sessions"].value() == 12
        assert form["session_minutes"].value() == 50
        assert form["focus"].value() == "Role dispute with Big sister (impasse)"
        # Twelve weekly sessions from today: the last is eleven weeks on.
        assert (form["start_date"].value(), form["end_date"].value()) == (dt.date(2026, 3, 31), dt.date(2026, 6, 16))
        assert "has not accepted the formulation yet" in response.content.decode()

    def test_it_saves_the_contract_with_other_treatments_and_audits_it(self, episode: Episode, alice: User) -> None:
        data = contract_data(("mi", "Cody Clarke"), ("medication", "Dr Pia Patel"))
        response = sign_in(alice).post(url(episode), data)
        assert response.status_code == 302
        contract = Contract.objects.get(episode=episode)
        assert (contract.sessions, contract.start_date, contract.end_date) == (
            12,
            dt.date(2026, 4, 1),
            dt.date(2026, 6, 17),
        )
        assert sorted(contract.modalities.values_list("kind", "provider")) == [
            ("medication", "Dr Pia Patel"),
            ("mi", "Cody Clarke"),
        ]
        [event] = changed_events("contract")
        assert event.extra["changes"]["sessions"] == [None, 12]
        assert event.extra["changes"]["modalities"] == [None, ["mi: Cody Clarke", "medication: Dr Pia Patel"]]
        html = sign_in(alice).get(url(episode)).content.decode()
        assert "Motivational interviewing (Cody Clarke)" in html

    def test_it_replaces_the_other_treatments_when_changed(self, episode: Episode, alice: User) -> None:
        write_contract(episode, alice)
        sign_in(alice).post(url(episode), contract_data(("mutual_help", "SMART Recovery, Tuesdays")))
        assert list(Modality.objects.values_list("kind", flat=True)) == ["mutual_help"]
        assert changed_events("contract")[-1].extra["changes"]["modalities"] == [
            ["mi: Cody Clarke"],
            ["mutual_help: SMART Recovery, Tuesdays"],
        ]

    def test_it_refuses_a_last_session_before_the_first(self, episode: Episode, alice: User) -> None:
        response = sign_in(alice).post(url(episode), contract_data(end_date="2026-03-25"))
        assert "The last session comes after the first." in form_errors(response, "end_date")
        assert not Contract.objects.exists()
        with pytest.raises(ValidationError) as refused:
            write_contract(episode, alice, end_date=dt.date(2026, 3, 25))
        assert "end_date" in refused.value.message_dict

    def test_it_refuses_a_number_of_sessions_the_format_does_not_allow(
        self, fern: Client, episode: Episode, alice: User
    ) -> None:
        response = sign_in(alice).post(url(episode), contract_data(sessions="20"))
        assert "12 to 16 sessions" in form_errors(response, "sessions")
        do_change_episode_status(episode, "completed", acting_user=alice, note="Done.")
        brief = do_open_episode(fern, format_="brief", primary_therapist=alice, acting_user=alice)
        with pytest.raises(ValidationError) as refused:
            write_contract(brief, alice, sessions=12)
        assert "8 to 9 sessions" in " ".join(refused.value.message_dict["sessions"])
        assert not Contract.objects.exists()

    def test_it_refuses_another_treatment_without_its_provider(self, episode: Episode, alice: User) -> None:
        response = sign_in(alice).post(url(episode), contract_data(("family", "")))
        assert response.status_code == 200
        assert "Say who provides it." in response.content.decode()
        assert not Contract.objects.exists()

    def test_it_lets_a_supervisor_read_the_contract_but_not_change_it(
        self, episode: Episode, alice: User, bob: User
    ) -> None:
        write_contract(episode, alice)
        http = sign_in(bob)
        page = http.get(url(episode))
        assert page.status_code == 200
        assert "Role transition: the lost job." in page.content.decode()
        assert "Save the contract" not in page.content.decode()
        assert http.post(url(episode), contract_data(sessions="14")).status_code == 404
        assert http.get(url(episode, "contract/sign/")).status_code == 404
        assert http.post(url(episode, "contract/sign/"), {"client_signature": "Fern"}).status_code == 404
        assert http.post(url(episode, "renegotiate/"), {"new_sessions": "14", "reason": "x"}).status_code == 404
        contract = Contract.objects.get()
        assert (contract.sessions, contract.client_signed_at) == (12, None)
        assert not Renegotiation.objects.exists()

    def test_it_hides_the_contract_from_another_organization(self, episode: Episode, alice: User, carol: User) -> None:
        write_contract(episode, alice)
        http = sign_in(carol)
        for page in ("contract/", "contract/sign/", "renegotiate/"):
            assert http.get(url(episode, page)).status_code == 404
        assert http.post(url(episode), contract_data()).status_code == 404


class TestSigning:
    def test_it_keeps_the_time_of_each_signature_and_locks_once_both_have_signed(
        self, episode: Episode, alice: User
    ) -> None:
        write_contract(episode, alice)
        http = sign_in(alice)
        assert http.get(url(episode, "contract/sign/")).status_code == 200
        therapist_at = dt.datetime(2026, 3, 31, 16, 5, tzinfo=dt.UTC)
        with time_machine.travel(therapist_at, tick=False):
            assert http.post(url(episode, "contract/sign/"), {"therapist_signature": "alice  ashby"}).status_code == 302
        contract = Contract.objects.get()
        assert (contract.therapist_signature, contract.therapist_signed_at, contract.is_signed) == (
            "alice ashby",
            therapist_at,
            False,
        )
        client_at = dt.datetime(2026, 3, 31, 16, 9, tzinfo=dt.UTC)
        with time_machine.travel(client_at, tick=False):
            response = http.post(url(episode, "contract/sign/"), {"client_signature": "Fern Fairweather"}, follow=True)
        assert "the contract is now locked" in response.content.decode()
        contract.refresh_from_db()
        assert (contract.client_signature, contract.client_signed_at, contract.is_signed) == (
            "Fern Fairweather",
            client_at,
            True,
        )
        signed = changed_events("contract")[-2:]
        assert [e.extra["signed_by"] for e in signed] == [["therapist"], ["client"]]
        assert [e.extra["locked"] for e in signed] == [False, True]

    def test_it_refuses_edits_once_signed_by_both(self, episode: Episode, alice: User) -> None:
        sign_both(write_contract(episode, alice), alice)
        http = sign_in(alice)
        page = http.get(url(episode)).content.decode()
        assert "Signed and locked" in page and "Save the contract" not in page
        response = http.post(url(episode), contract_data(sessions="14", focus="Something else"), follow=True)
        assert "no longer changes" in response.content.decode()
        contract = Contract.objects.get()
        assert (contract.sessions, contract.focus) == (12, "Role transition: the lost job.")
        with pytest.raises(ValidationError, match="no longer changes"):
            write_contract(episode, alice, sessions=14)
        with pytest.raises(ValidationError, match="already signed"):
            sign_both(contract, alice)

    def test_the_unsigned_contract_sets_the_episodes_number_of_sessions_and_its_end_date(
        self, episode: Episode, alice: User
    ) -> None:
        contract = write_contract(episode, alice)
        first = contract.start_date
        write_contract(episode, alice, sessions=14, end_date=contract.end_date)
        episode.refresh_from_db()
        contract.refresh_from_db()
        # 14 weekly sessions: the last is 13 weeks after the first (the end date was the suggested one).
        assert (episode.planned_sessions, contract.end_date) == (14, first + dt.timedelta(weeks=13))
        event = AuditEvent.objects.filter(event_type=EventType.EPISODE_CHANGED).order_by("-id").first()
        assert event.extra["changes"]["planned_sessions"] == [12, 14]
        assert not Renegotiation.objects.exists()
        http = sign_in(alice)
        response = http.post(url(episode, "contract/sign/"), {"therapist_signature": "Alice Ashby"})
        assert response.status_code == 302
        assert Contract.objects.get().therapist_signed_at is not None

    def test_it_takes_only_the_signers_own_name_as_the_therapists_signature(
        self, episode: Episode, alice: User
    ) -> None:
        write_contract(episode, alice)
        response = sign_in(alice).post(url(episode, "contract/sign/"), {"therapist_signature": "Tom Tran"})
        assert "Alice Ashby" in form_errors(response, "therapist_signature")
        empty = sign_in(alice).post(url(episode, "contract/sign/"), {})
        assert "Type a full name to sign." in " ".join(empty.context["form"].non_field_errors())
        assert Contract.objects.get().therapist_signed_at is None

    def test_it_clears_a_signature_when_the_contract_changes_before_both_have_signed(
        self, episode: Episode, alice: User
    ) -> None:
        contract = write_contract(episode, alice)
        do_sign_contract(contract, client_signature="Fern Fairweather", acting_user=alice)
        sign_in(alice).post(url(episode), contract_data(focus="Role transition and the new peer group."))
        contract.refresh_from_db()
        assert (contract.client_signature, contract.client_signed_at) == ("", None)
        assert changed_events("contract")[-1].extra["changes"]["client_signature"] == ["Fern Fairweather", ""]

    def test_it_asks_for_a_saved_contract_before_signing(self, episode: Episode, alice: User) -> None:
        response = sign_in(alice).get(url(episode, "contract/sign/"), follow=True)
        assert "Save the contract before it is signed." in response.content.decode()


class TestRenegotiation:
    def test_it_changes_the_planned_and_signed_sessions_together_and_keeps_the_reason(
        self, episode: Episode, alice: User
    ) -> None:
        sign_both(write_contract(episode, alice), alice)
        http = sign_in(alice)
        # Twelve weekly sessions from 1 April end on 17 June; sixteen end four weeks later.
        offered = http.get(url(episode, "renegotiate/")).content.decode()
        assert "the last is expected on 2026-06-17" in offered
        assert "16 sessions: it will move the end date to 2026-07-15" in offered
        assert "The contract stays signed" in offered
        data = {
            "new_sessions": "16",
            "reason": "A relapse in week 6; both agree to four more.",
            "agreed_on": "2026-03-30",
        }
        response = http.post(url(episode, "renegotiate/"), data, follow=True)
        assert "12 → 16 sessions" in response.content.decode()
        assert "last session is now expected on 2026-07-15." in response.content.decode()
        episode.refresh_from_db()
        contract = Contract.objects.get()
        assert (episode.planned_sessions, contract.sessions, contract.is_signed) == (16, 16, True)
        assert (contract.start_date, contract.end_date, contract.updated_by) == (
            dt.date(2026, 4, 1),
            dt.date(2026, 7, 15),
            alice,
        )
        renegotiation = Renegotiation.objects.get()
        assert (renegotiation.old_sessions, renegotiation.new_sessions, renegotiation.recorded_by) == (12, 16, alice)
        assert (renegotiation.reason, renegotiation.agreed_on) == (data["reason"], dt.date(2026, 3, 30))
        [event] = changed_events("renegotiation")
        assert event.reason == data["reason"]
        assert event.extra["changes"] == {
            "planned_sessions": [12, 16],
            "contract_sessions": [12, 16],
            "contract_end_date": ["2026-06-17", "2026-07-15"],
        }
        assert "A relapse in week 6" in sign_in(alice).get(url(episode)).content.decode()

    def test_it_moves_a_contract_not_yet_signed_and_asks_again_for_a_single_signature(
        self, episode: Episode, alice: User
    ) -> None:
        contract = write_contract(episode, alice, frequency="fortnightly", end_date=dt.date(2026, 9, 2))
        do_sign_contract(contract, therapist_signature="Alice Ashby", acting_user=alice)
        assert (
            "that signature covered the old number" in sign_in(alice).get(url(episode, "renegotiate/")).content.decode()
        )
        do_renegotiate_sessions(episode, new_sessions=14, reason="Agreed at contracting.", acting_user=alice)
        contract.refresh_from_db()
        # Fourteen sessions every two weeks from 1 April: the last is 26 weeks on.
        assert (episode.planned_sessions, contract.sessions, contract.end_date) == (14, 14, dt.date(2026, 9, 30))
        assert (contract.therapist_signature, contract.therapist_signed_at) == ("", None)
        changes = changed_events("renegotiation")[-1].extra["changes"]
        assert changes["contract_end_date"] == ["2026-09-02", "2026-09-30"]
        assert changes["contract_therapist_signature"] == ["Alice Ashby", ""]
        assert sign_both(contract, alice).is_signed

    def test_it_changes_only_the_plan_when_there_is_no_contract(self, episode: Episode, alice: User) -> None:
        page = sign_in(alice).get(url(episode, "renegotiate/")).content.decode()
        assert "There is no contract yet" in page
        do_renegotiate_sessions(episode, new_sessions=14, reason="Agreed at assessment.", acting_user=alice)
        episode.refresh_from_db()
        assert episode.planned_sessions == 14
        assert not Contract.objects.exists()
        assert changed_events("renegotiation")[-1].extra["changes"] == {"planned_sessions": [12, 14]}

    def test_it_needs_a_reason_and_a_number_the_format_allows(self, episode: Episode, alice: User) -> None:
        http = sign_in(alice)
        no_reason = http.post(
            url(episode, "renegotiate/"), {"new_sessions": "14", "reason": " ", "agreed_on": "2026-03-31"}
        )
        assert form_errors(no_reason, "reason")
        too_many = http.post(
            url(episode, "renegotiate/"), {"new_sessions": "20", "reason": "More.", "agreed_on": "2026-03-31"}
        )
        assert "12 to 16 sessions" in form_errors(too_many, "new_sessions")
        same = http.post(
            url(episode, "renegotiate/"), {"new_sessions": "12", "reason": "Same.", "agreed_on": "2026-03-31"}
        )
        assert "already plans 12" in form_errors(same, "new_sessions")
        with pytest.raises(ValidationError) as refused:
            do_renegotiate_sessions(episode, new_sessions=14, reason="", acting_user=alice)
        assert "reason" in refused.value.message_dict
        episode.refresh_from_db()
        assert episode.planned_sessions == 12
        assert not Renegotiation.objects.exists()

    def test_it_refuses_to_renegotiate_a_closed_episode(self, episode: Episode, alice: User) -> None:
        do_change_episode_status(episode, "completed", acting_user=alice, note="Done.")
        with pytest.raises(ValidationError, match="closed"):
            do_renegotiate_sessions(episode, new_sessions=14, reason="Late.", acting_user=alice)
