"""Money for shared expenses: amounts with their currency, splits, and the balance between two
parents (issue 14). Pure Python, no Django, and no floats anywhere: an amount is a `Decimal`
held to its currency's minor unit, and every function refuses a float outright (a float cannot
say 0.10, and a ledger two people argue over must not drift by a cent).

- Currencies and their minor units come from CLDR through Babel (already a dependency for
  dates): EUR and USD have 2 decimals, JPY 0, BHD 3. Codes that name no money a family spends
  (gold, the test code, "no currency") are refused.
- `split` divides an amount by a percentage from 0 to 100 with at most two decimals. Both
  shares are first rounded down to the minor unit; what is left (zero or one minor unit) goes
  to the side the caller names, so the shares always add up to the amount: no cent lost, none
  invented.
- `balance` reads a ledger of entries (expenses with their split, reimbursement requests and
  their answers, payments and their confirmations, corrections) and says who owes whom, per
  currency, with every line that makes the figure up. The rules are in its docstring.

Parents are the plan's letters "A" and "B", as in the agreement's split (A's share first).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Literal, TypeVar

from babel.core import get_global
from babel.numbers import get_currency_precision, get_territory_currencies, is_currency

Party = Literal["A", "B"]
PARTIES: tuple[Party, Party] = ("A", "B")
# The currency used when a family's zone names no country (UTC, "Etc/…"): the product's first
# families are in the euro area (PRODUCT.md). A family can always choose another per expense.
FALLBACK_CURRENCY = "EUR"
# ISO 4217 codes that are no family's spending money: precious metals, special drawing rights,
# the bond-market units, the test code and "no currency".
NOT_SPENDABLE = frozenset(
    {"XAU", "XAG", "XPT", "XPD", "XDR", "XBA", "XBB", "XBC", "XBD", "XSU", "XUA", "XTS", "XXX"}
)
# The largest amount one entry may carry: far above any family expense, small enough that a
# typo of six extra zeros is caught and every sum fits a database decimal of 14 digits.
MAX_AMOUNT = Decimal("9999999")
PERCENT_QUANTUM = Decimal("0.01")


class MoneyError(ValueError):
    """Input that is not an amount of money: `problems` maps the field to a message a person can
    act on (the caller's form or API shows each beside its field)."""

    def __init__(self, problems: Mapping[str, str]) -> None:
        self.problems = dict(problems)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.problems.items()))


def other(party: Party) -> Party:
    return "B" if party == "A" else "A"


def known_currency(code: object) -> str | None:
    """The upper-case ISO 4217 code if it is money a family spends, else None."""
    if not isinstance(code, str):
        return None
    clean = code.strip().upper()
    if len(clean) != 3 or not clean.isalpha() or clean in NOT_SPENDABLE:
        return None
    return clean if is_currency(clean) else None


def exponent(currency: str) -> int:
    """How many decimals the currency's minor unit has (EUR 2, JPY 0, BHD 3)."""
    return int(get_currency_precision(currency))


def minor_unit(currency: str) -> Decimal:
    return Decimal(1).scaleb(-exponent(currency))


def currency_for_zone(zone_name: str) -> str:
    """The currency a family most likely spends, from its time zone's country (CLDR's zone
    territories: Europe/Paris → FR → EUR); FALLBACK_CURRENCY for a zone of no country."""
    territory = get_global("zone_territories").get(zone_name)
    if territory:
        for code in get_territory_currencies(territory):
            if known_currency(code):
                return str(code)
    return FALLBACK_CURRENCY


