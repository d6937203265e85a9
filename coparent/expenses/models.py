"""The shared-expenses ledger (issue 14, docs/expenses.md): what a parent spent for the children,
what they asked the other to reimburse, the answer, the payments and their confirmations.

Every table only ever grows: database triggers refuse UPDATE and DELETE (migration 0001). A
mistake is corrected by a new row that names the one it replaces (`corrects`), or withdraws it
(`void`); the balance (coparent.core.money.balance) reads the latest of each chain.

Amounts are decimals held to the currency's minor unit (three places cover every currency in
use); who paid is a person, mapped to the agreement's letters A and B when the balance is read.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.timezone import now as utc_now
from django.utils.translation import gettext_lazy as _

from coparent.core.money import Money
from coparent.families.models import Child, Family

DESCRIPTION_MAX_CHARS = 500
REASON_MAX_CHARS = 1_000
REFERENCE_MAX_CHARS = 100
# 10 digits before the point (MAX_AMOUNT is 9,999,999) and 3 after (BHD, KWD): every entry and
# every sum of a family's year fits.
AMOUNT_DIGITS = 14
AMOUNT_PLACES = 3


class Category(models.TextChoices):
    MEDICAL = "medical", _("Medical")
    SCHOOL = "school", _("School")
    ACTIVITIES = "activities", _("Activities")
    CLOTHING = "clothing", _("Clothing")
    CHILDCARE = "childcare", _("Childcare")
    TRAVEL = "travel", _("Travel")
    OTHER = "other", _("Other")


class Decision(models.TextChoices):
    ACCEPT = "accept", _("Accept")
    PART = "part", _("Accept part")
    DISPUTE = "dispute", _("Dispute")


class Method(models.TextChoices):
    TRANSFER = "transfer", _("Bank transfer")
    CASH = "cash", _("Cash")
    CARD = "card", _("Card")
    CHEQUE = "cheque", _("Cheque")
    APP = "app", _("Payment app")
    OTHER = "other", _("Other")


class Expense(models.Model):
    """Money one parent spent for one or more children. `percent_a` is the first parent's (A's)
    share in percent, from the agreement or set for this expense with `split_reason`."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="+")
    spent_on = models.DateField()
    amount = models.DecimalField(max_digits=AMOUNT_DIGITS, decimal_places=AMOUNT_PLACES)
    currency = models.CharField(max_length=3)
    category = models.CharField(max_length=12, choices=Category)
    description = models.CharField(max_length=DESCRIPTION_MAX_CHARS)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    percent_a = models.DecimalField(max_digits=5, decimal_places=2)
    # Empty when the split is the agreement's (or the even default without one).
    split_reason = models.CharField(max_length=REASON_MAX_CHARS, blank=True)
    corrects = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrected_by"
    )
    # The first expense of its correction chain (itself for a first entry): what requests,
    # lists and the balance group by, so a correction never orphans a request.
    chain = models.ForeignKey("self", on_delete=models.PROTECT, related_name="+")
    void = models.BooleanField(default=False)
    correction_reason = models.CharField(max_length=REASON_MAX_CHARS, blank=True)
    at = models.DateTimeField(default=utc_now)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="expense_amount_above_zero"
            ),
            models.CheckConstraint(
                condition=models.Q(percent_a__gte=0, percent_a__lte=100),
                name="expense_percent_0_to_100",
            ),
            # A correction is made once: a second one corrects the first correction.
            models.UniqueConstraint(fields=["corrects"], name="expense_corrected_once"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} on {self.spent_on}"

    @property
    def money(self) -> Money:
        """The amount as money, held to its currency's minor unit (84.50 EUR, not 84.500)."""
        return Money.of(self.amount, self.currency)


class ExpenseChild(models.Model):
    """A child an expense was for."""

    id = models.BigAutoField(primary_key=True)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="+")
    expense = models.ForeignKey(Expense, on_delete=models.PROTECT, related_name="for_children")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["expense", "child"], name="expense_child_once")
        ]

    def __str__(self) -> str:
        return f"{self.child_id} in {self.expense_id}"


class Receipt(models.Model):
    """A photo or PDF of a receipt, under the rules of message attachments
    (coparent.messaging.attachments): type from the bytes, photos redrawn so no GPS position
    survives, stored under a random name, served only through the access path."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="+")
    expense = models.ForeignKey(Expense, on_delete=models.PROTECT, related_name="receipts")
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    stored_name = models.CharField(max_length=100, unique=True)
    created_at = models.DateTimeField(default=utc_now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_photo(self) -> bool:
        return self.content_type.startswith("image/")


class ReimbursementRequest(models.Model):
    """The parent who paid asks the other for `amount` of an expense (at most the other's
    share less what is already asked and not disputed). Points at the expense chain's first
    row, so a correction of the expense does not orphan it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="+")
    expense = models.ForeignKey(Expense, on_delete=models.PROTECT, related_name="requests")
    amount = models.DecimalField(max_digits=AMOUNT_DIGITS, decimal_places=AMOUNT_PLACES)
    currency = models.CharField(max_length=3)
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    asked_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=REASON_MAX_CHARS, blank=True)
    at = models.DateTimeField(default=utc_now)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="request_amount_above_zero"
            )
        ]

    def __str__(self) -> str:
        return f"asked {self.amount} {self.currency}"

    @property
    def money(self) -> Money:
        """The amount as money, held to its currency's minor unit (84.50 EUR, not 84.500)."""
        return Money.of(self.amount, self.currency)

    @property
    def answer_or_none(self) -> Answer | None:
        """The answer, or None while the request waits (select_related("answer") reads it)."""
        try:
            return self.answer
        except Answer.DoesNotExist:
            return None


