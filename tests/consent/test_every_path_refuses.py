"""Every gated disclosure path refuses without a consent in effect (docs/disclosures.md, "Every path by which client
data leaves the product today").

Each test runs over every page that can print for someone outside the program (PATHS): no consent refuses and
records nothing; an active consent that covers the recipient, purpose and information allows, and the disclosure is
recorded with the organization's notice and the consent summary and printed with both; a revoked consent refuses
from the moment of revocation, an expired one after its date, and of a consent's versions only the newest decides.
`test_every_page_that_prints_for_an_outside_recipient_is_listed` finds those pages by crawling the record, so a new
gated print page fails until it is listed here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.test import Client as HttpClient
from django.utils.html import escape

from iptcare.accounts.models import User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.models import Client
from iptcare.consent.actions import do_change_consent, do_revoke_consent
from iptcare.consent.models import Consent, Disclosure, DisclosureSettings
from iptcare.consent.summary import consent_summary
from iptcare.ipt.actions import do_open_episode
from iptcare.ipt.models import Episode
from iptcare.plans.actions import do_start_plan_version
from tests.conftest import sign_in
from tests.consent.conftest import TODAY, later, record_single, rhea_recipients, single_values
from tests.crawl import crawler
from tests.crawl.world import build_org_data

RHEA_FORM = {
    "disclose": "1",
    "disclose-recipient_name": "Dr Rhea Reyes",
    "disclose-recipient_organization": "Valley Clinic",
    "disclose-purpose": "treatment",
}
# Everything the paths below print, so one consent covers them all.
ALL_CATEGORIES = ["treatment_plan", "relationships", "attendance"]


@dataclass(frozen=True)
class Path:
    route_name: str  # the URL pattern's name, matched by the discovery test
    url: Callable[[Episode], str]
    categories: list[str]
    document: str  # how the accounting names what was printed (its start)


def _episode_url(rest: str) -> Callable[[Episode], str]:
    return lambda e: f"/clients/{e.client_id}/episodes/{e.pk}/{rest}"


PATHS = {
    "plan": Path("plan_print", _episode_url("plan/print/"), ["treatment_plan", "relationships"], "Relapse-prevention"),
    "safety plan": Path(
        "safety_plan_print", _episode_url("safety-plan/print/"), ["treatment_plan", "relationships"], "Safety plan"
    ),
    "circle": Path("closeness_circle", _episode_url("inventory/circle/?print=1"), ["relationships"], "Closeness"),
}
each_path = pytest.mark.parametrize("path", list(PATHS.values()), ids=list(PATHS))


@pytest.fixture
def episode(fern: Client, alice: User) -> Episode:
    episode = do_open_episode(fern, format_="individual", primary_therapist=alice, acting_user=alice)
    do_start_plan_version("relapse_prevention", episode, acting_user=alice)
    do_start_plan_version("safety", episode, acting_user=alice)
    return episode


def disclose(path: Path, episode: Episode, user: User, http: HttpClient | None = None) -> Any:
    return (http or sign_in(user)).post(path.url(episode), RHEA_FORM)


def refusal_codes(client: Client) -> list[str]:
    events = AuditEvent.objects.filter(event_type=EventType.DISCLOSURE_REFUSED, client=client).order_by("id")
    return [event.extra["code"] for event in events]


def assert_refused(response: Any, client: Client, code: str, *, disclosures: int = 0) -> None:
    """The page shows the form again with the gate's reason; nothing more is recorded as disclosed."""
    assert response.status_code == 200
    assert 'name="disclose"' in response.content.decode()
    assert response.context["disclosure_form"].non_field_errors()
    assert Disclosure.objects.filter(client=client).count() == disclosures
    assert refusal_codes(client)[-1] == code


@each_path
def test_without_a_consent_it_refuses_and_records_nothing(
    path: Path, fern: Client, alice: User, episode: Episode
) -> None:
    response = disclose(path, episode, alice)
    assert_refused(response, fern, "no_consent")
    assert "This client has no consent to disclose on record." in response.content.decode()
    assert not AuditEvent.objects.filter(event_type=EventType.DISCLOSURE_RECORDED).exists()


