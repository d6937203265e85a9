"""The one check on labels — people's, families' and children's names, titles, subjects,
places, a plan's names and notes — that every service runs before it saves one, so every form
and API operation refuses the same invisible characters with the same field message
(coparent.core.text; docs/permissions.md, "Text that shows as stored")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import ngettext

from coparent.core.text import char_name, hidden_characters

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

    # A text, or one translated when it is shown (gettext_lazy): what Django takes as a label.
    # Only for annotations: the stubs' promise type does not exist at run time.
    StrOrPromise = str | _StrPromise


def label_problem(value: str) -> str | None:
    """The field message for a label holding invisible characters, or None."""
    found = hidden_characters(value or "")
    if not found:
        return None
    return ngettext(
        "Remove the invisible character %(chars)s: it can make the text show differently "
        "from what is saved.",
        "Remove the invisible characters %(chars)s: they can make the text show differently "
        "from what is saved.",
        len(found),
    ) % {"chars": ", ".join(char_name(ch) for ch in found)}


def check_label(errors: dict[str, list[str]], field: str, value: str) -> None:
    """Add `field`'s message to a service's `errors` when `value` holds invisible characters
    (unless the field already has a problem of its own)."""
    problem = label_problem(value)
    if problem is not None and field not in errors:
        errors[field] = [problem]
