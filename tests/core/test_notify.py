"""The notification centre's pure rules: defaults per kind and channel, when a reminder is
due (each reminder found by at least one scan whatever the scans' timing), short excerpts,
and which push services a subscription may name."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coparent.core.notify import (
    EVENT_LEAD,
    EXCHANGE_LEAD,
    PUSH_SERVICES,
    Channel,
    Kind,
    excerpt,
    grid,
    push_endpoint_allowed,
    reminder_due,
    wants,
)


def test_the_defaults_in_the_app_everything_by_email_what_asks_for_action():
    table = grid({})
    assert all(table[kind][Channel.IN_APP] for kind in Kind)
    assert all(table[kind][Channel.PUSH] for kind in Kind)
    emailed = {kind for kind in Kind if table[kind][Channel.EMAIL]}
    assert emailed == {
        Kind.PROPOSAL,
        Kind.EVENT,
        Kind.MESSAGE,
        Kind.AGREEMENT,
        Kind.REQUEST,
        Kind.DOCUMENT,
        Kind.EXPENSE,
    }


def test_a_choice_beats_the_default_and_only_for_its_cell():
    choices = {("rsvp", "email"): True, ("message", "push"): False}
    assert wants(choices, Kind.RSVP, Channel.EMAIL)
    assert not wants(choices, Kind.MESSAGE, Channel.PUSH)
    assert wants(choices, Kind.MESSAGE, Channel.EMAIL)


def test_the_lead_times_defaults_lie_in_their_bounds():
    assert EXCHANGE_LEAD.check(EXCHANGE_LEAD.default) and EXCHANGE_LEAD.default == 120
    assert EVENT_LEAD.check(EVENT_LEAD.default) and EVENT_LEAD.default == 24 * 60
    assert not EXCHANGE_LEAD.check(EXCHANGE_LEAD.low - 1)
    assert not EVENT_LEAD.check(EVENT_LEAD.high + 1)


START = datetime(2030, 5, 6, 23, 0, tzinfo=UTC)


def test_a_reminder_is_due_from_the_lead_until_the_start():
    lead = timedelta(hours=2)
    assert not reminder_due(start=START, lead=lead, now=START - lead - timedelta(seconds=1))
    assert reminder_due(start=START, lead=lead, now=START - lead)
    assert reminder_due(start=START, lead=lead, now=START - timedelta(seconds=1))
    assert not reminder_due(start=START, lead=lead, now=START)


@given(
    lead_minutes=st.integers(EXCHANGE_LEAD.low, EXCHANGE_LEAD.high),
    gaps=st.lists(st.integers(1, 14), min_size=1, max_size=400),
    offset=st.integers(0, 14 * 60),
)
def test_scans_closer_together_than_the_lead_never_miss_a_reminder(lead_minutes, gaps, offset):
    """However the worker's scans fall, at most 14 minutes apart (every five minutes, with a
    slow one now and then), the first scan inside [start - lead, start) finds it due."""
    lead = timedelta(minutes=lead_minutes)
    scan = START - timedelta(days=1, minutes=offset)
    found = []
    for gap in [*gaps, *([14] * 200)]:
        if reminder_due(start=START, lead=lead, now=scan):
            found.append(scan)
        if scan >= START:
            break
        scan += timedelta(minutes=gap)
    assert found, "no scan found the reminder due"
    assert all(START - lead <= moment < START for moment in found)


@given(st.text(max_size=400), st.integers(2, 200))
def test_an_excerpt_is_one_line_and_never_longer_than_asked(text, limit):
    short = excerpt(text, limit)
    assert "\n" not in short and len(short) <= limit
    if len(" ".join(text.split())) <= limit:
        assert short == " ".join(text.split())
    else:
        assert short.endswith("…")


def test_an_excerpt_cuts_no_accent_off_its_letter():
    text = "e\u0301" * 10
    assert excerpt(text, 6) == "e\u0301e\u0301…"


@pytest.mark.parametrize(
    ("endpoint", "allowed"),
    [
        ("https://fcm.googleapis.com/fcm/send/abc:def", True),
        ("https://updates.push.services.mozilla.com/wpush/v2/gAAA", True),
        ("https://web.push.apple.com/QGuQ", True),
        ("https://wns2-par02p.notify.windows.com/w/?token=x", True),
        ("https://notify.windows.com/w/", False),  # ".notify.windows.com": subdomains only
        ("http://fcm.googleapis.com/fcm/send/abc", False),  # not over https
        ("https://fcm.googleapis.com.evil.example/x", False),
        ("https://evil.example/fcm.googleapis.com", False),
        ("https://user@fcm.googleapis.com/x", False),
        ("https://fcm.googleapis.com:notaport/x", False),
        ("https://127.0.0.1/x", False),
        ("file:///etc/passwd", False),
        ("", False),
    ],
)
def test_only_a_known_push_service_may_be_named(endpoint, allowed):
    assert push_endpoint_allowed(endpoint, PUSH_SERVICES) is allowed


def test_an_operator_may_add_a_push_service_on_this_machine():
    services = [*PUSH_SERVICES, "http://127.0.0.1"]
    assert push_endpoint_allowed("http://127.0.0.1:8123/push/1", services)
    assert not push_endpoint_allowed("https://127.0.0.1/push/1", services)
