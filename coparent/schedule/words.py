"""The plan in plain words, for the editor's choices and the proposal's "what changes": the
named patterns as people say them, and who has a holiday in which years. The stored plan keeps
the format of docs/schedules.md (letters, "odd_years"); only the words shown come from here."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from coparent.core.schedule import PATTERNS
from coparent.core.when import format_day
from coparent.web import zones

if TYPE_CHECKING:
    from coparent.infra.labels import StrOrPromise

SWAP = str.maketrans("AB", "BA")

# The named patterns in words; the parent "who has the children on the first day" has the
# pattern's first stretch, the other parent the next one.
PATTERN_WORDS: dict[str, StrOrPromise] = {
    "alternating-weeks": _("A week each, in turn (week on, week off)"),
    "2-2-3": _("2 days, 2 days, then 3 days; the weekends alternate"),
    "2-2-5-5": _("2 days each, then 5 days each; each keeps the same weekdays"),
    "3-4-4-3": _("3 days and 4 days, then 4 days and 3 days"),
    "5-2": _("5 days, then 2 days with the other parent, every week"),
    "4-3": _("4 days, then 3 days with the other parent, every week"),
    "every-other-weekend": _("The other parent has every other weekend"),
    "every-other-weekend-midweek": _(
        "The other parent has every other weekend and one midweek night a week"
    ),
}


def pattern_of(plan: Mapping[str, Any]) -> tuple[str | None, str, str]:
    """(named pattern or None, who has the first day "A"/"B", the rotation's letters) of a stored
    plan: a named pattern whose letters are swapped is that pattern with "B" first."""
    if plan.get("pattern"):
        return str(plan["pattern"]), "A", PATTERNS.get(str(plan["pattern"]), "")
    rotation = str(plan.get("rotation", ""))
    for name, letters in PATTERNS.items():
        if rotation == letters.translate(SWAP):
            return name, "B", rotation
    return None, rotation[:1] or "A", rotation


def describe_pattern(plan: Mapping[str, Any], names: tuple[str, str]) -> str:
    """ "2 days, 2 days, then 3 days; the weekends alternate. Sam has the first day." """
    name, first, rotation = pattern_of(plan)
    who = names[first == "B"]
    try:
        start = format_day(date.fromisoformat(str(plan.get("start"))), zones.current().locale)
    except ValueError:
        start = str(plan.get("start", ""))
    if name is not None:
        return gettext("%(pattern)s, from %(start)s, %(who)s first.") % {
            "pattern": PATTERN_WORDS[name],
            "start": start,
            "who": who,
        }
    return gettext(
        "Its own rotation of %(n)d days (%(letters)s), from %(start)s, %(who)s first."
    ) % {
        "n": len(rotation),
        "letters": rotation,
        "start": plan.get("start", ""),
        "who": who,
    }


def who_in_which_years(odd: str | None, even: str | None, names: tuple[str, str]) -> str:
    """ "Sam every year", "Alex in even years, Sam in odd years", "Alex in odd years only"."""

    def name(letter: str) -> str:
        return names[letter == "B"]

    if odd and even and odd == even:
        return gettext("%(name)s every year") % {"name": name(odd)}
    if odd and even:
        return gettext("%(even)s in even years, %(odd)s in odd years") % {
            "even": name(even),
            "odd": name(odd),
        }
    if even:
        return gettext("%(name)s in even years only") % {"name": name(even)}
    return gettext("%(name)s in odd years only") % {"name": name(odd or "A")}
