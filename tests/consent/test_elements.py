"""Every element a consent needs (42 CFR §2.31; IPT-DOMAIN §10) is required, with a clear error on its field, on the
page and in the API; the rules for each kind of consent hold on both."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client as HttpClient

from iptcare.accounts.models import User
from iptcare.clients.models import Client
from iptcare.consent.models import Consent
from iptcare.consent.rules import MISSING
from tests.conftest import bearer, sign_in
from tests.consent.conftest import rhea_recipients, single_values, tpo_values


def page_data(values: dict[str, Any], recipients: list[dict[str, Any]]) -> dict[str, Any]:
    """The consent page's POST for `values` and `recipients` (three recipient rows)."""
    data: dict[str, Any] = {}
    for name, value in values.items():
        if value is None:
            continue
        if name == "named_disclosers":
            data[name] = [user.pk for user in value]
        elif isinstance(value, list):
            data[name] = value
        else:
            data[name] = str(value)
    rows = max(3, len(recipients))
    data |= {
        "recipients-TOTAL_FORMS": str(rows),
        "recipients-INITIAL_FORMS": "0",
        "recipients-MIN_NUM_FORMS": "0",
        "recipients-MAX_NUM_FORMS": "20",
    }
    for index, recipient in enumerate(recipients):
        for name, value in recipient.items():
            if name == "participants":
                value = "\n".join(value)
            if value in (False, None):
                continue
            data[f"recipients-{index}-{name}"] = "on" if value is True else value
    return data


def api_body(values: dict[str, Any], recipients: list[dict[str, Any]]) -> dict[str, Any]:
    body = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in values.items() if v is not None}
    body["named_discloser_ids"] = [user.pk for user in body.pop("named_disclosers", [])]
    body["recipients"] = recipients
    return body


def post_page(user: User, client: Client, values: dict[str, Any], recipients: list[dict[str, Any]]) -> Any:
    return sign_in(user).post(f"/clients/{client.pk}/consents/new/", page_data(values, recipients))


def post_api(user: User, client: Client, values: dict[str, Any], recipients: list[dict[str, Any]]) -> Any:
    return HttpClient().post(
        f"/api/v1/consent/clients/{client.pk}/consents",
        json.dumps(api_body(values, recipients)),
        content_type="application/json",
        **bearer(user),
    )


def page_errors(response: Any) -> dict[str, list[str]]:
    assert response.status_code == 200, "the form should have been shown again with errors"
    return {name: list(messages) for name, messages in response.context["form"].errors.items()}


def errors_both_ways(user: User, client: Client, values: dict[str, Any], recipients: list[dict[str, Any]]) -> dict:
    """The errors of the page and of the API, which must be the same."""
    on_page = page_errors(post_page(user, client, values, recipients))
    response = post_api(user, client, values, recipients)
    assert response.status_code == 422, response.content
    in_api = response.json()["errors"]
    assert {k.replace("named_discloser_ids", "named_disclosers"): v for k, v in in_api.items()} == on_page
    assert not Consent.objects.exists()
    return on_page


class TestEachElementIsRequired:
    @pytest.mark.parametrize("name", sorted(MISSING))
    def test_a_missing_element_gets_its_own_error(self, fern: Client, alice: User, name: str) -> None:
        # Left out: an empty list, an empty text, or (for a date) nothing at all.
        empty = {list: [], str: ""}.get(type(single_values()[name]))
        values = single_values(**{name: empty})
        errors = errors_both_ways(alice, fern, values, rhea_recipients())
        assert errors[name] == [MISSING[name]]

    def test_a_consent_without_recipients_is_refused(self, fern: Client, alice: User) -> None:
        errors = errors_both_ways(alice, fern, single_values(), [])
        assert errors == {"recipients": ["Name at least one recipient: a person or an organization."]}

    def test_a_recipient_row_needs_its_name(self, fern: Client, alice: User) -> None:
        row = {**rhea_recipients()[0], "name": ""}
        page = post_page(alice, fern, single_values(), [row])
        assert page.status_code == 200
        assert page.context["formset"].forms[0].errors == {"name": ["Name the recipient."]}
        response = post_api(alice, fern, single_values(), [row])
        assert response.json()["errors"] == {"recipients.0.name": ["Name the recipient."]}

    def test_an_intermediary_needs_its_participants(self, fern: Client, alice: User) -> None:
        row = {"kind": "intermediary", "name": "State HIE", "organization": "", "participants": []}
        response = post_api(alice, fern, single_values(), [row])
        assert list(response.json()["errors"]) == ["recipients.0.participants"]

    def test_named_staff_must_be_named(self, fern: Client, alice: User) -> None:
        errors = errors_both_ways(alice, fern, single_values(discloser_kind="named_staff"), rhea_recipients())
        assert errors == {"named_disclosers": ["Name the staff who may disclose."]}

    def test_an_other_purpose_is_described(self, fern: Client, alice: User) -> None:
        errors = errors_both_ways(alice, fern, single_values(purposes=["other"]), rhea_recipients())
        assert errors == {"purpose_other": ["Describe the other purpose."]}

    def test_legal_proceedings_need_a_court_order_reference(self, fern: Client, alice: User) -> None:
        errors = errors_both_ways(alice, fern, single_values(purposes=["legal_proceedings"]), rhea_recipients())
        assert errors == {
            "court_order_reference": [
                "Records are never disclosed for proceedings against the client without a court order: "
                "record its reference."
            ]
        }

    def test_an_expiry_date_is_given_when_it_expires_on_a_date(self, fern: Client, alice: User) -> None:
        errors = errors_both_ways(alice, fern, single_values(expires_on=None), rhea_recipients())
        assert errors == {"expires_on": ["Enter the expiry date."]}

    def test_a_representative_gives_their_relationship(self, fern: Client, alice: User) -> None:
        errors = errors_both_ways(alice, fern, single_values(signer_kind="representative"), rhea_recipients())
        assert list(errors) == ["representative_relationship"]

    def test_the_date_signed_is_not_in_the_future(self, fern: Client, alice: User) -> None:
        import datetime as dt

        errors = errors_both_ways(alice, fern, single_values(signed_on=dt.date(2026, 3, 3)), rhea_recipients())
        assert errors["signed_on"] == ["The date signed cannot be in the future."]

    def test_a_tpo_consent_needs_its_statements_acknowledged(self, fern: Client, alice: User) -> None:
        errors = errors_both_ways(alice, fern, tpo_values(acknowledged_statements=["redisclosure"]), [])
        assert errors == {
            "acknowledged_statements": [
                "The signer must acknowledge each statement of this kind of consent: consequences of refusing to "
                "sign, treatment is not conditioned on signing."
            ]
        }

    def test_a_complete_consent_is_recorded_from_the_page(self, fern: Client, alice: User) -> None:
        response = post_page(alice, fern, single_values(), rhea_recipients())
        consent = Consent.objects.get()
        assert response.status_code == 302 and response["Location"] == f"/clients/{fern.pk}/consents/{consent.pk}/"
        assert consent.kind == "single" and consent.version == 1 and consent.recorded_by == alice
        assert consent.effective_from == consent.signed_on
        assert [r.label for r in consent.recipients.all()] == ["Dr Rhea Reyes (Valley Clinic)"]


