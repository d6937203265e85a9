"""Template helpers for family data that every app's pages show."""

from __future__ import annotations

from collections.abc import Iterable

from django import template

from coparent.families.models import Child
from coparent.families.selectors import FamilyAccess, child_name_for

register = template.Library()


@register.filter
def child_names(children: Iterable[Child], access: FamilyAccess) -> str:
    """`{{ event.children.all|child_names:access }}`: the children's names as the member in
    `access` may see them (a viewer: first names), through the one role-aware helper."""
    return ", ".join(child_name_for(access, child) for child in children)