@each_path
def test_an_active_consent_allows_and_the_disclosure_carries_the_notice_and_summary(
    path: Path, fern: Client, alice: User, episode: Episode
) -> None:
    consent = record_single(fern, alice, categories=ALL_CATEGORIES)
    http = sign_in(alice)
    response = disclose(path, episode, alice, http)
    assert response.status_code == 302
    disclosure = Disclosure.objects.get(client=fern)
    assert response["Location"].endswith(f"disclosure={disclosure.pk}")
    notice = DisclosureSettings.for_organization(fern.organization_id).notice
    assert disclosure.consent == consent and disclosure.disclosed_by == alice
    assert (disclosure.recipient_name, disclosure.recipient_organization) == ("Dr Rhea Reyes", "Valley Clinic")
    assert disclosure.purpose == "treatment" and disclosure.channel == Disclosure.Channel.PRINT
    assert disclosure.categories == path.categories and disclosure.document.startswith(path.document)
    assert (disclosure.notice_version, disclosure.notice_text) == (notice.version, notice.text)
    assert disclosure.consent_summary == consent_summary(consent) != ""
    recorded = AuditEvent.objects.get(event_type=EventType.DISCLOSURE_RECORDED)
    assert (recorded.actor, recorded.client, recorded.object_id) == (alice, fern, str(disclosure.pk))
    printout = http.get(response["Location"]).content.decode()
    assert "Disclosed to Dr Rhea Reyes (Valley Clinic) for Treatment" in printout
    assert escape(disclosure.notice_text) in printout and escape(disclosure.consent_summary) in printout
    assert 'name="disclose"' not in printout  # the printout of a disclosure offers no second one


@each_path
def test_a_consent_that_does_not_cover_the_information_refuses(
    path: Path, fern: Client, alice: User, episode: Episode
) -> None:
    record_single(fern, alice, categories=["attendance"])
    assert_refused(disclose(path, episode, alice), fern, "category_not_covered")


@each_path
def test_a_revoked_consent_refuses_from_the_revocation_on(
    path: Path, fern: Client, alice: User, episode: Episode
) -> None:
    consent = record_single(fern, alice, categories=ALL_CATEGORIES)
    assert disclose(path, episode, alice).status_code == 302
    with time_machine.travel(later(hours=1), tick=False):
        do_revoke_consent(consent, {"written_on": TODAY, "revoked_by_name": "Fern Fairweather"}, acting_user=alice)
    with time_machine.travel(later(hours=2), tick=False):
        response = disclose(path, episode, alice)
    # The disclosure made before the revocation stays in the accounting; nothing new is added.
    assert_refused(response, fern, "revoked", disclosures=1)


@each_path
def test_an_expired_consent_refuses_after_its_date(path: Path, fern: Client, alice: User, episode: Episode) -> None:
    record_single(fern, alice, categories=ALL_CATEGORIES, expires_on=TODAY + dt.timedelta(days=30))
    with time_machine.travel(later(days=29), tick=False):
        assert disclose(path, episode, alice).status_code == 302
    with time_machine.travel(later(days=31), tick=False):
        # Signed in after the jump, so that the session's idle timeout plays no part.
        response = disclose(path, episode, alice)
    assert_refused(response, fern, "expired", disclosures=1)


@each_path
def test_a_new_version_decides_not_the_one_it_superseded(
    path: Path, fern: Client, alice: User, episode: Episode
) -> None:
    first = record_single(fern, alice, categories=ALL_CATEGORIES)
    narrower = do_change_consent(first, single_values(categories=["attendance"]), rhea_recipients(), acting_user=alice)
    assert_refused(disclose(path, episode, alice), fern, "superseded")
    wider = do_change_consent(narrower, single_values(categories=ALL_CATEGORIES), rhea_recipients(), acting_user=alice)
    assert disclose(path, episode, alice).status_code == 302
    assert Disclosure.objects.get(client=fern).consent == wider
    assert list(Consent.objects.filter(series=first.series).order_by("version")) == [first, narrower, wider]


@each_path
def test_a_supervisor_who_reads_the_record_cannot_disclose(
    path: Path, fern: Client, alice: User, bob: User, episode: Episode
) -> None:
    record_single(fern, alice, categories=ALL_CATEGORIES)
    assert sign_in(bob).get(path.url(episode)).status_code == 200
    assert disclose(path, episode, bob).status_code == 404
    assert not Disclosure.objects.exists()


def test_every_page_that_prints_for_an_outside_recipient_is_listed(fern: Client, alice: User, north: Any) -> None:
    """Crawl every page of a full record as its therapist; those that offer "Print for someone outside the program"
    must be the PATHS above."""
    data = build_org_data("Zqxnorth", north, alice, client=fern, domain="north.test")
    routes, _unknown = crawler.discover()
    http = sign_in(alice)
    offering = set()
    for route in routes:
        if route.is_api or not route.params or crawler.SECRET_PARAMS & set(route.params):
            continue
        for url in crawler.fill(route, lambda _position, _name: data):
            for query in ("", "?print=1"):
                response = http.get(url + query)
                if response.status_code == 200 and 'name="disclose"' in response.content.decode():
                    offering.add(route.name)
    assert offering == {path.route_name for path in PATHS.values()}
