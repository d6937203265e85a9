"""Two answers at once (both parents, two tabs, an answer and the expiry job): exactly one wins,
the other is told the request is no longer waiting, and the record says one thing. Real threads
on PostgreSQL, each with its own connection; SQLite serialises writers, so there is no race to
test there."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, connections

from coparent.records.models import RecordEntry
from coparent.requests import services
from coparent.requests.models import ReminderSent, Request, RequestStatus
from coparent.schedule.models import ScheduleChange
from coparent.schedule.services import plan_accept, plan_propose
from tests.conftest import build_cast
from tests.requests.conftest import ask, today
from tests.schedule.conftest import plan_data


@pytest.fixture
def _triggers_back(django_db_blocker: Any) -> Iterator[None]:
    yield
    # After the flush: the connection's triggers fire again for the tests that follow.
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")


@pytest.fixture
def racing(_triggers_back: None, transactional_db: None) -> Iterator[None]:
    """Committed rows the threads' own connections can see. The flush after the test empties
    the append-only tables (records, comments), whose triggers refuse it: they sleep for that
    flush (PostgreSQL's replica role), and wake again after it."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks race only on PostgreSQL; SQLite serialises writers")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")


pytestmark = pytest.mark.usefixtures("racing")


def _family() -> Any:
    cast = build_cast()
    version = plan_propose(
        access=cast.access(cast.alex),
        plan=plan_data(start=today().isoformat()),
        effective_from=today() + timedelta(days=1),
    )
    plan_accept(access=cast.access(cast.sam), version=version)
    return cast


def _at_once(*actions: Callable[[], object]) -> list[str]:
    """Run `actions` in threads released together; what each got: "ok" or "refused"."""
    gate = threading.Barrier(len(actions))
    results: list[str] = []

    def run(action: Callable[[], object]) -> None:
        try:
            gate.wait()
            action()
            results.append("ok")
        except services.AlreadyAnswered:
            results.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(a,)) for a in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(results)


def _ends(request: Request) -> list[str]:
    return list(
        RecordEntry.objects.filter(data__id=str(request.pk))
        .exclude(kind__in=["request.made", "request.commented", "request.reminded"])
        .values_list("kind", flat=True)
    )


def test_approve_and_decline_at_once_one_answer_stands() -> None:
    cast = _family()
    swap = ask(cast, "swap")
    sam = cast.access(cast.sam)
    got = _at_once(
        lambda: services.request_approve(access=sam, request=swap),
        lambda: services.request_decline(access=sam, request=swap, reason="No"),
    )
    assert got == ["ok", "refused"]
    swap.refresh_from_db()
    assert len(_ends(swap)) == 1
    assert ScheduleChange.objects.count() == (1 if swap.status == RequestStatus.APPROVED else 0)


def test_an_approval_racing_a_withdrawal_and_a_counter_racing_it_too() -> None:
    cast = _family()
    first = ask(cast, "swap")
    got = _at_once(
        lambda: services.request_approve(access=cast.access(cast.sam), request=first),
        lambda: services.request_withdraw(access=cast.access(cast.alex), request=first),
    )
    assert got == ["ok", "refused"]
    first.refresh_from_db()
    assert len(_ends(first)) == 1
    second = ask(cast, "other")
    got = _at_once(
        lambda: services.request_counter(
            access=cast.access(cast.sam), request=second, details="Next month"
        ),
        lambda: services.request_withdraw(access=cast.access(cast.alex), request=second),
    )
    assert got == ["ok", "refused"]
    second.refresh_from_db()
    countered = second.status == RequestStatus.COUNTERED
    assert Request.objects.filter(counter_of=second).count() == (1 if countered else 0)


def test_an_answer_and_the_expiry_at_once_only_one_happens() -> None:
    cast = _family()
    swap = ask(cast, "swap")

    def expire() -> None:
        if services.expire_due(now=swap.due_at + timedelta(seconds=1)) == 0:
            raise services.AlreadyAnswered("answered first: nothing expired")

    got = _at_once(
        lambda: services.request_approve(
            access=cast.access(cast.sam), request=swap, at=swap.due_at - timedelta(seconds=1)
        ),
        expire,
    )
    assert got == ["ok", "refused"]
    swap.refresh_from_db()
    assert len(_ends(swap)) == 1


def test_two_workers_remind_once() -> None:
    cast = _family()
    request = ask(cast, "school")
    moment = request.due_at - timedelta(hours=30)
    _at_once(
        lambda: services.remind_due(now=moment),
        lambda: services.remind_due(now=moment),
    )
    assert ReminderSent.objects.filter(request=request).count() == 1
    assert RecordEntry.objects.filter(kind="request.reminded").count() == 1
