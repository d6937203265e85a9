"""Before Sam accepts Alex's proposed change, he sees what it changes: which nights move from one
parent to the other in the coming months, the exchanges that come and go, the overnights before
and after, the plan's settings side by side, and a small calendar of each month that changes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from coparent.families.services import family_zone_set
from coparent.schedule import selectors
from coparent.schedule.services import plan_accept, plan_propose
from tests.schedule.conftest import plan_data


@pytest.fixture
def in_force(cast, soon):
    family_zone_set(access=cast.access(cast.alex), timezone_name="America/Chicago")
    version = plan_propose(access=cast.access(cast.alex), plan=plan_data(), effective_from=soon)
    plan_accept(access=cast.access(cast.sam), version=version)
    return version


def propose_weeks(cast, soon, **changes):
    return plan_propose(
        access=cast.access(cast.alex),
        plan=plan_data(pattern="alternating-weeks", **changes),
        effective_from=soon + timedelta(days=14),
        note="Weeks suit the new school better",
    )


def test_the_change_is_counted_night_by_night_from_its_date(cast, in_force, soon):
    change = propose_weeks(cast, soon, exchange_place="Curbside at Sam's")
    access = cast.access(cast.sam)

    found = selectors.what_changes(
        selectors.plan_versions(access),
        change,
        zone=selectors.schedule_of(access).zone(),
        today=soon,
    )

    changes = found.changes
    assert changes.window.first == change.effective_from
    assert all(c.day >= change.effective_from for c in changes.days)
    # 2-2-3 and alternating weeks both give each parent 7 nights of 14; the nights that move,
    # move both ways, and the totals before and after add up to the window's days.
    assert changes.moved("A", "B") == changes.moved("B", "A") > 0
    assert sum(changes.before.values()) == sum(changes.after.values()) == changes.window.days
    assert changes.removed  # alternating weeks hand over less often than 2-2-3
    assert [(was, becomes) for was, becomes, _n in found.moved()] == [
        ("Alex", "Sam"),
        ("Sam", "Alex"),
    ]
    settings = {row.what: (row.before, row.after) for row in found.settings}
    assert settings["Exchange place"] == ("Lincoln Elementary, front door", "Curbside at Sam's")
    assert settings["Pattern"][1].startswith("A week each, in turn")
    assert "Exchanges at" not in settings  # unchanged settings are left out
    # A small calendar for each month with a night that moves, the moved days marked.
    assert [month for month, _weeks in found.months] == list(changes.months)
    marked = {d.date for _m, weeks in found.months for week in weeks for d in week if d.changed}
    assert marked == {c.day for c in changes.days}


def test_a_first_plan_gives_the_nights_to_someone_for_the_first_time(cast, soon):
    version = plan_propose(access=cast.access(cast.alex), plan=plan_data(), effective_from=soon)
    access = cast.access(cast.sam)

    found = selectors.what_changes(
        selectors.plan_versions(access), version, zone=version_zone(), today=soon
    )

    assert found.first_plan
    assert found.changes.before == {"A": 0, "B": 0}
    assert [was for was, _becomes, _n in found.moved()] == ["", ""]


def version_zone():
    from zoneinfo import ZoneInfo

    return ZoneInfo("America/Chicago")


def test_sam_sees_what_changes_before_he_accepts(cast, in_force, soon, django_assert_num_queries):
    change = propose_weeks(cast, soon)
    client = cast.client_for(cast.sam)
    url = f"/families/{cast.family.pk}/schedule/proposals/"
    client.get(url)

    # the session, the user, the user's session row, the membership with its family (the
    # access path), every version with who proposed and answered it (the schedule and "what
    # changes" are worked out from these), the header's unread notifications.
    with django_assert_num_queries(6):
        page = client.get(url)

    text = page.content.decode()
    assert "What changes" in text
    assert text.index("What changes") < text.index(">Accept<")
    assert "nights move from Alex to Sam" in text and "nights move from Sam to Alex" in text
    assert 'class="small-month"' in text
    assert "exchanges no longer happen" in text
    assert "A week each, in turn" in text  # the pattern in words, not "alternating-weeks"
    assert "A: Alex" not in text
    assert page.context["changes"].version == change


def test_the_page_costs_the_same_however_many_versions(
    cast, in_force, soon, django_assert_num_queries
):
    for weeks in range(1, 6):
        version = plan_propose(
            access=cast.access(cast.alex),
            plan=plan_data(pattern="5-2" if weeks % 2 else "2-2-3"),
            effective_from=soon + timedelta(days=7 * weeks),
        )
        plan_accept(access=cast.access(cast.sam), version=version)
    propose_weeks(cast, soon)
    client = cast.client_for(cast.sam)
    url = f"/families/{cast.family.pk}/schedule/proposals/"
    client.get(url)
    with django_assert_num_queries(6):
        assert "What changes" in client.get(url).content.decode()


def test_another_family_cannot_see_or_answer_the_proposal(cast, in_force, soon):
    change = propose_weeks(cast, soon)
    olivia = cast.client_for(cast.olivia)

    assert olivia.get(f"/families/{cast.family.pk}/schedule/proposals/").status_code == 404
    # Through her own family's address, Alex's proposal is not there either.
    own = f"/families/{cast.other_family.pk}/schedule/proposals/{change.pk}"
    assert olivia.post(f"{own}/accept/").status_code == 404
    assert (
        "What changes"
        not in olivia.get(f"/families/{cast.other_family.pk}/schedule/proposals/").content.decode()
    )


def test_without_a_pending_proposal_nothing_is_compared(cast, in_force):
    page = cast.client_for(cast.morgan).get(f"/families/{cast.family.pk}/schedule/proposals/")
    assert page.status_code == 200
    assert page.context["changes"] is None
    assert "What changes" not in page.content.decode()


def test_a_change_that_moves_no_night_says_so(cast, in_force, soon):
    change = plan_propose(
        access=cast.access(cast.alex),
        plan=plan_data(exchange_place="The library"),
        effective_from=soon + timedelta(days=7),
    )
    found = selectors.what_changes(
        selectors.plan_versions(cast.access(cast.sam)),
        change,
        zone=version_zone(),
        today=soon,
    )
    assert found.changes.unchanged and found.months == []
    page = cast.client_for(cast.sam).get(f"/families/{cast.family.pk}/schedule/proposals/")
    assert "No night and no exchange changes in these months." in page.content.decode()
