"""Opening the family on a phone at the school gate: today first. Who has the children now and
until when, the next exchange (when, where, who hands over), the children's events of today and
of the week, and what waits for me (a proposal, an event to answer, unread messages) — then the
rest (coparent.families.today)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from coparent.events.services import rsvp_set
from coparent.families.models import Family
from coparent.families.today import family_today
from coparent.messaging.services import thread_start
from coparent.schedule.services import plan_accept, plan_propose
from tests.events.conftest import add_party
from tests.families.helpers import client_for

CHICAGO = ZoneInfo("America/Chicago")


def _today():
    return timezone.now().astimezone(CHICAGO).date()


@pytest.fixture
def chicago(cast):
    """The Rivera family in Chicago, on alternating weeks from today: Alex has the children
    for seven days from today's 17:30 exchange at school, then Sam."""
    Family.objects.filter(pk=cast.family.pk).update(timezone="America/Chicago")
    cast.family.refresh_from_db()
    plan = {
        "timezone": "America/Chicago",
        "parents": ["Alex", "Sam"],
        "start": _today().isoformat(),
        "exchange_time": "17:30",
        "pattern": "alternating-weeks",
        "exchange_place": "School",
    }
    version = plan_propose(access=cast.access(cast.alex), plan=plan, effective_from=_today())
    plan_accept(access=cast.access(cast.sam), version=version)
    cast.plan = plan
    return cast


def _local(days: int, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(_today() + timedelta(days=days), time(hour, minute), CHICAGO)


def test_sam_sees_who_has_the_children_now_and_until_when(chicago):
    # Two days in, at ten in the morning: Alex's week, until next week's 17:30 at school.
    today = family_today(chicago.access(chicago.sam), now=_local(2, 10))

    custody = today.custody
    assert (custody.name, custody.letter) == ("Alex", "A")
    assert custody.until == _local(7, 17, 30)
    assert (custody.giver, custody.taker, custody.place) == ("Alex", "Sam", "School")
    assert today.day == _today() + timedelta(days=2)


def test_the_home_page_answers_who_has_the_children_first(chicago):
    page = client_for(chicago.sam).get(reverse("families:dashboard", args=[chicago.family.pk]))

    text = page.content.decode()
    assert page.status_code == 200
    # Whatever the time of day: someone has them now, until an exchange at school.
    assert "The children are with <strong>" in text
    assert "hands over to" in text and "School" in text
    assert text.index("The children are with") < text.index("Children</h2>")
    assert "Times in America/Chicago (C" in text


def test_without_a_plan_the_page_says_so_and_a_parent_is_offered_the_editor(cast):
    page = client_for(cast.alex).get(reverse("families:dashboard", args=[cast.family.pk]))
    text = page.content.decode()
    assert "No parenting plan is in force yet" in text
    assert reverse("schedule:edit", args=[cast.family.pk]) in text
    viewer = client_for(cast.vic).get(reverse("families:dashboard", args=[cast.family.pk]))
    assert reverse("schedule:edit", args=[cast.family.pk]) not in viewer.content.decode()


def _event(cast, title: str, start: datetime):
    """Sam adds an hour-long game of Mia's, in Chicago."""
    return add_party(
        cast,
        by=cast.sam,
        title=title,
        kind="sports",
        timezone_name="America/Chicago",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        notify=False,
    )


def test_todays_and_this_weeks_events_each_in_their_place(chicago):
    now = _local(0, 8)
    _event(chicago, "Swimming", _local(0, 16))
    _event(chicago, "School play", _local(3, 18))
    _event(chicago, "Dentist", _local(9, 9))

    today = family_today(chicago.access(chicago.vic), now=now)

    assert [e.title for e in today.events_today] == ["Swimming"]
    assert [e.title for e in today.events_week] == ["School play"]
    # A viewer sees a child's first name only, here as everywhere.
    assert today.events_week[0].children == "Mia"


def test_what_waits_for_alex_and_only_for_alex(chicago):
    party = _event(chicago, "Mia's party", timezone.now() + timedelta(days=2))
    thread_start(
        access=chicago.access(chicago.sam), subject="Shoes", topic="other", body="Size 31 now."
    )
    plan_propose(
        access=chicago.access(chicago.sam),
        plan={**chicago.plan, "pattern": "2-2-3"},
        effective_from=_today() + timedelta(days=20),
    )

    waiting = {w.kind: w for w in family_today(chicago.access(chicago.alex)).waiting}

    assert sorted(waiting) == ["messages", "proposal", "rsvp"]
    assert waiting["proposal"].text == (
        "Sam proposed a change to the parenting plan. It waits for your answer."
    )
    assert waiting["proposal"].url.endswith("/schedule/proposals/#pending")
    assert waiting["rsvp"].url.endswith(f"/events/{party.pk}/#rsvp")
    assert waiting["messages"].text == "1 message you have not read yet."
    # Sam waits for nothing she did herself; the mediator answers nothing; Vic has no messages.
    assert family_today(chicago.access(chicago.sam)).waiting == []
    assert [w.kind for w in family_today(chicago.access(chicago.morgan)).waiting] == []
    assert family_today(chicago.access(chicago.vic)).waiting == []

    rsvp_set(access=chicago.access(chicago.alex), event=party, answer="yes")
    assert "rsvp" not in [w.kind for w in family_today(chicago.access(chicago.alex)).waiting]


def test_the_page_lists_what_waits_with_links(chicago):
    thread_start(
        access=chicago.access(chicago.sam), subject="Shoes", topic="other", body="Size 31 now."
    )
    text = (
        client_for(chicago.alex)
        .get(reverse("families:dashboard", args=[chicago.family.pk]))
        .content.decode()
    )
    assert "Waiting for you" in text
    assert f'href="{reverse("messaging:inbox", args=[chicago.family.pk])}"' in text
