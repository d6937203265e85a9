"""Stories of the parenting plan: proposals, acceptance from a date, declines with a reason,
and a past that never changes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied

from coparent.core.schedule import expand_dates, plan_from_dict
from coparent.families.selectors import get_family_access
from coparent.families.services import family_create
from coparent.records.models import RecordEntry
from coparent.schedule import selectors
from coparent.schedule.models import PlanStatus, PlanVersion
from coparent.schedule.services import (
    PlanProblem,
    plan_accept,
    plan_decline,
    plan_propose,
    plan_withdraw,
)
from tests.factories import UserFactory
from tests.schedule.conftest import plan_data, today


def kinds(family):
    return list(
        RecordEntry.objects.filter(family=family, kind__startswith="plan.")
        .order_by("seq")
        .values_list("kind", flat=True)
    )


def test_alex_proposes_and_the_plan_waits_for_sam(cast, soon):
    version = plan_propose(access=cast.access(cast.alex), plan=plan_data(), effective_from=soon)

    assert version.status == PlanStatus.PROPOSED
    assert selectors.schedule_of(cast.access(cast.sam)).empty
    assert kinds(cast.family) == ["plan.proposed"]


def test_sam_accepts_and_the_plan_governs_from_its_date(cast, soon):
    version = plan_propose(access=cast.access(cast.alex), plan=plan_data(), effective_from=soon)

    plan_accept(access=cast.access(cast.sam), version=version)

    schedule = selectors.schedule_of(cast.access(cast.vic))
    version.refresh_from_db()
    assert version.status == PlanStatus.ACCEPTED and version.answered_by == cast.sam
    assert kinds(cast.family) == ["plan.proposed", "plan.accepted"]
    # Nothing before its date; the engine's own segments from it on.
    zone = schedule.zone()
    segments, _ = schedule.expand(
        selectors.local_midnight(zone, soon - timedelta(days=2)),
        selectors.local_midnight(zone, soon + timedelta(days=14)),
    )
    engine = expand_dates(plan_from_dict(plan_data()), soon, soon + timedelta(days=14))
    assert segments[0].start == engine.start
    assert tuple(segments) == engine.segments


def test_a_parent_alone_sets_the_plan_at_once(db, soon):
    olga = UserFactory(display_name="Olga")
    family = family_create(user=olga, name="Solo family")
    access = get_family_access(olga, family.pk)

    version = plan_propose(access=access, plan=plan_data(), effective_from=soon)

    assert version.status == PlanStatus.ACCEPTED
    assert not selectors.schedule_of(access).empty
    assert kinds(family) == ["plan.proposed", "plan.accepted"]
    assert RecordEntry.objects.get(family=family, kind="plan.accepted").data["automatic"] is True


def test_a_later_change_leaves_the_days_before_it_unchanged(cast, soon):
    first = plan_propose(access=cast.access(cast.alex), plan=plan_data(), effective_from=soon)
    plan_accept(access=cast.access(cast.sam), version=first)
    zone = selectors.schedule_of(cast.access(cast.alex)).zone()
    span = (
        selectors.local_midnight(zone, soon),
        selectors.local_midnight(zone, soon + timedelta(days=60)),
    )
    change_day = soon + timedelta(days=30)
    before_change = selectors.local_midnight(zone, change_day)
    old_segments, _ = selectors.schedule_of(cast.access(cast.alex)).expand(*span)

    change = plan_propose(
        access=cast.access(cast.sam),
        plan=plan_data(pattern="alternating-weeks"),
        effective_from=change_day,
        note="Weeks suit the new school better",
    )
    plan_accept(access=cast.access(cast.alex), version=change)

    new_segments, exchanges = selectors.schedule_of(cast.access(cast.alex)).expand(*span)

    def until_change(segments):
        # Who had the children when, up to the change (a stretch running into it is cut there).
        return [
            (s.start, min(s.end, before_change), s.parent)
            for s in segments
            if s.start < before_change
        ]

    assert until_change(new_segments) == until_change(old_segments)
    after = [s for s in new_segments if s.start >= before_change]
    assert after and after != [s for s in old_segments if s.start >= before_change]
    # Both versions stay visible, in order.
    assert [v.number for v in selectors.plan_versions(cast.access(cast.morgan))] == [2, 1]


def test_a_change_from_the_same_date_supersedes_the_earlier_version(cast, soon):
    first = plan_propose(access=cast.access(cast.alex), plan=plan_data(), effective_from=soon)
    plan_accept(access=cast.access(cast.sam), version=first)
    second = plan_propose(
        access=cast.access(cast.alex), plan=plan_data(pattern="5-2"), effective_from=soon
    )
    plan_accept(access=cast.access(cast.sam), version=second)

    first.refresh_from_db()
    assert first.status == PlanStatus.SUPERSEDED
    assert selectors.schedule_of(cast.access(cast.alex)).pieces[0].plan.pattern == "5-2"


def test_sam_declines_with_a_reason(cast, soon):
    version = plan_propose(access=cast.access(cast.alex), plan=plan_data(), effective_from=soon)

    with pytest.raises(PlanProblem) as problem:
        plan_decline(access=cast.access(cast.sam), version=version, reason="  ")
    assert problem.value.problems[0][0] == "reason"
    plan_decline(access=cast.access(cast.sam), version=version, reason="Fridays are too late")

    version.refresh_from_db()
    assert version.status == PlanStatus.DECLINED and version.reason == "Fridays are too late"
    assert kinds(cast.family) == ["plan.proposed", "plan.declined"]
    assert selectors.schedule_of(cast.access(cast.alex)).empty


def test_alex_withdraws_his_own_proposal_but_not_sams(cast, soon):
    version = plan_propose(access=cast.access(cast.alex), plan=plan_data(), effective_from=soon)
    with pytest.raises(PermissionDenied):
        plan_withdraw(access=cast.access(cast.sam), version=version)
    with pytest.raises(PermissionDenied):
        plan_accept(access=cast.access(cast.alex), version=version)

    plan_withdraw(access=cast.access(cast.alex), version=version)

    assert kinds(cast.family) == ["plan.proposed", "plan.withdrawn"]
    with pytest.raises(PlanProblem):
        plan_accept(access=cast.access(cast.sam), version=version)


def test_one_proposal_waits_at_a_time(cast, soon):
    plan_propose(access=cast.access(cast.alex), plan=plan_data(), effective_from=soon)
    with pytest.raises(PlanProblem) as problem:
        plan_propose(access=cast.access(cast.sam), plan=plan_data(), effective_from=soon)
    assert problem.value.problems[0][0] == "__all__"
    assert PlanVersion.objects.filter(family=cast.family).count() == 1


def test_a_proposal_left_until_its_date_has_passed_cannot_be_accepted(cast, soon):
    version = plan_propose(access=cast.access(cast.alex), plan=plan_data(), effective_from=soon)
    from datetime import UTC, datetime, time

    much_later = datetime.combine(soon + timedelta(days=5), time(12), tzinfo=UTC)
    with pytest.raises(PlanProblem) as problem:
        plan_accept(access=cast.access(cast.sam), version=version, at=much_later)
    assert problem.value.problems[0][0] == "effective_from"
    version.refresh_from_db()
    assert version.status == PlanStatus.PROPOSED


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"pattern": "2-2-4"}, "pattern"),
        ({"pattern": None, "rotation": "AABBC"}, "rotation"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        (
            {
                "school_break": [
                    {
                        "name": "Winter",
                        "start": "2027-12-30",
                        "end": "2027-12-17",
                        "odd_years": "A",
                    }
                ]
            },
            "school_break[0].end",
        ),
        (
            {
                "school_break": [
                    {
                        "name": "Winter",
                        "start": "2027-12-17",
                        "end": "2028-01-02",
                        "odd_years": "A",
                    },
                    {"name": "Extra", "start": "2027-12-20", "end": "2027-12-24", "odd_years": "B"},
                ]
            },
            "school_break[1].start",
        ),
    ],
)
def test_a_bad_plan_is_refused_naming_the_field_and_nothing_is_saved(cast, soon, changes, field):
    data = {k: v for k, v in plan_data(**changes).items() if v is not None}
    with pytest.raises(PlanProblem) as problem:
        plan_propose(access=cast.access(cast.alex), plan=data, effective_from=soon)
    assert field in [name for name, _message in problem.value.problems]
    assert not PlanVersion.objects.exists()
    assert kinds(cast.family) == []


def test_a_date_in_the_past_is_refused(cast):
    with pytest.raises(PlanProblem) as problem:
        plan_propose(
            access=cast.access(cast.alex),
            plan=plan_data(),
            effective_from=today() - timedelta(days=1),
        )
    assert [name for name, _m in problem.value.problems] == ["effective_from"]
    assert not PlanVersion.objects.exists()


@pytest.mark.parametrize("who", ["morgan", "vic"])
def test_only_parents_propose(cast, soon, who):
    with pytest.raises(PermissionDenied):
        plan_propose(access=cast.access(getattr(cast, who)), plan=plan_data(), effective_from=soon)
