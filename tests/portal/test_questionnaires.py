"""Questionnaires due from the schedules, answered in the portal: scored on the server, alerts raised, and the client
never shown a score; a safety answer shows the crisis line at once."""

from __future__ import annotations

import re

import pytest
from django.test import Client as HttpClient

from iptcare.accounts.models import User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.models import Client
from iptcare.measures.actions import do_add_schedule
from iptcare.measures.models import Administration, Alert, AlertRule, AnsweredBy

pytestmark = pytest.mark.django_db


def phq9(item9: int, others: int = 1) -> dict[str, str]:
    answers = {f"item_{n}": str(others) for n in range(1, 9)}
    answers["item_9"] = str(item9)
    return answers


def visible_text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_a_due_questionnaire_is_listed_and_rendered_like_the_self_report_page(
    fern_http: HttpClient, phq9_due: None
) -> None:
    today = fern_http.get("/me/").content.decode()
    assert "/me/questionnaires/PHQ-9/" in today
    html = fern_http.get("/me/questionnaires/PHQ-9/").content.decode()
    assert "Over the last 2 weeks" in html
    assert "<legend>9. Thoughts that you would be better off dead" in html
    assert 'type="radio" name="item_9"' in html


def test_item_9_above_0_shows_the_supportive_message_and_crisis_line_and_never_the_score(
    fern_http: HttpClient, fern: Client, phq9_due: None
) -> None:
    response = fern_http.post("/me/questionnaires/PHQ-9/", phq9(item9=1, others=2))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in html
    assert "It sounds like things may be very hard right now" in html
    assert 'href="tel:988"' in html and 'href="sms:988"' in html
    assert "Your care team will be in touch with you soon." in html
    administration = Administration.objects.get(client=fern)
    assert administration.total == 17
    assert administration.answered_by == AnsweredBy.CLIENT_PORTAL
    text = visible_text(html)
    for score_word in ("17", "score", "Score", "Moderately severe", "severe", "band"):
        assert score_word not in text
    assert Alert.objects.get(client=fern).rule == AlertRule.PHQ9_ITEM9
    event = AuditEvent.objects.get(event_type=EventType.PORTAL_QUESTIONNAIRE)
    assert event.actor_label == "client:N-0001" and event.extra["instrument"] == "PHQ-9"
    assert AuditEvent.objects.filter(event_type=EventType.PORTAL_SUPPORT_SHOWN, client=fern).exists()


def test_no_score_even_when_the_organization_shows_scores_on_questionnaire_links(
    fern_http: HttpClient, fern: Client, phq9_due: None
) -> None:
    fern.organization.show_scores_to_clients = True
    fern.organization.save()
    html = fern_http.post("/me/questionnaires/PHQ-9/", phq9(item9=0, others=1)).content.decode()
    assert "Thank you. Your answers went to your care team." in html
    assert 'role="alert"' not in html
    main = visible_text(re.search(r"<main.*</main>", html, re.S).group(0))
    assert not re.search(r"\d", main.replace("988", ""))
    assert not Alert.objects.exists()


def test_a_cssrs_high_risk_answer_shows_the_supportive_message(
    fern_http: HttpClient, fern: Client, alice: User
) -> None:
    do_add_schedule(fern, "C-SSRS", "every_n_days", interval_days=7, acting_user=alice)
    answers = {"item_1": "yes", "item_2": "yes", "item_3": "yes", "item_4": "yes", "item_5": "no", "item_6": "no"}
    html = fern_http.post("/me/questionnaires/C-SSRS/", answers).content.decode()
    assert 'role="alert"' in html and 'href="tel:988"' in html
    assert "High risk" not in html
    assert Alert.objects.get(client=fern).rule == AlertRule.CSSRS_HIGH


def test_once_answered_it_is_no_longer_waiting(fern_http: HttpClient, fern: Client, phq9_due: None) -> None:
    fern_http.post("/me/questionnaires/PHQ-9/", phq9(item9=0, others=0))
    assert "/me/questionnaires/PHQ-9/" not in fern_http.get("/me/").content.decode()
    again = fern_http.post("/me/questionnaires/PHQ-9/", phq9(item9=0, others=0))
    assert again["Location"] == "/me/"
    assert Administration.objects.filter(client=fern).count() == 1


def test_a_questionnaire_that_is_not_due_cannot_be_answered(fern_http: HttpClient, fern: Client) -> None:
    for code in ("PHQ-9", "GAD-7", "NOPE"):
        assert fern_http.get(f"/me/questionnaires/{code}/")["Location"] == "/me/"
        assert fern_http.post(f"/me/questionnaires/{code}/", phq9(item9=0))["Location"] == "/me/"
    assert not Administration.objects.exists()


def test_in_spanish_the_questions_stay_as_published_and_the_page_says_so(
    fern_http: HttpClient, fern: Client, phq9_due: None
) -> None:
    account = fern.portal_account
    account.language = "es"
    account.save()
    html = fern_http.get("/me/questionnaires/PHQ-9/").content.decode()
    assert "Estas preguntas aparecen en inglés" in html
    assert "Little interest or pleasure in doing things" in html
    assert "Enviar mis respuestas" in html
