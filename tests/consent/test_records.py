"""Disclosures are recorded with what they carried; consents, revocations and disclosures are kept as written."""

from __future__ import annotations

import pytest
import time_machine
from django.db import DatabaseError, connection, transaction

from iptcare.accounts.models import User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.models import Client
from iptcare.consent import triggers
from iptcare.consent.actions import (
    DisclosureRefused,
    do_change_consent,
    do_record_disclosure,
    do_revoke_consent,
    do_save_disclosure_settings,
)
from iptcare.consent.gate import check_disclosure
from iptcare.consent.models import Consent, ConsentRecipient, ConsentRevocation, Disclosure
from iptcare.consent.selectors import ConsentHistory
from iptcare.lib.notices import PART2_LONG_NOTICE, PART2_SHORT_NOTICE
from tests.consent.conftest import RHEA, TODAY, later, record_single, rhea_recipients, single_values

PLAN = ["treatment_plan"]


def disclose(client: Client, user: User, **overrides) -> Disclosure:
    values = {
        "recipient": RHEA,
        "purpose": "treatment",
        "categories": PLAN,
        "document": "Relapse-prevention plan, version 2",
        "channel": "print",
    } | overrides
    return do_record_disclosure(client, acting_user=user, **values)


class TestRecordingADisclosure:
    def test_it_records_who_to_whom_what_why_which_consent_when_and_the_notice(self, fern: Client, alice: User) -> None:
        consent = record_single(fern, alice)
        disclosure = disclose(fern, alice)
        assert disclosure.consent == consent and disclosure.disclosed_by == alice
        assert (disclosure.recipient_name, disclosure.recipient_organization) == ("Dr Rhea Reyes", "Valley Clinic")
        assert disclosure.purpose == "treatment" and disclosure.categories == PLAN
        assert disclosure.notice_version == "part2-2024-short" and disclosure.notice_text == PART2_SHORT_NOTICE
        assert disclosure.consent_summary.startswith("Fern Fairweather consented on 2026-03-02")
        event = AuditEvent.objects.get(event_type=EventType.DISCLOSURE_RECORDED)
        assert event.client == fern and event.actor == alice and event.object_id == str(disclosure.pk)
        assert event.extra["consent"] == consent.pk and event.extra["notice"] == "part2-2024-short"

    def test_a_refused_disclosure_records_nothing_but_its_refusal(self, fern: Client, alice: User) -> None:
        with pytest.raises(DisclosureRefused) as refused:
            disclose(fern, alice)
        assert refused.value.decision.code == "no_consent"
        assert not Disclosure.objects.exists()
        event = AuditEvent.objects.get(event_type=EventType.DISCLOSURE_REFUSED)
        assert event.client == fern and event.extra["code"] == "no_consent"
        assert event.extra["recipient"] == "Dr Rhea Reyes (Valley Clinic)"

    def test_the_notice_follows_the_organizations_choice_and_stays_pinned(
        self, fern: Client, alice: User, eve: User
    ) -> None:
        record_single(fern, alice)
        short = disclose(fern, alice)
        do_save_disclosure_settings(fern.organization_id, "long", acting_user=eve)
        long = disclose(fern, alice)
        assert (long.notice_version, long.notice_text) == ("part2-2024-long", PART2_LONG_NOTICE)
        short.refresh_from_db()
        assert (short.notice_version, short.notice_text) == ("part2-2024-short", PART2_SHORT_NOTICE)
        event = AuditEvent.objects.get(event_type=EventType.DISCLOSURE_SETTINGS_CHANGED)
        assert event.actor == eve and event.extra["changes"] == {"notice_form": ["short", "long"]}

    def test_a_disclosure_made_before_a_revocation_stays_valid(self, fern: Client, alice: User) -> None:
        consent = record_single(fern, alice)
        disclosure = disclose(fern, alice)
        with time_machine.travel(later(hours=1), tick=False):
            do_revoke_consent(
                consent,
                {"written_on": TODAY, "revoked_by_name": "Fern Fairweather", "reason": "Moving away"},
                acting_user=alice,
            )
            with pytest.raises(DisclosureRefused) as refused:
                disclose(fern, alice)
            assert refused.value.decision.code == "revoked"
        # The earlier disclosure is still on record, with its consent, and was covered when it was made.
        assert list(Disclosure.objects.all()) == [disclosure]
        assert check_disclosure(fern, RHEA, "treatment", PLAN, at=disclosure.disclosed_at).allowed
        revocation = ConsentRevocation.objects.get()
        assert revocation.reason == "Moving away" and revocation.consent == consent
        assert AuditEvent.objects.filter(event_type=EventType.CONSENT_REVOKED, client=fern).count() == 1

    def test_a_named_staff_consent_lets_only_them_disclose(self, fern: Client, alice: User, cody: User) -> None:
        record_single(fern, alice, discloser_kind="named_staff", named_disclosers=[cody])
        assert disclose(fern, cody).disclosed_by == cody
        with pytest.raises(DisclosureRefused):
            disclose(fern, alice)


