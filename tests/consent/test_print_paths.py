"""The print paths outside the consent app (plan, safety plan, closeness circle) go through the gate
(docs/disclosures.md)."""

from __future__ import annotations

from django.utils.html import escape

from iptcare.accounts.models import User
from iptcare.clients.models import Client
from iptcare.consent.models import Disclosure
from iptcare.ipt.actions import do_open_episode
from iptcare.plans.actions import do_start_plan_version
from tests.conftest import sign_in
from tests.consent.conftest import record_single

RHEA = {
    "disclose": "1",
    "disclose-recipient_name": "Dr Rhea Reyes",
    "disclose-recipient_organization": "Valley Clinic",
    "disclose-purpose": "treatment",
}


def test_the_plan_print_goes_through_the_gate(fern: Client, alice: User, bob: User) -> None:
    episode = do_open_episode(fern, format_="individual", primary_therapist=alice, acting_user=alice)
    do_start_plan_version("relapse_prevention", episode, acting_user=alice)
    url = f"/clients/{fern.pk}/episodes/{episode.pk}/plan/print/"
    http = sign_in(alice)
    assert "Print for someone outside the program" in http.get(url).content.decode()
    assert "This client has no consent to disclose on record." in http.post(url, RHEA).content.decode()
    record_single(fern, alice)  # the plan and attendance, but not the people in Fern's life
    refused = http.post(url, RHEA).content.decode()
    assert "No consent in effect covers all of this information." in refused
    record_single(fern, alice, categories=["treatment_plan", "relationships"])
    response = http.post(url, RHEA)
    assert response.status_code == 302
    disclosure = Disclosure.objects.get()
    assert disclosure.document == "Relapse-prevention plan, version 1"
    printed = http.get(response["Location"]).content.decode()
    assert "Disclosed to Dr Rhea Reyes (Valley Clinic) for Treatment" in printed
    assert escape(disclosure.consent_summary) in printed
    assert sign_in(bob).post(url, RHEA).status_code == 404  # a supervisor reads, but does not disclose


def test_the_circle_print_goes_through_the_gate(fern: Client, alice: User) -> None:
    episode = do_open_episode(fern, format_="individual", primary_therapist=alice, acting_user=alice)
    record_single(fern, alice, categories=["relationships"])
    url = f"/clients/{fern.pk}/episodes/{episode.pk}/inventory/circle/?print=1"
    http = sign_in(alice)
    page = http.get(url).content.decode()
    assert "Print for someone outside the program" in page
    assert page.count("42 CFR part 2 prohibits unauthorized use or disclosure of these records.") == 2
    response = http.post(url, RHEA)
    assert response.status_code == 302 and "print=1" in response["Location"]
    printed = http.get(response["Location"]).content.decode()
    assert "Disclosed to Dr Rhea Reyes (Valley Clinic) for Treatment" in printed
    assert Disclosure.objects.get().categories == ["relationships"]


def test_the_record_links_to_its_consents_and_admins_reach_the_notice_setting(
    fern: Client, alice: User, eve: User
) -> None:
    assert f'href="/clients/{fern.pk}/consents/"' in sign_in(alice).get(f"/clients/{fern.pk}/").content.decode()
    assert 'href="/manage/disclosures/"' in sign_in(eve).get("/manage/disclosures/").content.decode()
