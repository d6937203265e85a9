"""A clause's terms in plain words, for the pages, the printed agreement and the API's
readers: "Needs both parents: travel out of state or abroad", "No answer within 7 days to a
request for a swap counts as yes"."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _

from coparent.accounts.models import User
from coparent.agreements.models import DECISION_LABELS, REQUEST_KIND_LABELS
from coparent.core.agreement import TermsError, parse_terms


def terms_words(terms: Mapping[str, Any] | None, parents: Sequence[User] = ()) -> list[str]:
    """One sentence per term; the split names the parents in the order they joined."""
    try:
        parsed = parse_terms(dict(terms or {}))
    except TermsError:
        return []
    lines: list[str] = []
    if parsed.reserved:
        decisions = [str(label) for d, label in DECISION_LABELS.items() if d in parsed.reserved]
        lines.append(_("Needs both parents: %(what)s.") % {"what": "; ".join(decisions).lower()})
    for rule in parsed.silence:
        values = {"days": rule.days, "what": REQUEST_KIND_LABELS[rule.kind]}
        if rule.outcome == "approve":
            lines.append(
                _("No answer within %(days)s days to a request for %(what)s counts as yes.")
                % values
            )
        else:
            lines.append(
                _("No answer within %(days)s days to a request for %(what)s counts as no.") % values
            )
    if parsed.response_hours is not None:
        lines.append(_("Answers expected within %(n)s hours.") % {"n": parsed.response_hours})
    if parsed.split is not None:
        names = [p.display_name or p.email for p in parents] + [_("parent A"), _("parent B")]
        if len(parents) == 1:
            names = [names[0], _("parent B")]
        lines.append(
            _("Costs shared %(a)s%% %(first)s, %(b)s%% %(second)s.")
            % {"a": parsed.split[0], "first": names[0], "b": parsed.split[1], "second": names[1]}
        )
    return lines
