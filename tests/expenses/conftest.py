"""The Riveras share what they spend for Mia and Leo: Alex is the first parent (A), Sam the
second (B). Receipts go to a folder of each test's own."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from coparent.expenses import services
from coparent.expenses.models import Expense, Payment, ReimbursementRequest
from tests.families.helpers import pages  # noqa: F401  (the fixture, for every test here)


@pytest.fixture(autouse=True)
def _pages(pages, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path / "uploads"


def yesterday() -> date:
    return datetime.now(UTC).date() - timedelta(days=1)


def log(cast, who=None, *, amount="120.00", currency="EUR", children=None, **extra) -> Expense:
    """`who` (Alex by default) logs a doctor's bill for Mia."""
    fields = {
        "spent_on": yesterday(),
        "amount": amount,
        "currency": currency,
        "category": "medical",
        "description": "Paediatrician, ear infection",
        "children": children if children is not None else [cast.mia.pk],
        **extra,
    }
    return services.expense_add(access=cast.access(who or cast.alex), **fields)


def ask(cast, expense, who=None, **extra) -> ReimbursementRequest:
    return services.reimbursement_ask(
        access=cast.access(who or cast.alex), expense=expense, **extra
    )


def pay(cast, who=None, *, amount="20.00", direction="sent", **extra) -> Payment:
    fields = {
        "direction": direction,
        "amount": amount,
        "currency": "EUR",
        "paid_on": yesterday(),
        "method": "transfer",
        **extra,
    }
    return services.payment_record(access=cast.access(who or cast.sam), **fields)


@pytest.fixture
def agreed_split(cast):
    """Both parents sign an expenses clause splitting A:B (Alex:Sam)."""

    def sign(a: int, b: int):
        from tests.agreements.conftest import signed

        return signed(cast, topic="expenses", terms={"split": {"A": a, "B": b}})

    return sign
