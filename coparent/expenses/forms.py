"""The expense pages' forms. Amounts are text fields: the service parses them as decimals for
the currency (coparent.core.money) and names what is wrong; no float is ever made."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coparent.expenses.models import (
    DESCRIPTION_MAX_CHARS,
    REASON_MAX_CHARS,
    REFERENCE_MAX_CHARS,
    Category,
    Decision,
    Method,
)
from coparent.messaging.forms import AttachmentsField
from coparent.web.fields import BoundedDateField, MonthField
from coparent.web.forms import field_of
from coparent.web.widgets import DateInput

if TYPE_CHECKING:
    from coparent.infra.labels import StrOrPromise

AMOUNT_CHARS = 32


def _amount(label: StrOrPromise, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=AMOUNT_CHARS,
        required=required,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


class ExpenseForm(forms.Form):
    spent_on = BoundedDateField(label=_("Date"), widget=DateInput())
    amount = _amount(_("Amount"))
    currency = forms.CharField(label=_("Currency"), max_length=3, help_text=_("EUR, USD, GBP…"))
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    children = forms.MultipleChoiceField(
        label=_("For"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one child.")},
    )
    description = forms.CharField(label=_("What it was for"), max_length=DESCRIPTION_MAX_CHARS)
    percent_a = forms.CharField(
        label=_("First parent's share, in percent"),
        required=False,
        max_length=8,
        help_text=_("Leave empty for the agreement's split (half each without one)."),
    )
    split_reason = forms.CharField(
        label=_("Why this split"),
        required=False,
        max_length=REASON_MAX_CHARS,
        help_text=_("Needed when the split differs from the agreement."),
    )
    repeat_monthly = forms.BooleanField(
        label=_("Repeat every month (a club's fee, for instance)"),
        required=False,
        help_text=_("Logged again on the same day each month until a parent stops it."),
    )
    receipts = AttachmentsField(
        label=_("Receipt: photo or PDF (optional)"),
        required=False,
        help_text=_("Location and camera data are removed from photos before they are kept."),
    )

    def __init__(self, *args: Any, children: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "children", forms.MultipleChoiceField).choices = list(children)


def _reason(label: StrOrPromise) -> forms.CharField:
    return forms.CharField(
        label=label, max_length=REASON_MAX_CHARS, widget=forms.Textarea(attrs={"rows": 2})
    )


class ExpenseCorrectionForm(ExpenseForm):
    """The expense as it should have been, and why: a new version linked to the one shown."""

    correction_reason = _reason(_("What the correction is for"))

    def __init__(self, *args: Any, children: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, children=children, **kwargs)
        # A correction keeps the expense's recurrence (or none): it is set when first logged.
        del self.fields["repeat_monthly"]
        field_of(self, "receipts", AttachmentsField).help_text = _(
            "The earlier version keeps its receipts; add any this version needs."
        )


class WithdrawForm(forms.Form):
    """Why an expense or a payment record is withdrawn: it stays on the record, marked so."""

    correction_reason = _reason(_("Why it is withdrawn"))


class AskForm(forms.Form):
    amount = _amount(_("Amount to ask (empty: all of the other parent's share)"), required=False)
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=REASON_MAX_CHARS)


class AnswerForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Your answer"), choices=Decision.choices, widget=forms.RadioSelect
    )
    amount = _amount(_("Amount you accept (for “accept part”)"), required=False)
    reason = forms.CharField(
        label=_("Reason (needed to dispute)"),
        required=False,
        max_length=REASON_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PaymentForm(forms.Form):
    direction = forms.ChoiceField(
        label=_("Who paid"),
        choices=[
            ("sent", _("I paid the other parent")),
            ("received", _("The other parent paid me")),
        ],
        widget=forms.RadioSelect,
    )
    amount = _amount(_("Amount"))
    currency = forms.CharField(label=_("Currency"), max_length=3)
    paid_on = BoundedDateField(label=_("Date"), widget=DateInput())
    method = forms.ChoiceField(label=_("How"), choices=Method.choices)
    reference = forms.CharField(
        label=_("Reference (optional)"), required=False, max_length=REFERENCE_MAX_CHARS
    )
    confirm_overpayment = forms.BooleanField(
        label=_("Yes, record more than is owed"), required=False
    )


class PaymentCorrectionForm(forms.Form):
    """A payment record as it should have been (who paid whom stays), and why."""

    amount = _amount(_("Amount"))
    currency = forms.CharField(label=_("Currency"), max_length=3)
    paid_on = BoundedDateField(label=_("Date"), widget=DateInput())
    method = forms.ChoiceField(label=_("How"), choices=Method.choices)
    reference = forms.CharField(
        label=_("Reference (optional)"), required=False, max_length=REFERENCE_MAX_CHARS
    )
    correction_reason = _reason(_("What the correction is for"))
    confirm_overpayment = forms.BooleanField(
        label=_("Yes, record more than is owed"), required=False
    )


class ExpenseFilterForm(forms.Form):
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All"))] + list(Category.choices)
    )
    child = forms.ChoiceField(label=_("Child"), required=False)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1901, max_value=2198)

    def __init__(self, *args: Any, children: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "child", forms.ChoiceField).choices = [("", _("All"))] + list(children)


class StatementForm(forms.Form):
    month = MonthField(label=_("Month"), required=False)


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1901, max_value=2198)
