"""Fifty posts at once (two phones, a flaky network retrying, a script): no lost update, no
payment beyond what is owed, no request beyond the share, no duplicate for a retried
Idempotency-Key. Real threads on PostgreSQL, each with its own connection; SQLite serialises
writers, so there is no race to test there (the fixture skips)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connections

from coparent.expenses import selectors, services
from coparent.expenses.models import Payment, ReimbursementRequest
from coparent.messaging.idempotency import IdempotencyConflict
from coparent.records.export import check_chain, family_entries
from coparent.records.models import RecordEntry
from tests.conftest import build_cast
from tests.expenses.conftest import yesterday
from tests.requests.test_races import _triggers_back, racing  # noqa: F401  (the fixtures)

pytestmark = pytest.mark.usefixtures("racing")
THREADS = 50


def _at_once(actions: list[Callable[[], object]]) -> Counter[str]:
    """Run `actions` in threads released together; how many got "ok", "over" (refused: more
    than owed or left), or another error's name."""
    gate = threading.Barrier(len(actions))
    results: list[str] = []
    lock = threading.Lock()

    def run(action: Callable[[], object]) -> None:
        outcome = "ok"
        try:
            gate.wait()
            action()
        except services.ExpenseProblem as error:
            outcome = "over" if error.field in ("confirm_overpayment", "amount") else repr(error)
        except Exception as error:  # noqa: BLE001  # any other failure is the test's finding
            outcome = type(error).__name__
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run, args=(a,)) for a in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return Counter(results)


def _sam_owes_100() -> Any:
    cast = build_cast()
    bill = services.expense_add(
        access=cast.access(cast.alex),
        spent_on=yesterday(),
        amount="200.00",
        currency="EUR",
        category="school",
        description="School trip",
        children=[cast.mia.pk],
    )
    request = services.reimbursement_ask(access=cast.access(cast.alex), expense=bill)
    services.reimbursement_answer(access=cast.access(cast.sam), request=request, decision="accept")
    return cast


def _pay(cast: Any, amount: str, key: str | None = None) -> Callable[[], object]:
    def action() -> object:
        return services.payment_record_once(
            access=cast.access(cast.sam),
            idempotency_key=key,
            direction="sent",
            amount=amount,
            currency="EUR",
            paid_on=yesterday(),
            method="transfer",
        )

    return action


def test_fifty_payments_at_once_never_pay_more_than_is_owed() -> None:
    cast = _sam_owes_100()
    got = _at_once([_pay(cast, "5.00") for _ in range(THREADS)])
    # 100 owed, 5 each: exactly twenty fit; each of the others saw the ones before it.
    assert got == Counter({"ok": 20, "over": 30})
    assert Payment.objects.count() == 20
    assert RecordEntry.objects.filter(kind="expense.payment_recorded").count() == 20
    view = selectors.balance_of(cast.access(cast.alex))
    assert view.pending_from(cast.sam, "EUR").amount == Decimal("100.00")
    entries = family_entries(cast.family)
    assert check_chain(entries) == len(entries)


def test_asks_and_payments_at_once_each_see_the_others() -> None:
    cast = _sam_owes_100()
    bill = services.expense_add(
        access=cast.access(cast.alex),
        spent_on=yesterday(),
        amount="100.00",
        currency="EUR",
        category="activities",
        description="Swimming term",
        children=[cast.leo.pk],
    )

    def ask() -> object:
        return services.reimbursement_ask_once(
            access=cast.access(cast.alex), expense=bill, amount="10.00"
        )

    # Twenty-five asks for 10 of Sam's 50 share, and twenty-five payments of 5 of the 100 owed.
    actions = [ask if i % 2 else _pay(cast, "5.00") for i in range(THREADS)]
    got = _at_once(actions)
    assert got == Counter({"ok": 5 + 20, "over": 20 + 5})
    assert ReimbursementRequest.objects.filter(expense=bill).count() == 5
    assert Payment.objects.count() == 20
    entries = family_entries(cast.family)
    assert check_chain(entries) == len(entries)


def test_fifty_retries_with_one_key_make_one_payment() -> None:
    cast = _sam_owes_100()
    made: list[Any] = []

    def retry() -> object:
        result = _pay(cast, "30.00", key="sam-pays-september")()
        made.append(result)
        return result

    got = _at_once([retry for _ in range(THREADS)])
    assert got == Counter({"ok": THREADS})
    assert Payment.objects.count() == 1
    assert {m.obj.pk for m in made} == {Payment.objects.get().pk}
    assert sum(1 for m in made if not m.replayed) == 1
    # The same key with another amount is refused, not replayed.
    with pytest.raises(IdempotencyConflict):
        _pay(cast, "31.00", key="sam-pays-september")()


def test_fifty_corrections_of_one_payment_at_once_make_one() -> None:
    """Sam taps "correct" on two phones and a retrying network: one correction stands, every
    other is told the record was corrected since, and the balance counts one payment."""
    cast = _sam_owes_100()
    paid = services.payment_record(
        access=cast.access(cast.sam),
        direction="sent",
        amount="50.00",
        currency="EUR",
        paid_on=yesterday(),
        method="transfer",
    )

    def correct() -> object:
        return services.payment_correct(
            access=cast.access(cast.sam),
            payment=paid,
            amount="45.00",
            correction_reason="45 arrived",
        )

    got = _at_once([correct for _ in range(THREADS)])
    told = sum(n for outcome, n in got.items() if outcome.startswith("AlreadyDone"))
    assert (got["ok"], told) == (1, THREADS - 1), got
    assert Payment.objects.filter(corrects=paid).count() == 1
    view = selectors.balance_of(cast.access(cast.alex))
    assert view.pending_from(cast.sam, "EUR").amount == Decimal("45.00")
    entries = family_entries(cast.family)
    assert check_chain(entries) == len(entries)
