"""Plain-language summaries of record entries: one registry for the pages and the PDF.

Each app registers a one-line description for its own kinds of entry with `register_summary`;
a kind without one shows its plain values, so no page ever hides a fact.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from coparent.core.when import format_day
from coparent.families.models import ProfessionalKind, Role
from coparent.records.models import Kind
from coparent.web.zones import current

Summariser = Callable[[dict[str, Any]], str]


def _label(choices: type[Role] | type[ProfessionalKind], value: object) -> str:
    try:
        return str(choices(str(value)).label)
    except ValueError:
        return str(value or "")


def _member_joined(d: dict[str, Any]) -> str:
    text = _("%(name)s joined as %(role)s") % {
        "name": d["name"],
        "role": _label(Role, d["role"]),
    }
    if d.get("professional_kind"):
        text += f" ({_label(ProfessionalKind, d['professional_kind'])})"
    return text


def _member_left(d: dict[str, Any]) -> str:
    values = {"name": d["name"], "role": _label(Role, d["role"])}
    if d.get("removed_by_other"):
        return _("%(name)s (%(role)s) was removed from the family") % values
    return _("%(name)s (%(role)s) left the family") % values


def _child_changed(d: dict[str, Any]) -> str:
    labels = {"name": _("name"), "date_of_birth": _("date of birth")}
    parts = [
        _("%(field)s from “%(old)s” to “%(new)s”")
        % {
            "field": labels.get(field, field),
            "old": change["from"],
            "new": change["to"],
        }
        for field, change in d["changes"].items()
    ]
    return _("Child details changed: %(changes)s") % {"changes": "; ".join(parts)}


def _record_exported(d: dict[str, Any]) -> str:
    parts = []
    if d["kinds"]:
        parts.append(", ".join(_kind_label(k) for k in d["kinds"]))
    if d["from"] or d["to"]:
        # Calendar days of the zone the person read the record in (older entries: UTC).
        zone = d.get("timezone") or "UTC"
        parts.append(f"{_day(d['from'])} – {_day(d['to'])} ({zone})")
    scope = "; ".join(parts) or _("the whole record")
    return _("Record exported as %(format)s: %(scope)s") % {
        "format": str(d["format"]).upper(),
        "scope": scope,
    }


def _home_changed(d: dict[str, Any]) -> str:
    """Who changed their home or safe mode, never the address (the entry holds none)."""
    name = d.get("name") or _("A parent")
    parts = []
    if d.get("address_changed"):
        parts.append(
            _("%(name)s changed their home address") % {"name": name}
            if d.get("address_kept")
            else _("%(name)s removed their home address") % {"name": name}
        )
    if d.get("safe_mode_changed"):
        parts.append(
            _("%(name)s turned safe mode on: their address is private") % {"name": name}
            if d.get("safe_mode")
            else _("%(name)s turned safe mode off") % {"name": name}
        )
    return "; ".join(parts) or _("%(name)s saved their home unchanged") % {"name": name}


def _day(text: object) -> str:
    try:
        return format_day(date.fromisoformat(str(text)), current().locale)
    except ValueError:
        return "…"


def _kind_label(kind: str) -> str:
    try:
        return str(Kind(kind).label)
    except ValueError:
        return kind


SUMMARIES: dict[str, Summariser] = {
    Kind.FAMILY_CREATED: lambda d: _("Family space “%(name)s” created") % {"name": d["name"]},
    Kind.FAMILY_ZONE_CHANGED: lambda d: (
        _("The family's times are now shown in %(new)s (before: %(old)s)")
        % {"new": d["to"], "old": d["from"]}
    ),
    Kind.MEMBER_INVITED: lambda d: (
        _("%(email)s invited as %(role)s")
        % {
            "email": d["email"],
            "role": _label(Role, d["role"]),
        }
    ),
    Kind.INVITATION_CANCELLED: lambda d: (
        _("Invitation to %(email)s cancelled") % {"email": d["email"]}
    ),
    Kind.MEMBER_JOINED: _member_joined,
    Kind.MEMBER_LEFT: _member_left,
    Kind.CONSENT_GIVEN: lambda d: _("Consent given for %(name)s") % {"name": d["professional"]},
    Kind.CONSENT_WITHDRAWN: lambda d: (
        _("Consent withdrawn for %(name)s") % {"name": d["professional"]}
    ),
    Kind.CHILD_ADDED: lambda d: (
        _("%(name)s added, born %(date)s")
        % {
            "name": d["name"],
            "date": _day(d["date_of_birth"]),
        }
    ),
    Kind.CHILD_CHANGED: _child_changed,
    Kind.RECORD_EXPORTED: _record_exported,
    Kind.HOME_CHANGED: _home_changed,
}


def register_summary(kind: str, summarise: Summariser) -> None:
    """Other apps add the plain-language summary of their own kinds of entry here."""
    SUMMARIES[kind] = summarise


def _generic_summary(data: dict[str, Any]) -> str:
    # For a kind nobody described yet, or data of an unexpected shape: its plain values, so
    # the page never hides a fact.
    parts = [
        f"{key}: {value}"
        for key, value in data.items()
        if isinstance(value, str | int | float | bool) and value != ""
    ]
    text = "; ".join(parts)
    return text if len(text) <= 300 else text[:299] + "…"


def summarize(kind: str, data: object) -> str:
    """A short human line for an entry of `kind`; odd or unknown data falls back to its values."""
    data = data if isinstance(data, dict) else {}
    summarise = SUMMARIES.get(kind)
    if summarise is not None:
        try:
            return summarise(data)
        except (AttributeError, KeyError, TypeError, ValueError):
            # An entry is evidence as written; an odd shape must not break the page.
            pass
    return _generic_summary(data)
