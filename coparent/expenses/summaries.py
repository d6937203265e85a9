"""Plain-language lines for the record's expense entries, on the timeline and in the PDF."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from coparent.records.models import Kind
from coparent.records.summaries import register_summary


def _money(d: dict[str, Any], key: str = "amount") -> str:
    return f"{d.get(key, '')} {d.get('currency', '')}".strip()


def _expense(d: dict[str, Any]) -> str:
    text = _("%(name)s logged %(amount)s for “%(what)s” (%(children)s), spent on %(day)s") % {
        "name": d.get("name", ""),
        "amount": _money(d),
        "what": d.get("description", ""),
        "children": ", ".join(d.get("children", [])),
        "day": d.get("spent_on", ""),
    }
    if d.get("split_reason"):
        text += " " + _("— split %(a)s%% / %(b)s%%: %(why)s") % {
            "a": d.get("percent_a", ""),
            "b": _other_percent(d.get("percent_a")),
            "why": d["split_reason"],
        }
    receipts = d.get("receipts") or []
    if receipts:
        text += " " + _("(%(n)d receipt(s))") % {"n": len(receipts)}
    return text


def _other_percent(value: object) -> str:
    try:
        return str(Decimal(100) - Decimal(str(value)))
    except ArithmeticError:
        return ""


def _corrected(d: dict[str, Any]) -> str:
    if d.get("void"):
        return _("%(name)s withdrew the expense “%(what)s”: %(why)s") % {
            "name": d.get("name", ""),
            "what": d.get("description", ""),
            "why": d.get("reason", ""),
        }
    return _("%(name)s corrected an expense to %(amount)s for “%(what)s”: %(why)s") % {
        "name": d.get("name", ""),
        "amount": _money(d),
        "what": d.get("description", ""),
        "why": d.get("reason", ""),
    }


def _asked(d: dict[str, Any]) -> str:
    return _("%(name)s asked %(of)s to reimburse %(amount)s for “%(what)s”") % {
        "name": d.get("name", ""),
        "of": d.get("of", ""),
        "amount": _money(d),
        "what": d.get("description", ""),
    }


def _answered(d: dict[str, Any]) -> str:
    values = {
        "name": d.get("name", ""),
        "what": d.get("description", ""),
        "asked": _money(d, "asked"),
        "accepted": _money(d, "accepted"),
        "why": d.get("reason", ""),
    }
    if d.get("decision") == "accept":
        return _("%(name)s accepted to reimburse %(asked)s for “%(what)s”") % values
    if d.get("decision") == "part":
        return _("%(name)s accepted %(accepted)s of the %(asked)s asked for “%(what)s”") % values
    return _("%(name)s disputed the %(asked)s asked for “%(what)s”: %(why)s") % values


def _paid(d: dict[str, Any]) -> str:
    if d.get("void"):
        return _("%(name)s withdrew a payment record: %(why)s") % {
            "name": d.get("name", ""),
            "why": d.get("reason", ""),
        }
    text = _(
        "%(name)s recorded a payment of %(amount)s from %(payer)s to %(receiver)s on %(day)s"
    ) % {
        "name": d.get("name", ""),
        "amount": _money(d),
        "payer": d.get("payer", ""),
        "receiver": d.get("receiver", ""),
        "day": d.get("paid_on", ""),
    }
    if d.get("corrects"):
        text += " " + _("(correcting an earlier record: %(why)s)") % {"why": d.get("reason", "")}
    return text


def _confirmed(d: dict[str, Any]) -> str:
    return _("%(name)s confirmed receiving %(amount)s paid on %(day)s") % {
        "name": d.get("name", ""),
        "amount": _money(d),
        "day": d.get("paid_on", ""),
    }


def _reminded(d: dict[str, Any]) -> str:
    return _("%(of)s was reminded of the %(amount)s asked for “%(what)s”") % {
        "of": d.get("of", ""),
        "amount": _money(d),
        "what": d.get("description", ""),
    }


SUMMARIES = {
    Kind.REIMBURSEMENT_REMINDED: _reminded,
    Kind.EXPENSE_ADDED: _expense,
    Kind.EXPENSE_CORRECTED: _corrected,
    Kind.REIMBURSEMENT_ASKED: _asked,
    Kind.REIMBURSEMENT_ANSWERED: _answered,
    Kind.PAYMENT_RECORDED: _paid,
    Kind.PAYMENT_CONFIRMED: _confirmed,
}


def register() -> None:
    for kind, summarise in SUMMARIES.items():
        register_summary(kind, summarise)