@dataclass(frozen=True)
class Money:
    """An amount in one currency, exact to the currency's minor unit; signed only where it is a
    difference (a balance's line). Built through `parse_money` from what a person typed (which
    is always above zero), or `Money.of` from trusted values."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise TypeError("Money holds a Decimal amount, never a float")
        if known_currency(self.currency) != self.currency:
            raise MoneyError({"currency": f"{self.currency!r} is not a currency code."})
        if self.amount != self.amount.quantize(minor_unit(self.currency)):
            raise MoneyError({"amount": "More decimals than the currency has."})

    @classmethod
    def of(cls, amount: Decimal | int | str, currency: str) -> Money:
        if isinstance(amount, float):
            raise TypeError("Money is never made from a float")
        unit = minor_unit(currency)
        return cls(Decimal(amount).quantize(unit), currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls.of(0, currency)

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"cannot mix {self.currency} and {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def __bool__(self) -> bool:
        return self.amount != 0

    def minor(self) -> int:
        """The amount in minor units (cents): an exact integer."""
        return int(self.amount.scaleb(exponent(self.currency)))

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


def parse_money(amount: object, currency: object, *, amount_field: str = "amount") -> Money:
    """What a person typed as an amount and a currency: a positive amount, at most as many
    decimals as the currency has, not above MAX_AMOUNT, in a known currency. Raises MoneyError
    naming every field that is wrong."""
    problems: dict[str, str] = {}
    code = known_currency(currency)
    if code is None:
        problems["currency"] = "Choose a currency by its three-letter code, such as EUR or USD."
    value: Decimal | None = None
    if isinstance(amount, float):
        raise TypeError("amounts are never floats: pass the text or a Decimal")
    if isinstance(amount, bool):
        problems[amount_field] = "Enter an amount, such as 42.50."
    elif isinstance(amount, (Decimal, int, str)):
        try:
            value = Decimal(str(amount).strip().replace(" ", "")) if amount != "" else None
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite():
            problems[amount_field] = "Enter an amount, such as 42.50."
            value = None
    else:
        problems[amount_field] = "Enter an amount, such as 42.50."
    if value is not None:
        if value <= 0:
            problems[amount_field] = "Enter an amount above zero."
        elif value > MAX_AMOUNT:
            problems[amount_field] = f"At most {MAX_AMOUNT} for one entry."
        elif code is not None:
            places = exponent(code)
            if value != value.quantize(minor_unit(code), rounding=ROUND_DOWN):
                problems[amount_field] = (
                    f"{code} has no decimals: enter a whole amount."
                    if places == 0
                    else f"{code} has {places} decimal places: enter at most {places}."
                )
    if problems or value is None or code is None:
        raise MoneyError(problems)
    return Money.of(value, code)


def parse_percent(value: object, *, field_name: str = "percent") -> Decimal:
    """A share in percent from 0 to 100 with at most two decimals (60, 62.5, 33.33)."""
    if isinstance(value, float):
        raise TypeError("percentages are never floats: pass the text or a Decimal")
    message = "A percentage from 0 to 100, with at most two decimals."
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, str)):
        raise MoneyError({field_name: message})
    try:
        number = Decimal(str(value).strip().rstrip("%"))
    except InvalidOperation:
        raise MoneyError({field_name: message}) from None
    if (
        not number.is_finite()
        or not 0 <= number <= 100
        or number != number.quantize(PERCENT_QUANTUM, rounding=ROUND_DOWN)
    ):
        raise MoneyError({field_name: message})
    return number.quantize(PERCENT_QUANTUM)


@dataclass(frozen=True)
class Shares:
    """An amount split between the parents; `a + b == total`, always."""

    a: Money
    b: Money

    def of(self, party: Party) -> Money:
        return self.a if party == "A" else self.b

    @property
    def total(self) -> Money:
        return self.a + self.b


def split(total: Money, percent_a: Decimal, *, remainder_to: Party) -> Shares:
    """A's share is `percent_a` of `total`, B's the rest. Each exact share is rounded down to
    the minor unit; the one minor unit the two roundings may leave goes to `remainder_to`."""
    percent = parse_percent(percent_a)
    unit = minor_unit(total.currency)
    exact_a = total.amount * percent / 100
    a = exact_a.quantize(unit, rounding=ROUND_DOWN)
    b = (total.amount - exact_a).quantize(unit, rounding=ROUND_DOWN)
    rest = total.amount - a - b
    if remainder_to == "A":
        a += rest
    else:
        b += rest
    return Shares(Money(a, total.currency), Money(b, total.currency))


# --- the ledger -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpenseEntry:
    """An expense `payer` paid; `percent_a` of it is A's share. `corrects` names the expense
    this one replaces; `void` withdraws the expense it corrects (an entry made by mistake)."""

    id: str
    payer: Party
    total: Money
    percent_a: Decimal
    corrects: str | None = None
    void: bool = False

    def shares(self) -> Shares:
        # The odd cent stays with the parent who paid: the other is never asked for more than
        # their exact share.
        return split(self.total, self.percent_a, remainder_to=self.payer)


@dataclass(frozen=True)
class RequestEntry:
    """The payer of `expense` asks the other parent for `asked` (at most the other's share)."""

    id: str
    expense: str
    asked: Money


@dataclass(frozen=True)
class AnswerEntry:
    """The other parent's answer to `request`: `accepted` is all of it (accept), part of it
    (accept part), or zero (dispute)."""

    request: str
    accepted: Money


@dataclass(frozen=True)
class PaymentEntry:
    """Money `payer` gave the other parent. It counts once the receiver has it on the record:
    recorded by the receiver, or confirmed by them. `corrects` and `void` as for expenses."""

    id: str
    payer: Party
    amount: Money
    confirmed: bool
    corrects: str | None = None
    void: bool = False


Entry = ExpenseEntry | RequestEntry | AnswerEntry | PaymentEntry
Corrected = TypeVar("Corrected", ExpenseEntry, PaymentEntry)


@dataclass(frozen=True)
class Line:
    """One line of the balance: what it is, its id, and how much it moves what B owes A
    (positive: B owes A more; negative: A owes B more)."""

    kind: Literal["reimbursement", "payment"]
    id: str
    effect: Money


@dataclass(frozen=True)
class Balance:
    """Per currency: `owed[c]` is what B owes A in c (negative: A owes B), the sum of `lines`
    of that currency exactly. `waiting` is asked and not answered yet; `unconfirmed` payments
    recorded by the payer that the receiver has not confirmed: shown, not counted."""

    owed: dict[str, Money]
    lines: tuple[Line, ...]
    waiting: dict[str, Money] = field(default_factory=dict)
    unconfirmed: tuple[PaymentEntry, ...] = ()

    def debtor(self, currency: str) -> tuple[Party, Party, Money] | None:
        """(who owes, to whom, how much) in `currency`; None when they are even."""
        value = self.owed.get(currency)
        if value is None or not value:
            return None
        if value.amount > 0:
            return "B", "A", value
        return "A", "B", -value

    def owes(self, party: Party, currency: str) -> Money:
        """What `party` owes the other in `currency`, zero when nothing (never negative)."""
        found = self.debtor(currency)
        if found is None or found[0] != party:
            return Money.zero(currency)
        return found[2]


def current(entries: Iterable[Corrected]) -> dict[str, Corrected]:
    """Each chain of corrections by its first entry's id → its latest entry (None-free: a void
    entry stands for a withdrawn one). Entries come in the order they were made."""
    root: dict[str, str] = {}
    latest: dict[str, Corrected] = {}
    for entry in entries:
        if entry.corrects is None:
            root[entry.id] = entry.id
        else:
            if entry.corrects not in root:
                raise ValueError(f"{entry.id} corrects unknown {entry.corrects}")
            root[entry.id] = root[entry.corrects]
        latest[root[entry.id]] = entry
    return latest


def balance(entries: Sequence[Entry]) -> Balance:
    """Who owes whom, from the ledger in the order it was written.

    - An expense alone moves nothing: the other parent owes only what they accepted when asked.
    - An accepted (or partly accepted) request moves the accepted amount towards the payer,
      capped at the other's share of the expense as it stands after any correction (a lower
      corrected amount lowers what is owed; a voided expense owes nothing).
    - A payment counts in full once confirmed (it may overpay: money given is money given).
    - A request waiting for an answer is `waiting`, a payment waiting for confirmation is
      `unconfirmed`: both shown, neither counted.
    Requests and answers point at an expense chain's first id; corrections at the entry they
    replace."""
    expenses = current(e for e in entries if isinstance(e, ExpenseEntry))
    payments = current(e for e in entries if isinstance(e, PaymentEntry))
    expense_root: dict[str, str] = {}
    for entry in entries:
        if isinstance(entry, ExpenseEntry):
            expense_root[entry.id] = (
                entry.id if entry.corrects is None else expense_root[entry.corrects]
            )
    requests: dict[str, RequestEntry] = {}
    answers: dict[str, AnswerEntry] = {}
    for entry in entries:
        if isinstance(entry, RequestEntry):
            requests[entry.id] = entry
        elif isinstance(entry, AnswerEntry):
            if entry.request not in requests:
                raise ValueError(f"answer to unknown request {entry.request}")
            answers.setdefault(entry.request, entry)
    lines: list[Line] = []
    waiting: dict[str, Money] = {}
    accepted_so_far: dict[str, Money] = {}
    for request in requests.values():
        root = expense_root[request.expense]
        expense = expenses[root]
        answer = answers.get(request.id)
        if answer is None:
            if not expense.void:
                waiting[request.asked.currency] = (
                    waiting.get(request.asked.currency, Money.zero(request.asked.currency))
                    + request.asked
                )
            continue
        if expense.void or not answer.accepted:
            continue
        debtor = other(expense.payer)
        room = expense.shares().of(debtor) - accepted_so_far.get(
            root, Money.zero(expense.total.currency)
        )
        counted = min(answer.accepted, room) if room.amount > 0 else Money.zero(room.currency)
        if not counted:
            continue
        accepted_so_far[root] = accepted_so_far.get(root, Money.zero(counted.currency)) + counted
        lines.append(
            Line("reimbursement", request.id, counted if expense.payer == "A" else -counted)
        )
    unconfirmed: list[PaymentEntry] = []
    for payment in payments.values():
        if payment.void:
            continue
        if not payment.confirmed:
            unconfirmed.append(payment)
            continue
        # B paying A lowers what B owes A.
        lines.append(
            Line("payment", payment.id, -payment.amount if payment.payer == "B" else payment.amount)
        )
    owed: dict[str, Money] = {}
    for line in lines:
        code = line.effect.currency
        owed[code] = owed.get(code, Money.zero(code)) + line.effect
    return Balance(owed, tuple(lines), waiting, tuple(unconfirmed))