class TestVersionsAndRevocations:
    def test_a_change_makes_a_new_version_and_keeps_the_old(self, fern: Client, alice: User) -> None:
        first = record_single(fern, alice)
        with time_machine.travel(later(minutes=5), tick=False):
            second = do_change_consent(
                first, single_values(categories=["attendance"]), rhea_recipients(), acting_user=alice
            )
        first.refresh_from_db()
        assert (second.version, second.series, second.supersedes) == (2, first.series, first)
        assert first.superseded_at == second.recorded_at and first.categories == [*PLAN, "attendance"]
        history = ConsentHistory(fern)
        assert [history.status(c, later(minutes=10)).status for c in history.series(first)] == ["active", "superseded"]
        assert AuditEvent.objects.filter(event_type=EventType.CONSENT_VERSIONED, object_id=str(second.pk)).exists()

    def test_only_the_current_version_of_an_unrevoked_consent_changes(self, fern: Client, alice: User) -> None:
        from django.core.exceptions import ValidationError

        first = record_single(fern, alice)
        do_change_consent(first, single_values(), rhea_recipients(), acting_user=alice)
        with pytest.raises(ValidationError):
            do_change_consent(first, single_values(), rhea_recipients(), acting_user=alice)
        with pytest.raises(ValidationError):
            do_revoke_consent(first, {"written_on": TODAY, "revoked_by_name": "Fern"}, acting_user=alice)
        current = Consent.objects.get(version=2)
        do_revoke_consent(current, {"written_on": TODAY, "revoked_by_name": "Fern"}, acting_user=alice)
        with pytest.raises(ValidationError):
            do_revoke_consent(current, {"written_on": TODAY, "revoked_by_name": "Fern"}, acting_user=alice)
        with pytest.raises(ValidationError):
            do_change_consent(current, single_values(), rhea_recipients(), acting_user=alice)


class TestKeptAsWritten:
    def test_every_consent_column_is_locked_or_set_once(self) -> None:
        columns = {field.column for field in Consent._meta.concrete_fields}
        assert columns == set(triggers.CONSENT_FIXED_COLUMNS) | set(triggers.CONSENT_COLUMNS_SET_ONCE)

    def test_a_consent_is_never_changed_or_deleted(self, fern: Client, alice: User) -> None:
        consent = record_single(fern, alice)
        for change in (
            lambda: Consent.objects.filter(pk=consent.pk).update(signer_name="Someone else"),
            lambda: Consent.objects.filter(pk=consent.pk).update(categories=["measures"]),
            lambda: Consent.objects.filter(pk=consent.pk).delete(),
        ):
            with pytest.raises(DatabaseError), transaction.atomic():
                change()
        assert Consent.objects.get(pk=consent.pk).signer_name == "Fern Fairweather"

    def test_superseded_is_set_once_only(self, fern: Client, alice: User) -> None:
        consent = record_single(fern, alice)
        do_change_consent(consent, single_values(), rhea_recipients(), acting_user=alice)
        with pytest.raises(DatabaseError), transaction.atomic():
            Consent.objects.filter(pk=consent.pk).update(superseded_at=later(days=1))

    @pytest.mark.parametrize("model", [Disclosure, ConsentRevocation, ConsentRecipient])
    def test_recipients_revocations_and_disclosures_are_append_only(self, fern: Client, alice: User, model) -> None:
        consent = record_single(fern, alice)
        disclose(fern, alice)
        do_revoke_consent(consent, {"written_on": TODAY, "revoked_by_name": "Fern"}, acting_user=alice)
        rows = model.objects.all()
        assert rows.exists()
        field = {"Disclosure": "document", "ConsentRevocation": "reason", "ConsentRecipient": "name"}[model.__name__]
        with pytest.raises(DatabaseError), transaction.atomic():
            rows.update(**{field: "rewritten"})
        with pytest.raises(DatabaseError), transaction.atomic():
            rows.delete()

    def test_named_disclosers_are_append_only(self, fern: Client, alice: User, cody: User) -> None:
        consent = record_single(fern, alice, discloser_kind="named_staff", named_disclosers=[cody])
        with pytest.raises(DatabaseError), transaction.atomic():
            consent.named_disclosers.clear()

    def test_the_triggers_can_be_lifted_and_put_back(self, fern: Client, alice: User) -> None:
        consent = record_single(fern, alice)
        triggers.unprotect(connection)
        try:
            Consent.objects.filter(pk=consent.pk).update(signer_name="Changed while unprotected")
        finally:
            triggers.protect(connection)
        with pytest.raises(DatabaseError), transaction.atomic():
            Consent.objects.filter(pk=consent.pk).update(signer_name="Again")
