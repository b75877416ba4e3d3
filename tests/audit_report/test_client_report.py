"""An admin answers "who saw this client's record, and what left the building?" on one page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from iptcare.accounts.models import User
from iptcare.audit.events import record_event
from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.models import Client
from iptcare.consent.actions import do_record_disclosure
from iptcare.consent.gate import Recipient
from iptcare.emergency.models import EmergencyAccess
from tests.conftest import sign_in
from tests.consent.conftest import record_single

pytestmark = pytest.mark.django_db
URL = "/manage/audit/client-report/"


def test_it_lists_who_saw_the_record_emergencies_and_disclosures(
    fern: Client, alice: User, tom: User, eve: User, cody: User
) -> None:
    sign_in(alice).get(f"/clients/{fern.pk}/")
    sign_in(cody).get(f"/clients/{fern.pk}/")
    EmergencyAccess.objects.create(
        organization_id=fern.organization_id,
        client=fern,
        user=tom,
        reason="crisis",
        justification="Client called in crisis; the care team was away.",
        expires_at=timezone.now() + dt.timedelta(hours=1),
    )
    today = timezone.localdate()
    record_single(fern, alice, signed_on=today, expires_on=today + dt.timedelta(days=90))
    do_record_disclosure(
        fern,
        recipient=Recipient(name="Dr Rhea Reyes", organization="Valley Clinic"),
        purpose="treatment",
        categories=["attendance"],
        document="Attendance",
        channel="print",
        acting_user=alice,
    )

    page = sign_in(eve).get(URL, {"client": fern.identifier.lower()}).content.decode()

    assert "alice@north.test" in page and "cody@north.test" in page
    assert "Client called in crisis" in page and "not reviewed yet" in page
    assert "Dr Rhea Reyes (Valley Clinic)" in page and "Attendance" in page
    event = AuditEvent.objects.filter(event_type=EventType.AUDIT_VIEWED).latest("id")
    assert event.client == fern and event.extra["kind"] == "client_access_report"


def test_a_name_in_a_list_is_not_an_opened_record(fern: Client, tom: User, eve: User) -> None:
    record_event(EventType.CLIENT_LIST_VIEWED, actor=tom, client=fern)
    page = sign_in(eve).get(URL, {"client": fern.identifier}).content.decode()
    assert "tom@north.test" not in page


def test_only_admins_and_only_their_own_organization(fern: Client, alice: User, dan: User, sam: User) -> None:
    assert sign_in(alice).get(URL, {"client": fern.identifier}).status_code == 403
    assert sign_in(dan).get(URL, {"client": fern.identifier}).status_code == 403
    page = sign_in(sam).get(URL, {"client": fern.identifier}).content.decode()
    assert "No client with the identifier" in page
    assert fern.family_name not in page


def test_the_page_costs_the_same_queries_with_few_or_many_readers(fern: Client, eve: User, alice: User) -> None:
    http = sign_in(eve)
    http.get(URL, {"client": fern.identifier})
    with CaptureQueriesContext(connection) as few:
        http.get(URL, {"client": fern.identifier})
    few_count = len(few.captured_queries)
    for user in User.objects.filter(organization_id=fern.organization_id):
        record_event(EventType.CLIENT_VIEWED, actor=user, client=fern)
    with CaptureQueriesContext(connection) as many:
        http.get(URL, {"client": fern.identifier})
    assert len(many.captured_queries) == few_count
