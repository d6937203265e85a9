"""Money for shared expenses: amounts parse with field-level errors, splits never lose or invent
a cent, and the balance is exactly the sum of the ledger lines (issue 14)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coparent.core.money import (
    AnswerEntry,
    Entry,
    ExpenseEntry,
    Money,
    MoneyError,
    Party,
    PaymentEntry,
    RequestEntry,
    balance,
    currency_for_zone,
    exponent,
    parse_money,
    parse_percent,
    split,
)


def eur(text: str) -> Money:
    return Money.of(Decimal(text), "EUR")


# --- amounts and currencies ----------------------------------------------------------------


def test_currencies_have_their_own_minor_units() -> None:
    assert (exponent("EUR"), exponent("JPY"), exponent("BHD")) == (2, 0, 3)
    assert parse_money("312.40", "eur") == Money(Decimal("312.40"), "EUR")
    assert parse_money("1500", "JPY").amount == Decimal("1500")
    assert parse_money("1.125", "BHD").amount == Decimal("1.125")


@pytest.mark.parametrize(
    ("amount", "currency", "field", "says"),
    [
        ("-5", "EUR", "amount", "above zero"),
        ("0", "EUR", "amount", "above zero"),
        ("0.00", "EUR", "amount", "above zero"),
        ("12.345", "EUR", "amount", "2 decimal places"),
        ("10.5", "JPY", "amount", "no decimals"),
        ("twelve", "EUR", "amount", "Enter an amount"),
        ("NaN", "EUR", "amount", "Enter an amount"),
        ("Infinity", "EUR", "amount", "Enter an amount"),
        ("", "EUR", "amount", "Enter an amount"),
        ("100000000", "EUR", "amount", "At most"),
        ("10", "ZZZ", "currency", "three-letter code"),
        ("10", "XAU", "currency", "three-letter code"),
        ("10", "", "currency", "three-letter code"),
    ],
)
def test_bad_amounts_are_named_by_field(amount: str, currency: str, field: str, says: str) -> None:
    with pytest.raises(MoneyError) as caught:
        parse_money(amount, currency)
    assert says in caught.value.problems[field]


def test_an_unknown_currency_and_a_bad_amount_are_both_named() -> None:
    with pytest.raises(MoneyError) as caught:
        parse_money("-1", "ZZZ")
    assert set(caught.value.problems) == {"amount", "currency"}


def test_floats_never_become_money() -> None:
    with pytest.raises(TypeError):
        parse_money(0.1, "EUR")
    with pytest.raises(TypeError):
        Money.of(0.1, "EUR")  # type: ignore[arg-type]  # the very mistake under test
    with pytest.raises(TypeError):
        parse_percent(50.0)


@pytest.mark.parametrize("value", ["-1", "100.01", "101", "12.345", "half", "NaN"])
def test_a_split_outside_0_to_100_is_refused(value: str) -> None:
    with pytest.raises(MoneyError) as caught:
        parse_percent(value, field_name="split")
    assert "0 to 100" in caught.value.problems["split"]


def test_a_family_spends_its_country_money() -> None:
    assert currency_for_zone("Europe/Paris") == "EUR"
    assert currency_for_zone("America/Chicago") == "USD"
    assert currency_for_zone("Asia/Tokyo") == "JPY"
    assert currency_for_zone("UTC") == "EUR"


# --- splits --------------------------------------------------------------------------------


def test_the_odd_cent_goes_to_the_stated_side() -> None:
    bill = eur("100.01")
    assert split(bill, Decimal(50), remainder_to="A") == split(bill, Decimal(50), remainder_to="A")
    shares = split(bill, Decimal(50), remainder_to="A")
    assert (shares.a, shares.b) == (eur("50.01"), eur("50.00"))
    shares = split(bill, Decimal(50), remainder_to="B")
    assert (shares.a, shares.b) == (eur("50.00"), eur("50.01"))
    shares = split(eur("10.00"), Decimal("33.33"), remainder_to="B")
    assert (shares.a, shares.b) == (eur("3.33"), eur("6.67"))
    assert split(eur("80"), Decimal(100), remainder_to="B").b == eur("0")


amounts = st.integers(min_value=1, max_value=10**9).map(
    lambda cents: Money.of(Decimal(cents).scaleb(-2), "EUR")
)
percents = st.integers(min_value=0, max_value=10_000).map(lambda p: Decimal(p).scaleb(-2))
parties: st.SearchStrategy[Party] = st.sampled_from(["A", "B"])


@given(amounts, percents, parties)
def test_a_split_loses_and_invents_nothing(total: Money, percent: Decimal, side: Party) -> None:
    shares = split(total, percent, remainder_to=side)
    assert shares.a + shares.b == total
    assert shares.a.amount >= 0 and shares.b.amount >= 0
    exact_a = total.amount * percent / 100
    # Each share is within one cent of its exact value, and only the stated side rounds up.
    assert abs(shares.a.amount - exact_a) < Decimal("0.01")
    if side == "A":
        assert shares.b.amount <= total.amount - exact_a
    else:
        assert shares.a.amount <= exact_a


# --- the ledger ----------------------------------------------------------------------------


def test_sam_owes_alex_what_he_accepted_less_what_he_paid() -> None:
    ledger: list[Entry] = [
        ExpenseEntry("doctor", "A", eur("120.00"), Decimal(50)),
        RequestEntry("r1", "doctor", eur("60.00")),
        AnswerEntry("r1", eur("60.00")),
        PaymentEntry("p1", "B", eur("20.00"), confirmed=True),
        PaymentEntry("p2", "B", eur("10.00"), confirmed=False),
    ]
    result = balance(ledger)
    assert result.debtor("EUR") == ("B", "A", eur("40.00"))
    assert [(line.id, line.effect) for line in result.lines] == [
        ("r1", eur("60.00")),
        ("p1", eur("-20.00")),
    ]
    assert [p.id for p in result.unconfirmed] == ["p2"]
    assert result.owes("A", "EUR") == eur("0")


def test_a_dispute_owes_nothing_and_a_partial_acceptance_owes_part() -> None:
    ledger: list[Entry] = [
        ExpenseEntry("camp", "B", eur("300.00"), Decimal(50)),
        RequestEntry("r1", "camp", eur("150.00")),
        ExpenseEntry("shoes", "B", eur("80.00"), Decimal(50)),
        RequestEntry("r2", "shoes", eur("40.00")),
        AnswerEntry("r1", eur("100.00")),
        AnswerEntry("r2", eur("0.00")),
    ]
    result = balance(ledger)
    assert result.debtor("EUR") == ("A", "B", eur("100.00"))


def test_a_correction_lowers_what_is_owed_and_a_void_owes_nothing() -> None:
    ledger: list[Entry] = [
        ExpenseEntry("x", "A", eur("100.00"), Decimal(50)),
        RequestEntry("r", "x", eur("50.00")),
        AnswerEntry("r", eur("50.00")),
        ExpenseEntry("x2", "A", eur("60.00"), Decimal(50), corrects="x"),
    ]
    assert balance(ledger).owes("B", "EUR") == eur("30.00")
    ledger.append(ExpenseEntry("x3", "A", eur("60.00"), Decimal(50), corrects="x2", void=True))
    assert balance(ledger).owes("B", "EUR") == eur("0")


def test_currencies_are_never_added_together() -> None:
    ledger: list[Entry] = [
        PaymentEntry("p1", "B", eur("10.00"), confirmed=True),
        PaymentEntry("p2", "B", Money.of(Decimal("10.00"), "USD"), confirmed=True),
    ]
    owed = balance(ledger).owed
    assert owed == {"EUR": eur("-10.00"), "USD": Money.of(Decimal("-10.00"), "USD")}


# A random family's year, built step by step: each step is one thing a parent does, applied
# only when it makes sense then (an answer needs a request, a correction an entry).
steps = st.lists(
    st.tuples(
        st.sampled_from(["expense", "request", "answer", "pay", "correct", "void", "fix_payment"]),
        parties,
        st.integers(min_value=1, max_value=50_000),
        percents,
        st.integers(min_value=0, max_value=10**6),
        st.booleans(),
    ),
    max_size=40,
)


@given(steps)
def test_the_balance_is_the_independent_sum_of_a_random_ledger(
    plan: list[tuple[str, Party, int, Decimal, int, bool]],
) -> None:
    ledger: list[Entry] = []
    expenses: dict[str, ExpenseEntry] = {}  # root id → latest
    unanswered: list[RequestEntry] = []
    requests: list[RequestEntry] = []
    payments: dict[str, PaymentEntry] = {}
    accepted: dict[str, int] = {}  # request id → cents accepted
    n = 0
    for action, party, cents, percent, pick, flag in plan:
        n += 1
        money = Money.of(Decimal(cents).scaleb(-2), "EUR")
        if action == "expense":
            entry = ExpenseEntry(f"e{n}", party, money, percent)
            expenses[entry.id] = entry
            ledger.append(entry)
        elif action == "request" and expenses:
            root = sorted(expenses)[pick % len(expenses)]
            latest = expenses[root]
            share = latest.shares().of("B" if latest.payer == "A" else "A")
            if latest.void or not share:
                continue
            asked = Money.of(Decimal(1 + pick % share.minor()).scaleb(-2), "EUR")
            request = RequestEntry(f"r{n}", root, asked)
            ledger.append(request)
            unanswered.append(request)
            requests.append(request)
        elif action == "answer" and unanswered:
            request = unanswered.pop(pick % len(unanswered))
            part = pick % (request.asked.minor() + 1)
            got = Money.of(Decimal(part).scaleb(-2), "EUR")
            ledger.append(AnswerEntry(request.id, got))
            accepted[request.id] = part
        elif action == "pay":
            payment = PaymentEntry(f"p{n}", party, money, confirmed=flag)
            payments[payment.id] = payment
            ledger.append(payment)
        elif action in ("correct", "void") and expenses:
            root = sorted(expenses)[pick % len(expenses)]
            latest = expenses[root]
            fixed = ExpenseEntry(
                f"e{n}", latest.payer, money, percent, corrects=latest.id, void=action == "void"
            )
            expenses[root] = fixed
            ledger.append(fixed)
        elif action == "fix_payment" and payments:
            root = sorted(payments)[pick % len(payments)]
            paid = payments[root]
            fixed_payment = PaymentEntry(
                f"p{n}", paid.payer, money, confirmed=flag, corrects=paid.id
            )
            payments[root] = fixed_payment
            ledger.append(fixed_payment)

    result = balance(ledger)

    # The independent sum, in whole cents: accepted reimbursements (capped, in the order they
    # were asked, by the debtor's share of the expense as it now stands) less confirmed payments.
    expected = 0
    used: dict[str, int] = {}
    for request in requests:
        latest = expenses[request.expense]
        if request.id not in accepted or latest.void:
            continue
        debtor: Party = "B" if latest.payer == "A" else "A"
        room = latest.shares().of(debtor).minor() - used.get(request.expense, 0)
        counted = max(0, min(accepted[request.id], room))
        used[request.expense] = used.get(request.expense, 0) + counted
        expected += counted if latest.payer == "A" else -counted
    for payment in payments.values():
        if payment.confirmed:
            expected += payment.amount.minor() if payment.payer == "A" else -payment.amount.minor()

    got = result.owed.get("EUR", Money.zero("EUR"))
    assert got.minor() == expected
    # Every cent of the figure is on a line, and the lines are the figure.
    assert sum(line.effect.minor() for line in result.lines) == expected
    # Nothing negative where it must not be: no line of zero or a wrong sign, what is owed by
    # one side is never negative, and no debtor is owed more than their share.
    for line in result.lines:
        assert line.effect.amount != 0
    assert result.owes("A", "EUR").amount >= 0 and result.owes("B", "EUR").amount >= 0
    assert min(result.owes("A", "EUR"), result.owes("B", "EUR")).amount == 0
    for root, total in used.items():
        latest = expenses[root]
        assert total <= latest.shares().of("B" if latest.payer == "A" else "A").minor()
    waiting = sum(r.asked.minor() for r in unanswered if not expenses[r.expense].void)
    assert result.waiting.get("EUR", Money.zero("EUR")).minor() == waiting
    unconfirmed = sorted(p.id for p in payments.values() if not p.confirmed)
    assert sorted(p.id for p in result.unconfirmed) == unconfirmed
