"""Who reads counselling notes: the author, and a colleague on the care team whom an active counselling-notes
consent names — each such read recorded as a disclosure. No one else, whatever their role: care-team membership,
supervision, directing, administering, a TPO consent or emergency access never open them. Refusals are 404, audited."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from iptcare.accounts.models import User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.models import CareTeamMember, Client, TeamRole
from iptcare.consent.actions import do_revoke_consent
from iptcare.consent.models import Disclosure
from iptcare.counselling.models import CounsellingNote
from iptcare.emergency.models import EmergencyAccess
from tests.conftest import sign_in
from tests.counselling.conftest import SECRET, consent_for, list_url, note_url, person, tpo_for, write


def refusals(user: User) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(event_type=EventType.COUNSELLING_NOTE_REFUSED, actor=user))


def test_care_team_colleague_without_consent_gets_404_audited(signed: CounsellingNote, cody: User) -> None:
    http = sign_in(cody)
    assert http.get(note_url(signed)).status_code == 404
    (event,) = refusals(cody)
    assert event.client_id == signed.client_id
    assert event.extra["requested_note_id"] == str(signed.pk)
    assert event.extra["reason"] == "no_consent"
    # The list opens to the care team, shows nothing and explains the rule.
    page = http.get(list_url(signed.client))
    assert page.status_code == 200
    assert page.context["notes"] == []
    assert "colleagues the client named in a counselling-notes consent" in page.content.decode()
    assert not Disclosure.objects.exists()


def test_consent_naming_the_colleague_lets_them_read_and_records_a_disclosure(
    signed: CounsellingNote, fern: Client, alice: User, cody: User
) -> None:
    consent = consent_for(fern, alice)
    http = sign_in(cody)
    assert http.get(list_url(fern)).context["notes"] == [signed]
    page = http.get(note_url(signed))
    assert page.status_code == 200
    body = page.content.decode()
    assert SECRET in body
    assert "recorded in the accounting of disclosures" in body
    assert "42 CFR part 2 prohibits unauthorized use or disclosure of these records." in body
    assert "Change the draft" not in body and "Add an addendum" not in body

    disclosure = Disclosure.objects.get()
    assert disclosure.consent == consent
    assert disclosure.client == fern
    assert (disclosure.recipient_name, disclosure.recipient_organization) == ("Cody Clarke", "North Clinic")
    assert disclosure.categories == ["counselling_notes"]
    assert disclosure.purpose == "treatment"
    assert disclosure.document == "SUD counselling note of 2026-03-31 by Alice Ashby"
    assert disclosure.channel == Disclosure.Channel.OTHER
    viewed = AuditEvent.objects.get(event_type=EventType.COUNSELLING_NOTE_VIEWED, actor=cody)
    assert viewed.extra == {"view": "note", "own": False, "consent": consent.pk, "disclosure": disclosure.pk}
    # The accounting of disclosures shows it to the care team.
    assert (
        "SUD counselling note of 2026-03-31"
        in sign_in(alice).get(f"/clients/{fern.pk}/consents/disclosures/").content.decode()
    )


def test_consented_colleague_cannot_change_the_note(
    signed: CounsellingNote, fern: Client, alice: User, cody: User
) -> None:
    consent_for(fern, alice)
    http = sign_in(cody)
    assert http.post(note_url(signed, "addenda/new/"), {"text": "Mine.", "reason": ""}).status_code == 403
    assert signed.addenda.count() == 0


def test_consent_never_shows_a_colleagues_draft(draft: CounsellingNote, fern: Client, alice: User, cody: User) -> None:
    consent_for(fern, alice)
    http = sign_in(cody)
    assert http.get(list_url(fern)).context["notes"] == []
    assert http.get(note_url(draft)).status_code == 404
    assert http.get(note_url(draft, "edit/")).status_code == 404
    assert refusals(cody)[0].extra["reason"] == "draft"


def test_after_revocation_the_colleague_cannot_read(
    signed: CounsellingNote, fern: Client, alice: User, cody: User
) -> None:
    consent = consent_for(fern, alice)
    http = sign_in(cody)
    assert http.get(note_url(signed)).status_code == 200
    do_revoke_consent(
        consent, {"written_on": dt.date(2026, 3, 31), "revoked_by_name": "Fern Fairweather"}, acting_user=alice
    )
    assert http.get(note_url(signed)).status_code == 404
    assert http.get(list_url(fern)).context["notes"] == []
    assert refusals(cody)[-1].extra["reason"] == "revoked"
    assert Disclosure.objects.count() == 1


def test_after_expiry_the_colleague_cannot_read(
    signed: CounsellingNote, fern: Client, alice: User, cody: User, frozen_now: time_machine.Coordinates
) -> None:
    consent_for(fern, alice, expires_on=dt.date(2026, 4, 30))
    http = sign_in(cody)
    assert http.get(note_url(signed)).status_code == 200
    frozen_now.move_to(dt.datetime(2026, 5, 1, 16, tzinfo=dt.UTC))
    http = sign_in(cody)
    assert http.get(note_url(signed)).status_code == 404
    assert refusals(cody)[-1].extra["reason"] == "expired"


def test_a_tpo_consent_naming_the_colleague_does_not_open_them(
    signed: CounsellingNote, fern: Client, alice: User, cody: User
) -> None:
    tpo_for(fern, alice, person("Cody Clarke", "North Clinic"))
    assert sign_in(cody).get(note_url(signed)).status_code == 404
    assert refusals(cody)[0].extra["reason"] == "counselling_notes_tpo"


@pytest.mark.parametrize(
    "recipient",
    [
        {**person("North Clinic"), "kind": "organization"},  # the program, not the person
        person("Cody Clarke", "Valley Clinic"),  # another Cody, elsewhere
        person("Pia Patel", "North Clinic"),  # someone else
    ],
)
def test_only_a_consent_naming_the_person_opens_them(
    signed: CounsellingNote, fern: Client, alice: User, cody: User, recipient: dict
) -> None:
    consent_for(fern, alice, recipient)
    assert sign_in(cody).get(note_url(signed)).status_code == 404
    assert not Disclosure.objects.exists()


def test_a_consent_naming_the_person_without_organization_opens_them(
    signed: CounsellingNote, fern: Client, alice: User, cody: User
) -> None:
    consent_for(fern, alice, person("cody  clarke"))
    assert sign_in(cody).get(note_url(signed)).status_code == 200


def test_a_consent_naming_other_disclosers_does_not_cover_this_author(
    signed: CounsellingNote, fern: Client, alice: User, cody: User, pia: User
) -> None:
    consent_for(fern, alice, discloser_kind="named_staff", named_disclosers=[pia])
    assert sign_in(cody).get(note_url(signed)).status_code == 404
    assert refusals(cody)[0].extra["reason"] == "discloser_not_named"


def test_a_named_colleague_off_the_care_team_cannot_read(
    signed: CounsellingNote, fern: Client, alice: User, tom: User
) -> None:
    consent_for(fern, alice, person("Tom Tran", "North Clinic"))
    http = sign_in(tom)
    assert http.get(note_url(signed)).status_code == 404
    assert http.get(list_url(fern)).status_code == 404


@pytest.mark.parametrize("persona", ["bob", "dan", "eve", "carol", "tom", "sam"])
def test_no_role_opens_counselling_notes(
    signed: CounsellingNote, fern: Client, alice: User, persona: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(persona)
    # Even a consent naming them changes nothing: they are not on the care team.
    consent_for(fern, alice, person(user.full_name))
    http = sign_in(user)
    for url in (list_url(fern), list_url(fern) + "new/", note_url(signed), note_url(signed, "edit/")):
        assert http.get(url).status_code == 404, url
    assert http.post(note_url(signed, "sign/"), {"signature": user.full_name}).status_code == 404
    assert refusals(user)
    refused_clients = {event.client_id for event in refusals(user)}
    # Another organization's client is never named in the refusal.
    assert refused_clients == ({None} if persona in {"carol", "sam"} else {fern.pk})


def test_emergency_access_never_opens_counselling_notes(
    signed: CounsellingNote, fern: Client, alice: User, dan: User, north
) -> None:
    EmergencyAccess.objects.create(
        organization=north,
        client=fern,
        user=dan,
        reason="safety",
        justification="Client in danger.",
        expires_at=timezone.now() + dt.timedelta(hours=1),
    )
    consent_for(fern, alice, person("Dan Dunn"))
    http = sign_in(dan)
    assert http.get(f"/clients/{fern.pk}/").status_code == 200  # the record opens
    assert http.get(list_url(fern)).status_code == 404
    assert http.get(note_url(signed)).status_code == 404


def test_care_team_member_writes_their_own_notes_and_only_they_read_them(
    signed: CounsellingNote, fern: Client, cody: User, pia: User, alice: User
) -> None:
    codys = write(fern, cody, "Cody's own words.", sign=True)
    assert sign_in(cody).get(note_url(codys)).status_code == 200
    assert sign_in(pia).get(note_url(codys)).status_code == 404
    assert sign_in(alice).get(note_url(codys)).status_code == 404
    assert sign_in(alice).get(list_url(fern)).context["notes"] == [signed]


def test_author_reads_no_more_after_leaving_the_care_team(signed: CounsellingNote, fern: Client, cody: User) -> None:
    codys = write(fern, cody, "Cody's own words.")
    http = sign_in(cody)
    assert http.get(note_url(codys)).status_code == 200
    CareTeamMember.objects.filter(client=fern, user=cody).delete()
    assert http.get(note_url(codys)).status_code == 404
    assert http.get(list_url(fern)).status_code == 404


def test_a_supervisor_who_wrote_a_note_reads_it_but_writes_only_on_the_team(
    fern: Client, bob: User, alice: User
) -> None:
    CareTeamMember.objects.create(client=fern, user=bob, team_role=TeamRole.SUPERVISOR)
    note = write(fern, bob, "Bob's note.")
    CareTeamMember.objects.filter(client=fern, user=bob).delete()
    http = sign_in(bob)
    # Bob supervises Alice, so Fern's record opens to him; he is the author, so his own note does too.
    assert http.get(note_url(note)).status_code == 200
    assert http.get(list_url(fern)).context["notes"] == [note]
    assert http.post(note_url(note, "edit/"), {"session": "", "held_on": "2026-03-24", "text": "x"}).status_code == 403
    assert http.get(list_url(fern) + "new/").status_code == 403


def test_unknown_note_and_client_are_404(fern: Client, alice: User, signed: CounsellingNote) -> None:
    http = sign_in(alice)
    assert http.get(f"/clients/{fern.pk}/counselling-notes/999999/").status_code == 404
    assert http.get("/clients/999999/counselling-notes/").status_code == 404
