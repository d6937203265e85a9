"""Template helpers for family data that every app's pages show."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import template
from django.utils.translation import gettext as _

from coparent.core.places import home_letter
from coparent.core.schedule import Plan
from coparent.families.models import Child
from coparent.families.selectors import FamilyAccess, child_name_for

register = template.Library()


@register.filter
def child_names(children: Iterable[Child], access: FamilyAccess) -> str:
    """`{{ event.children.all|child_names:access }}`: the children's names as the member in
    `access` may see them (a viewer: first names), through the one role-aware helper."""
    return ", ".join(child_name_for(access, child) for child in children)


@register.filter
def plan_place(plan: Mapping[str, Any] | Plan) -> str:
    """`{{ version.plan|plan_place }}`: a plan's exchange place (a stored plan's dict, or the
    engine's Plan) in the plan's own words: "home:A" is "Alex's home" — the plan holds no
    address (docs/safety.md). No query."""
    if isinstance(plan, Plan):
        place, names = plan.exchange_place, [plan.name_of("A"), plan.name_of("B")]
    else:
        place = str(plan.get("exchange_place", "") or "")
        names = [str(n) for n in (plan.get("parents") or [])] + ["", ""]
    letter = home_letter(place)
    if letter is None:
        return place
    name = names[letter == "B"] or (_("First parent") if letter == "A" else _("Second parent"))
    return _("%(name)s's home") % {"name": name}