class TestKinds:
    def test_counselling_notes_are_never_combined_with_other_information(self, fern: Client, alice: User) -> None:
        values = single_values(
            kind="counselling_notes",
            categories=["counselling_notes", "attendance"],
            acknowledged_statements=["not_conditioned"],
        )
        errors = errors_both_ways(alice, fern, values, rhea_recipients())
        assert errors == {
            "categories": [
                "A counselling-notes consent covers SUD counselling notes only: it is never combined with other "
                "information."
            ]
        }

    @pytest.mark.parametrize("kind", ["single", "tpo", "research"])
    def test_no_other_kind_covers_counselling_notes(self, fern: Client, alice: User, kind: str) -> None:
        maker = tpo_values if kind == "tpo" else single_values
        purposes = {"research": ["research"]}.get(kind)
        values = maker(
            kind=kind, categories=["attendance", "counselling_notes"], **({"purposes": purposes} if purposes else {})
        )
        errors = errors_both_ways(alice, fern, values, rhea_recipients())
        assert errors == {
            "categories": [
                "SUD counselling notes need a consent of their own (kind “SUD counselling notes”), never combined "
                "with another kind."
            ]
        }

    def test_a_counselling_notes_consent_needs_the_not_conditioned_statement(self, fern: Client, alice: User) -> None:
        values = single_values(kind="counselling_notes", categories=["counselling_notes"])
        errors = errors_both_ways(alice, fern, values, rhea_recipients())
        assert list(errors) == ["acknowledged_statements"]

    def test_a_tpo_consent_may_have_no_expiry(self, fern: Client, alice: User) -> None:
        response = post_api(alice, fern, tpo_values(expiry_kind="none"), [])
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["expiry_kind"] == "none" and body["expires_on"] is None and body["status"] == "active"

    @pytest.mark.parametrize("kind", ["single", "research", "counselling_notes"])
    def test_other_kinds_may_not_have_no_expiry(self, fern: Client, alice: User, kind: str) -> None:
        extra: dict[str, Any] = {
            "research": {"purposes": ["research"]},
            "counselling_notes": {"categories": ["counselling_notes"], "acknowledged_statements": ["not_conditioned"]},
        }.get(kind, {})
        values = single_values(kind=kind, expiry_kind="none", expires_on=None, **extra)
        errors = errors_both_ways(alice, fern, values, rhea_recipients())
        assert errors == {
            "expiry_kind": ["Only a TPO consent may have no expiry: choose a date or the end of treatment."]
        }

    def test_only_a_tpo_consent_names_classes_of_recipients(self, fern: Client, alice: User) -> None:
        errors = errors_both_ways(
            alice, fern, single_values(recipient_classes=["treating_providers"]), rhea_recipients()
        )
        assert list(errors) == ["recipient_classes"]

    def test_a_tpo_consent_is_for_treatment_payment_and_operations_only(self, fern: Client, alice: User) -> None:
        errors = errors_both_ways(alice, fern, tpo_values(purposes=["treatment", "research"]), [])
        assert errors == {"purposes": ["A TPO consent is for treatment, payment and health care operations only."]}

    def test_a_tpo_consent_may_name_only_a_class(self, fern: Client, alice: User) -> None:
        response = post_page(alice, fern, tpo_values(), [])
        assert response.status_code == 302
        assert Consent.objects.get().recipient_classes == ["treating_providers", "health_plans"]
