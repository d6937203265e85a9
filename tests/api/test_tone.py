"""POST /api/v1/tone: a logged-in parent checks a draft before sending it. The same verdict as
`coparent tone --json`; rate-limited; nothing it is sent is stored or logged."""

from __future__ import annotations

import json
import logging

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from coparent.api.endpoints.tone import MAX_TEXT
from coparent.cli import main
from coparent.core.tone import analyse
from tests.api.conftest import AUTH_QUERIES

STORY = "You ALWAYS do this, you're a terrible father."


RATE_LIMIT = 60  # the default `tone.user` limit, a minute
# Counting one call in the database cache once the counter exists, inside the counter's own
# transaction (a savepoint and its release in a test's transaction, coparent.infra.ratelimit):
# a read, then the write-back (COUNT of the table, SELECT, UPDATE, inside a savepoint).
COUNTER_QUERIES = 8


def _counter_queries() -> int:
    # On PostgreSQL the counter's row is locked (SELECT ... FOR UPDATE) and read again under the
    # lock; SQLite's IMMEDIATE transaction holds the write lock already.
    return COUNTER_QUERIES + (2 if connection.features.has_select_for_update else 0)


def test_alex_checks_a_hostile_draft_and_sees_why_and_a_calmer_version(cast, as_):
    response = as_(cast.alex).post("/tone", {"text": STORY})

    assert response.status_code == 200
    body = response.json()
    assert body == json.loads(json.dumps(analyse(STORY).as_dict()))
    assert list(body) == ["level", "score", "flags", "rewrite"]
    assert body["level"] == "hostile"
    assert {
        "start": 20,
        "end": 44,
        "text": "you're a terrible father",
        "kind": "insult",
    }.items() <= (next(f for f in body["flags"] if f["kind"] == "insult").items())
    assert body["rewrite"].startswith("Hi,")


@pytest.mark.parametrize(
    "text",
    [
        STORY,
        "Thanks so much for taking Mia to the dentist 😊",
        "Zoë's recital is at 7 — per my last message, bring her shoes!!!",
        "",
        "I never got the form",
    ],
)
def test_the_api_and_the_command_give_the_same_verdict(cast, as_, capsys, text):
    api = as_(cast.sam).post("/tone", {"text": text}).json()
    assert main(["tone", "--json", text]) == 0
    assert json.loads(capsys.readouterr().out) == api


def test_an_anonymous_caller_is_turned_away(cast, as_):
    response = as_(None).post("/tone", {"text": STORY})
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="coparent"'


def test_the_compose_page_may_call_it_with_the_browser_session(cast):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(cast.alex)
    browser.get("/accounts/")  # the page the script runs on sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    response = browser.post(
        "/api/v1/tone",
        json.dumps({"text": STORY}),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 200
    assert response.json()["level"] == "hostile"
    forged = browser.post("/api/v1/tone", json.dumps({"text": STORY}), "application/json")
    assert forged.status_code == 403


def test_a_script_hammering_the_coach_is_slowed_down_per_person(cast, as_):
    alex = as_(cast.alex)
    for _ in range(RATE_LIMIT):
        assert alex.post("/tone", {"text": "See you at 6."}).status_code == 200

    response = alex.post("/tone", {"text": "See you at 6."})

    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 61
    assert response.json()["detail"].startswith("Too many attempts in a short time.")
    # Sam has his own allowance.
    assert as_(cast.sam).post("/tone", {"text": "See you at 6."}).status_code == 200


def _stores_nothing_but_the_counter(captured, story: str) -> None:
    """Every write is the rate counter in the cache table, and no query carries the text."""
    for query in captured.captured_queries:
        sql = query["sql"]
        assert "terrible" not in sql and "ALWAYS" not in sql
        if not sql.lstrip().upper().startswith(("SELECT", "SAVEPOINT", "RELEASE SAVEPOINT")):
            assert settings.CACHE_TABLE in sql, sql


def test_it_stores_nothing_bearer(cast, as_, django_assert_num_queries):
    sam = as_(cast.sam)
    sam.post("/tone", {"text": "warm-up"})  # the token's once-a-minute last_used_at update
    # The token and its user (one SELECT), then the person's rate counter in the database
    # cache (COUNTER_QUERIES above).
    with django_assert_num_queries(AUTH_QUERIES + _counter_queries()) as captured:
        response = sam.post("/tone", {"text": STORY})
    assert response.status_code == 200
    _stores_nothing_but_the_counter(captured, STORY)


def test_it_stores_nothing_session(cast, django_assert_num_queries):
    browser = cast.client_for(cast.alex)
    browser.post("/api/v1/tone", {"text": "warm-up"}, content_type="application/json")
    # The session row (1), its user (1) and its listing (1: a session that must end is ended on
    # the API too), all reads; then the rate counter, as above.
    with django_assert_num_queries(3 + _counter_queries()) as captured:
        response = browser.post("/api/v1/tone", {"text": STORY}, content_type="application/json")
    assert response.status_code == 200
    _stores_nothing_but_the_counter(captured, STORY)


def test_the_text_never_reaches_the_logs(cast, as_, caplog):
    secret = "Mia's therapist said the custody thing is hard on her 7f3c"
    with caplog.at_level(logging.DEBUG):
        assert as_(cast.alex).post("/tone", {"text": secret}).status_code == 200
        assert as_(cast.alex).post("/tone", {"text": secret, "x": 1}).status_code == 422
    assert "7f3c" not in caplog.text


def test_a_text_at_the_limit_is_analysed_in_part_and_says_so(cast, as_):
    response = as_(cast.alex).post("/tone", {"text": "You never listen. " * (MAX_TEXT // 18)})
    assert response.status_code == 200
    (nudge,) = [f for f in response.json()["flags"] if f["kind"] == "length"]
    assert "Only the first 20,000 characters were checked" in nudge["why"]


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (
            {"text": "a" * (MAX_TEXT + 1)},
            "text",
            "Ensure this value has at most 100000 characters.",
        ),
        ({}, "text", "This field is required."),
        ({"text": 42}, "text", "Enter text."),
        ({"text": "hi", "draft": True}, "draft", "Unknown field."),
    ],
)
def test_bad_input_gets_a_field_message(cast, as_, body, field, message):
    response = as_(cast.alex).post("/tone", body)
    assert response.status_code == 422
    assert response.json()["errors"] == {field: [message]}


def test_junk_nuls_and_lone_surrogates_get_a_verdict(cast, as_):
    raw = '{"text": "\\u0000\\u0001 \\ud800 you idiot \\udfff \\u00ff"}'
    response = as_(cast.alex).post("/tone", raw=raw)
    assert response.status_code == 200
    body = response.json()
    assert body["level"] == "hostile"
    assert all("\ud800" not in flag["text"] for flag in body["flags"])


def test_the_schema_documents_the_operation_and_its_answers(cast, as_):
    schema = as_(cast.alex).get("/openapi.json").json()
    operation = schema["paths"]["/api/v1/tone"]["post"]
    assert operation["operationId"] == "tone_check"
    assert {"200", "401", "422", "429"} <= set(operation["responses"])
