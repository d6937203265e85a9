"""Story 4: nothing waits forever. Reminders 48 and 24 hours before a request falls due, then
its expiry — each once, however often the worker's scan runs — and what the agreement says
silence means, naming the clause."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine

from coparent.core.agreement import (
    AgreementTerms,
    ClauseRef,
    ClauseTerms,
    Decision,
    RequestKind,
    SilenceRule,
    combine,
)
from coparent.records.models import RecordEntry
from coparent.requests import selectors, services, tasks, terms
from coparent.requests.models import ReminderSent, RequestStatus
from coparent.schedule.models import ScheduleChange
from coparent.schedule.selectors import schedule_of
from tests.requests.conftest import ask

SWAP_CLAUSE = ClauseRef("clause-7", 2, "Swaps", datetime(2026, 1, 5, tzinfo=UTC))
DEVICES_CLAUSE = ClauseRef("clause-3", 1, "Phones and accounts", datetime(2026, 1, 4, tzinfo=UTC))


def signed_terms() -> AgreementTerms:
    """A real agreement: silence on a swap for 3 days counts as consent; social media accounts
    need both parents."""
    return combine(
        [
            (
                SWAP_CLAUSE,
                ClauseTerms(silence=(SilenceRule(RequestKind.SWAP, 3, "approve"),)),
            ),
            (DEVICES_CLAUSE, ClauseTerms(reserved=frozenset({Decision.SOCIAL_MEDIA}))),
        ]
    )


@pytest.fixture
def agreement(monkeypatch: pytest.MonkeyPatch) -> AgreementTerms:
    found = signed_terms()

    def in_force(family: Any, at: datetime) -> AgreementTerms:
        return found

    for module in (terms, services, selectors):
        monkeypatch.setattr(module, "terms_in_force", in_force)
    return found


def entries(cast: Any, kind: str) -> list[RecordEntry]:
    return list(RecordEntry.objects.filter(family=cast.family, kind=kind))


def test_reminders_come_48_and_24_hours_before_the_due_time_once_each(planned: Any) -> None:
    cast = planned
    request = ask(cast, "school", title="Parents' evening")  # due in 7 days
    due = request.due_at
    with time_machine.travel(due - timedelta(hours=49), tick=False):
        assert services.remind_due() == 0
    with time_machine.travel(due - timedelta(hours=47), tick=False):
        assert services.remind_due() == 1
        assert services.remind_due() == 0  # the scan again, or a second worker
        assert tasks.scan_requests.call() == 0
    with time_machine.travel(due - timedelta(hours=23), tick=False):
        assert services.remind_due() == 1
        assert services.remind_due() == 0
    reminded = entries(cast, "request.reminded")
    assert [e.data["hours"] for e in reminded] == [48, 24]
    assert sorted(ReminderSent.objects.values_list("hours", flat=True)) == [24, 48]


def test_a_scan_that_ran_late_sends_only_the_nearest_reminder(planned: Any) -> None:
    cast = planned
    request = ask(cast, "medical", title="Braces")
    with time_machine.travel(request.due_at - timedelta(hours=2), tick=False):
        assert services.remind_due() == 1
        assert services.remind_due() == 0
    assert [e.data["hours"] for e in entries(cast, "request.reminded")] == [24]


def test_an_unanswered_request_expires_once_and_says_so(planned: Any) -> None:
    cast = planned
    request = ask(cast, "school", title="New school")
    with time_machine.travel(request.due_at + timedelta(minutes=3), tick=False):
        assert tasks.scan_requests.call() == 1
        assert tasks.scan_requests.call() == 0
        with pytest.raises(services.AlreadyAnswered):
            services.request_approve(access=cast.access(cast.sam), request=request)
    request.refresh_from_db()
    assert request.status == RequestStatus.EXPIRED
    assert request.outcome_text == "Expired unanswered"
    [expired] = entries(cast, "request.expired")
    assert expired.data["outcome"] == "" and expired.actor is None


def test_silence_counts_as_consent_under_the_clause_and_the_swap_takes_effect(
    planned: Any, agreement: AgreementTerms
) -> None:
    cast = planned
    swap = ask(cast, "swap", custody_to="me")
    assert swap.clause == {"clause_id": "clause-7", "version": 2, "title": "Swaps"}
    assert (swap.due_at - swap.created_at).days == 3  # the clause's days of silence
    with time_machine.travel(swap.due_at + timedelta(minutes=1), tick=False):
        assert services.expire_due() == 1
        assert services.expire_due() == 0
    swap.refresh_from_db()
    assert swap.status == RequestStatus.EXPIRED and swap.counts_as_approved
    assert swap.outcome_text == "Expired — counts as approved under clause “Swaps” v2"
    [change] = ScheduleChange.objects.filter(family=cast.family)
    assert change.parent == "A" and change.created_by is None
    assert swap.starts_at is not None and swap.ends_at is not None
    segments, _x = schedule_of(cast.access(cast.sam)).expand(swap.starts_at, swap.ends_at)
    assert {s.parent for s in segments} == {"A"}
    [expired] = entries(cast, "request.expired")
    assert expired.data["clause"]["title"] == "Swaps" and expired.data["outcome"] == "approve"


def test_the_form_warns_when_words_touch_a_decision_the_agreement_reserves(
    planned: Any, agreement: AgreementTerms
) -> None:
    cast = planned
    found = selectors.request_warnings(
        cast.access(cast.alex), "school", "Laptop for class, and opening her Instagram account"
    )
    assert found == [(Decision.SOCIAL_MEDIA, DEVICES_CLAUSE)]
    # A request of the reserved kind itself names the clause instead of warning.
    assert selectors.request_warnings(cast.access(cast.alex), "social_media", "Instagram") == []
    request = ask(cast, "social_media", title="Instagram for Mia")
    assert request.clause == {"clause_id": "clause-3", "version": 1, "title": "Phones and accounts"}


def test_without_an_agreement_the_seam_gives_empty_terms(cast: Any) -> None:
    assert terms.terms_in_force(cast.family, datetime.now(UTC)) == AgreementTerms()


def test_the_scan_runs_on_the_worker_every_five_minutes() -> None:
    from coparent.infra import periodic

    assert any(
        p.task is tasks.scan_requests and p.every == tasks.SCAN_EVERY for p in periodic.registered()
    )
    assert tasks.SCAN_EVERY == timedelta(minutes=5)


def test_a_signed_clause_of_the_agreement_decides_what_silence_means(planned: Any) -> None:
    """The same story through the real agreement: Alex proposes the library's swap clause,
    Sam signs it, and Sam's unanswered swap later counts as approved under it."""
    from coparent.agreements.services import clause_propose, clause_sign

    cast = planned
    clause = clause_propose(
        access=cast.access(cast.alex),
        topic="exchanges",
        title="Swaps answered within 3 days",
        body="A swap not answered within 3 days counts as agreed.",
        terms={"silence": [{"kind": "swap", "days": 3, "outcome": "approve"}]},
    )
    clause_sign(access=cast.access(cast.sam), version=clause)

    swap = ask(cast, "swap", custody_to="me")
    assert swap.clause == {
        "clause_id": str(clause.clause_id),
        "version": 1,
        "title": "Swaps answered within 3 days",
    }
    with time_machine.travel(swap.due_at + timedelta(minutes=1), tick=False):
        assert services.expire_due() == 1
    swap.refresh_from_db()
    assert swap.counts_as_approved
    assert swap.outcome_text == (
        "Expired — counts as approved under clause “Swaps answered within 3 days” v1"
    )
    assert ScheduleChange.objects.filter(family=cast.family).count() == 1