class Answer(models.Model):
    """The other parent's answer to a request, given once: all of it, part of it, or a dispute
    (with a reason)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="+")
    request = models.OneToOneField(
        ReimbursementRequest, on_delete=models.PROTECT, related_name="answer"
    )
    decision = models.CharField(max_length=8, choices=Decision)
    accepted = models.DecimalField(max_digits=AMOUNT_DIGITS, decimal_places=AMOUNT_PLACES)
    reason = models.CharField(max_length=REASON_MAX_CHARS, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=utc_now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(accepted__gte=0), name="answer_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.decision} {self.accepted}"

    @property
    def money(self) -> Money:
        return Money.of(self.accepted, self.request.currency)


class Payment(models.Model):
    """Money one parent gave the other (either may record it). It counts in the balance once
    the receiver has it on the record: recorded by them, or confirmed by them."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="+")
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    paid_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    paid_on = models.DateField()
    amount = models.DecimalField(max_digits=AMOUNT_DIGITS, decimal_places=AMOUNT_PLACES)
    currency = models.CharField(max_length=3)
    method = models.CharField(max_length=10, choices=Method)
    reference = models.CharField(max_length=REFERENCE_MAX_CHARS, blank=True)
    # Recorded knowing it is more than the payer owed (the service asks first).
    overpayment = models.BooleanField(default=False)
    corrects = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrected_by"
    )
    void = models.BooleanField(default=False)
    correction_reason = models.CharField(max_length=REASON_MAX_CHARS, blank=True)
    at = models.DateTimeField(default=utc_now)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="payment_amount_above_zero"
            ),
            models.UniqueConstraint(fields=["corrects"], name="payment_corrected_once"),
        ]

    def __str__(self) -> str:
        return f"paid {self.amount} {self.currency} on {self.paid_on}"

    @property
    def money(self) -> Money:
        """The amount as money, held to its currency's minor unit (84.50 EUR, not 84.500)."""
        return Money.of(self.amount, self.currency)

    @property
    def receiver_recorded(self) -> bool:
        return self.recorded_by_id == self.paid_to_id


class PaymentConfirmation(models.Model):
    """The receiver says the money arrived; once per payment."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="+")
    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="confirmation")
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=utc_now)

    def __str__(self) -> str:
        return f"confirmed at {self.at:%Y-%m-%d %H:%M}Z"


class ReimbursementReminder(models.Model):
    """The one reminder sent for a request that waited longer than the agreement allows: one
    row per request, so a scan that runs twice, or two workers, remind once."""

    id = models.BigAutoField(primary_key=True)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="+")
    request = models.OneToOneField(
        ReimbursementRequest, on_delete=models.PROTECT, related_name="reminder"
    )
    at = models.DateTimeField(default=utc_now)

    def __str__(self) -> str:
        return f"reminder of {self.request_id}"


class Recurrence(models.Model):
    """An expense that comes back every month (the swimming club's fee): the worker logs a copy
    of the expense's latest version each month on `day_of_month` (the 28th at most, so every
    month has it), until a parent stops it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="+")
    expense = models.OneToOneField(Expense, on_delete=models.PROTECT, related_name="recurrence")
    day_of_month = models.PositiveSmallIntegerField()
    at = models.DateTimeField(default=utc_now)

    def __str__(self) -> str:
        return f"monthly on day {self.day_of_month}"

    @property
    def stopped(self) -> bool:
        return hasattr(self, "stop")


class RecurrenceStop(models.Model):
    """A parent stopped a recurrence; once."""

    id = models.BigAutoField(primary_key=True)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="+")
    recurrence = models.OneToOneField(Recurrence, on_delete=models.PROTECT, related_name="stop")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=utc_now)

    def __str__(self) -> str:
        return f"stopped at {self.at:%Y-%m-%d}"


class RecurrenceRun(models.Model):
    """The expense a recurrence logged for one month: one per (recurrence, month), so a scan
    that runs twice, or two workers, log it once."""

    id = models.BigAutoField(primary_key=True)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="+")
    recurrence = models.ForeignKey(Recurrence, on_delete=models.PROTECT, related_name="runs")
    month = models.DateField()  # its first day
    expense = models.OneToOneField(Expense, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["recurrence", "month"], name="recurrence_once_a_month")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} of {self.recurrence_id}"
