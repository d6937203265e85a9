"""The plain-language line of the record's weekly journal seal: the same words in every family,
since the entry is the same whether anyone keeps a journal or not."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from coparent.records.models import Kind
from coparent.records.summaries import register_summary


def _anchor(d: dict[str, Any]) -> str:
    return _("Weekly time seal (%(n)d sealed values; they reveal nothing)") % {
        "n": len(d.get("commitments", []))
    }


def register() -> None:
    register_summary(Kind.JOURNAL_ANCHOR, _anchor)
