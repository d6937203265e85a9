"""Stories 2 and 4 (PRODUCT.md): a parent asks for a weekend or a trip, the other answers in
time — approve, decline with a reason, or other dates — and the calendar follows the answer."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from coparent.records.models import Kind as EntryKind
from coparent.records.models import RecordEntry
from coparent.requests import services
from coparent.requests.models import Comment, Request, RequestStatus
from coparent.requests.selectors import request_page, requests_list
from coparent.schedule.models import ScheduleChange
from coparent.schedule.selectors import calendar_between, schedule_of, timeshare_between
from tests.requests.conftest import ZONE, ask, local, today


def kinds(cast: Any) -> list[str]:
    return list(
        RecordEntry.objects.filter(family=cast.family, kind__startswith="request.").values_list(
            "kind", flat=True
        )
    )


def parents_over(cast: Any, first: date, stop: date) -> dict[date, list[str]]:
    calendar = calendar_between(cast.access(cast.alex), first, stop, zone=ZONE)
    return {day.date: [s.parent for s in day.slices] for day in calendar.days}


def test_an_approved_swap_gives_the_days_to_the_parent_it_names_and_the_time_share_follows(
    planned: Any,
) -> None:
    cast = planned
    first, stop = today() + timedelta(days=8), today() + timedelta(days=16)
    before = parents_over(cast, first, stop)
    share_before, _months, _s = timeshare_between(cast.access(cast.alex), first, stop)
    assert share_before is not None

    swap = ask(cast, "swap", custody_to="me")  # Alex has the children days 10 to 12, 18:00
    assert swap.status == RequestStatus.PENDING and swap.custody_to_id == cast.alex.pk
    assert parents_over(cast, first, stop) == before  # asking changes nothing

    services.request_approve(access=cast.access(cast.sam), request=swap)

    after = parents_over(cast, first, stop)
    start, end = today() + timedelta(days=10), today() + timedelta(days=12)
    for day, letters in after.items():
        if start < day < end:
            assert letters == ["A"], day  # whole days inside the swap are Alex's
        elif day < start or day > end:
            assert letters == before[day], day  # outside it, the plan as it was
    assert after[start][-1] == "A" and after[end][0] == "A"
    change = ScheduleChange.objects.get(family=cast.family)
    assert (change.start, change.end, change.parent) == (swap.starts_at, swap.ends_at, "A")
    assert change.origin == f"request:{swap.pk}"
    share, _m, _s = timeshare_between(cast.access(cast.alex), first, stop)
    assert share is not None
    nights_a = share["overnights"].counts["A"]
    # Alex has the nights of days 10 and 11 now, whoever had them before.
    moved = sum(1 for d in (start, start + timedelta(days=1)) if before[d][-1] != "A")
    assert nights_a == share_before["overnights"].counts["A"] + moved
    assert kinds(cast) == ["request.made", "request.approved"]
    assert RecordEntry.objects.filter(kind=EntryKind.SCHEDULE_CHANGED).count() == 1


def test_declining_needs_a_reason_and_changes_nothing(planned: Any) -> None:
    cast = planned
    swap = ask(cast, "swap")
    first, stop = today() + timedelta(days=8), today() + timedelta(days=16)
    before = parents_over(cast, first, stop)
    with pytest.raises(services.RequestProblem) as refused:
        services.request_decline(access=cast.access(cast.sam), request=swap, reason="  ")
    assert refused.value.field == "reason"
    services.request_decline(
        access=cast.access(cast.sam), request=swap, reason="We are away that weekend."
    )
    swap.refresh_from_db()
    assert swap.status == RequestStatus.DECLINED and swap.reason == "We are away that weekend."
    assert parents_over(cast, first, stop) == before
    assert not ScheduleChange.objects.filter(family=cast.family).exists()
    assert kinds(cast) == ["request.made", "request.declined"]


def test_a_trip_that_keeps_custody_is_a_labelled_marker_on_the_calendar(planned: Any) -> None:
    cast = planned
    first, stop = today() + timedelta(days=8), today() + timedelta(days=16)
    before = parents_over(cast, first, stop)
    trip = ask(cast, "trip", title="Grandma in Denver", contact="Alex's phone")
    assert trip.custody_to_id is None
    services.request_approve(access=cast.access(cast.sam), request=trip)
    calendar = calendar_between(cast.access(cast.sam), first, stop, zone=ZONE)
    marked = [day.date for day in calendar.days if "Grandma in Denver" in day.markers]
    assert marked == [today() + timedelta(days=n) for n in (10, 11, 12)]
    assert parents_over(cast, first, stop) == before  # custody as planned


def test_a_counter_proposal_goes_back_and_its_dates_are_the_ones_that_count(planned: Any) -> None:
    cast = planned
    trip = ask(cast, "trip", title="Lake week", custody_to="me")
    later_start, later_end = (
        local(today() + timedelta(days=20)),
        local(today() + timedelta(days=23)),
    )
    counter = services.request_counter(
        access=cast.access(cast.sam),
        request=trip,
        details="The week after works better: Mia has a recital.",
        starts_at=later_start,
        ends_at=later_end,
    )
    trip.refresh_from_db()
    assert trip.status == RequestStatus.COUNTERED
    assert counter.counter_of_id == trip.pk and counter.asked_by_id == cast.sam.pk
    assert counter.custody_to_id == cast.alex.pk  # Alex still travels with the children
    # The counter goes back to Alex: Sam cannot answer it, Alex can.
    with pytest.raises(services.RequestProblem):
        services.request_approve(access=cast.access(cast.sam), request=counter)
    services.request_approve(access=cast.access(cast.alex), request=counter)
    schedule = schedule_of(cast.access(cast.alex))
    segments, _x = schedule.expand(later_start, later_end)
    assert {s.parent for s in segments} == {"A"}
    assert [c.label for c in schedule.changes] == ["Lake week"]
    page = request_page(cast.access(cast.alex), trip.pk)
    assert page.counters == [counter] and not page.may_answer
    assert kinds(cast) == ["request.made", "request.countered", "request.approved"]


def test_the_asker_withdraws_and_nothing_can_answer_it_after(planned: Any) -> None:
    cast = planned
    swap = ask(cast, "swap")
    with pytest.raises(services.RequestProblem):
        services.request_withdraw(access=cast.access(cast.sam), request=swap)
    services.request_withdraw(access=cast.access(cast.alex), request=swap)
    with pytest.raises(services.AlreadyAnswered):
        services.request_counter(access=cast.access(cast.sam), request=swap, details="Other days")
    with pytest.raises(services.AlreadyAnswered):
        services.request_approve(access=cast.access(cast.sam), request=swap)
    swap.refresh_from_db()
    assert swap.status == RequestStatus.WITHDRAWN
    assert Request.objects.filter(family=cast.family).count() == 1
    assert kinds(cast) == ["request.made", "request.withdrawn"]


def test_an_answer_after_the_due_time_is_refused(planned: Any) -> None:
    cast = planned
    swap = ask(cast, "swap")
    late = swap.due_at + timedelta(minutes=1)
    with pytest.raises(services.AlreadyAnswered):
        services.request_approve(access=cast.access(cast.sam), request=swap, at=late)
    swap.refresh_from_db()
    assert swap.status == RequestStatus.PENDING
    assert not ScheduleChange.objects.exists()


def test_the_due_date_defaults_by_kind_and_never_falls_after_the_start(planned: Any) -> None:
    cast = planned
    school = ask(cast, "school", title="Spring parents' evening")
    assert (school.due_at - school.created_at).days == 7
    soon = ask(
        cast,
        "swap",
        starts_at=local(today() + timedelta(days=2)),
        ends_at=local(today() + timedelta(days=3)),
    )
    assert soon.due_at == soon.starts_at


@pytest.mark.parametrize(
    ("kind", "fields", "field"),
    [
        (
            "swap",
            {"starts_at": local(date(2020, 1, 1)), "ends_at": local(date(2020, 1, 3))},
            "starts_at",
        ),
        (
            "swap",
            {
                "starts_at": local(today() + timedelta(days=5)),
                "ends_at": local(today() + timedelta(days=4)),
            },
            "ends_at",
        ),
        ("other", {"details": "x" * 100_000}, "details"),
        ("other", {"title": ""}, "title"),
        ("other", {"title": "Pickup at \u202e00:51"}, "title"),
        ("other", {"children": []}, "children"),
        ("trip", {"destination": ""}, "destination"),
        ("other", {"due_at": local(date(2020, 1, 1))}, "due_at"),
    ],
)
def test_bad_requests_are_refused_field_by_field_and_nothing_changes(
    planned: Any, kind: str, fields: dict[str, Any], field: str
) -> None:
    cast = planned
    entries = RecordEntry.objects.count()
    with pytest.raises(services.RequestProblem) as refused:
        ask(cast, kind, **fields)
    assert field in refused.value.message_dict
    assert not Request.objects.exists()
    assert RecordEntry.objects.count() == entries


def test_a_trip_overlapping_an_approved_trip_is_refused(planned: Any) -> None:
    cast = planned
    trip = ask(cast, "trip", title="Lake week")
    services.request_approve(access=cast.access(cast.sam), request=trip)
    with pytest.raises(services.RequestProblem) as refused:
        ask(
            cast,
            "trip",
            who=cast.sam,
            starts_at=local(today() + timedelta(days=11)),
            ends_at=local(today() + timedelta(days=14)),
        )
    assert "Lake week" in refused.value.message_dict["starts_at"][0]
    assert Request.objects.count() == 1


def test_the_asker_cannot_answer_their_own_request(planned: Any) -> None:
    cast = planned
    swap = ask(cast, "swap")
    with pytest.raises(services.RequestProblem) as refused:
        services.request_approve(access=cast.access(cast.alex), request=swap)
    assert refused.value.reason == "own_request"
    swap.refresh_from_db()
    assert swap.status == RequestStatus.PENDING


def test_a_mediator_reads_comments_and_proposes_but_never_answers(planned: Any) -> None:
    cast = planned
    swap = ask(cast, "swap")
    morgan = cast.access(cast.morgan)
    assert [r.pk for r in requests_list(morgan)] == [swap.pk]
    with pytest.raises(PermissionDenied):
        services.request_approve(access=morgan, request=swap)
    with pytest.raises(PermissionDenied):
        services.request_decline(access=morgan, request=swap, reason="No")
    services.request_comment(
        access=morgan, request=swap, text="Alternate the next two weekends?", kind="resolution"
    )
    with pytest.raises(services.RequestProblem):
        services.request_comment(
            access=cast.access(cast.sam), request=swap, text="Fine", kind="resolution"
        )
    services.request_comment(access=cast.access(cast.sam), request=swap, text="Let me check.")
    page = request_page(cast.access(cast.alex), swap.pk)
    assert [(c.kind, c.author_id) for c in page.comments] == [
        ("resolution", cast.morgan.pk),
        ("comment", cast.sam.pk),
    ]
    assert Comment.objects.count() == 2


def test_a_viewer_sees_none_of_it(planned: Any) -> None:
    cast = planned
    swap = ask(cast, "swap")
    with pytest.raises(PermissionDenied):
        requests_list(cast.access(cast.vic))
    with pytest.raises(PermissionDenied):
        request_page(cast.access(cast.vic), swap.pk)


def test_a_retry_with_the_same_idempotency_key_makes_nothing_new(planned: Any) -> None:
    cast = planned
    first = ask(cast, "other", title="Piano", idempotency_key="k-1")
    again = ask(cast, "other", title="Piano", idempotency_key="k-1")
    assert again.pk == first.pk
    assert Request.objects.count() == 1
    assert kinds(cast) == ["request.made"]
