"""Reads of the info bank: a child's items by section, the emergency card, one item's history.

Who sees what (docs/permissions.md): parents everything, a sensitive value masked until they
reveal it; consented professionals everything, masked, with no reveal; viewers (a nanny) only
the items the parents marked for care, and only these pages and the emergency card.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from coparent.accounts.models import User
from coparent.core import infobank
from coparent.families.models import Child
from coparent.families.selectors import (
    FamilyAccess,
    HomePlaces,
    age_on,
    child_name_for,
    children_of,
    get_owned,
    sees_child_details,
)
from coparent.infobank.models import InfoItem, InfoItemVersion, RevealLog


@dataclass(frozen=True)
class FieldLine:
    """One field as it stands: its value (masked if sensitive), who set it to that and when."""

    name: str
    label: str
    value: str
    set_by: str
    set_at: datetime
    sensitive: bool = False
    hidden: bool = False  # a parent's private home address, shown as its label


@dataclass(frozen=True)
class ItemView:
    item: InfoItem
    kind: infobank.ItemKind
    latest: InfoItemVersion
    title: str
    fields: list[FieldLine]
    versions: int

    @property
    def for_care(self) -> bool:
        return self.latest.for_care

    @property
    def has_sensitive(self) -> bool:
        return any(line.sensitive for line in self.fields)


@dataclass(frozen=True)
class SectionView:
    section: infobank.Section
    items: list[ItemView]
    kinds: list[infobank.ItemKind]


@dataclass(frozen=True)
class ChildBank:
    child: Child
    name: str  # as the member may see it: a viewer, the first name only
    born: date | None  # a viewer sees the age only
    age: int
    sections: list[SectionView]
    can_write: bool
    can_reveal: bool

    @property
    def empty(self) -> bool:
        return not any(s.items for s in self.sections)


@dataclass(frozen=True)
class VersionLine:
    version: InfoItemVersion
    values: list[tuple[str, str]]  # (label, shown value)
    changed: list[str]  # labels of the fields this version changed


@dataclass(frozen=True)
class ItemHistory:
    item: InfoItem
    kind: infobank.ItemKind
    current: ItemView
    versions: list[VersionLine]  # newest first
    reveals: list[RevealLog] = field(default_factory=list)


def _who(user: User) -> str:
    return user.display_name or user.email


def _versions() -> Prefetch[str, QuerySet[InfoItemVersion], str]:
    return Prefetch(
        "versions",
        queryset=InfoItemVersion.objects.select_related("set_by").order_by("n"),
        to_attr="version_list",
    )


def version_list(item: InfoItem) -> list[InfoItemVersion]:
    """The versions prefetched by `_versions`, oldest first."""
    versions: list[InfoItemVersion] = getattr(item, "version_list")  # noqa: B009 - prefetched
    return versions


def _shown(places: HomePlaces, kind: str, name: str, value: str, sensitive: set[str]) -> str:
    """A stored value as this member reads it: a sensitive one masked; one holding the home
    address of a parent whose safe mode keeps it from this member (written before safe mode
    was on) as "Sam's home (address private)" (docs/safety.md)."""
    if name in sensitive:
        return infobank.mask(value)
    hidden = places.screen(value)
    return infobank.display(kind, name, value) if hidden is None else hidden


def _view(item: InfoItem, places: HomePlaces) -> ItemView:
    kind = infobank.KINDS[item.kind]
    versions = version_list(item)
    sensitive = set(kind.sensitive_fields)
    setters: dict[str, tuple[str, InfoItemVersion]] = {}
    for version in versions:
        for name, value in version.values.items():
            if name not in setters or setters[name][0] != value:
                setters[name] = (value, version)
    latest = versions[-1]
    lines = []
    for f in kind.fields:
        if f.name not in latest.values:
            continue
        value = str(latest.values[f.name])
        setter = setters[f.name][1]
        lines.append(
            FieldLine(
                name=f.name,
                label=f.label,
                value=_shown(places, item.kind, f.name, value, sensitive),
                hidden=f.name not in sensitive and places.screen(value) is not None,
                set_by=_who(setter.set_by),
                set_at=setter.set_at,
                sensitive=f.name in sensitive,
            )
        )
    return ItemView(
        item=item,
        kind=kind,
        latest=latest,
        title=infobank.title(
            item.kind,
            {k: _shown(places, item.kind, k, str(v), sensitive) for k, v in latest.values.items()},
        ),
        fields=lines,
        versions=len(versions),
    )


def _items(access: FamilyAccess, child: Child, kinds: Iterable[str]) -> list[ItemView]:
    """The child's current items of `kinds` the member may see (viewers: marked for care)."""
    rows = (
        InfoItem.objects.filter(family=access.family, child=child, kind__in=list(kinds))
        .prefetch_related(_versions())
        .order_by("created_at", "pk")
    )
    views = []
    places = HomePlaces(access)
    for item in rows:
        if not version_list(item):  # pragma: no cover - an item is made with its first version
            continue
        view = _view(item, places)
        if view.latest.removed:
            continue
        if access.is_viewer and not view.for_care:
            continue
        views.append(view)
    return views


def _bank(access: FamilyAccess, child: Child, sections: Iterable[infobank.Section]) -> ChildBank:
    chosen = list(sections)
    items = _items(access, child, [k for s in chosen for k in s.kinds])
    by_kind: dict[str, list[ItemView]] = {}
    for view in items:
        by_kind.setdefault(view.item.kind, []).append(view)
    shown = []
    for section in chosen:
        section_items = [v for k in section.kinds for v in by_kind.get(k, [])]
        if access.is_viewer and not section_items:
            continue  # a nanny sees what is there for care, not what the bank could hold
        shown.append(
            SectionView(
                section=section,
                items=section_items,
                kinds=[infobank.KINDS[k] for k in section.kinds],
            )
        )
    details = sees_child_details(access)
    return ChildBank(
        child=child,
        name=child_name_for(access, child),
        born=child.date_of_birth if details else None,
        age=age_on(child.date_of_birth, timezone.localdate()),
        sections=shown,
        can_write=access.is_parent,
        can_reveal=access.is_parent,
    )


def child_bank(access: FamilyAccess, child: Child) -> ChildBank:
    """A child's info bank by section, as the member may see it."""
    return _bank(access, child, infobank.SECTIONS)


EMERGENCY_SECTIONS = (
    infobank.Section("allergies", "Allergies", ("allergy",)),
    infobank.Section("medicines", "Medicines", ("medicine",)),
    infobank.Section("doctors", "Doctors", ("doctor",)),
    infobank.Section("emergency", "Emergency contacts", ("emergency_contact",)),
)


def emergency_card(access: FamilyAccess, child: Child) -> ChildBank:
    """What to know in an emergency, on one page: allergies, medicines, doctors, contacts."""
    return _bank(access, child, EMERGENCY_SECTIONS)


def get_item(access: FamilyAccess, item_id: object) -> InfoItem:
    """An item of the family, for the pages that read or write one (not viewers')."""
    access.require_shared()
    return get_owned(
        InfoItem.objects.select_related("child").prefetch_related(_versions()), access, item_id
    )


def item_view(access: FamilyAccess, item: InfoItem) -> ItemView:
    """The item as it stands, as this member reads it."""
    return _view(item, HomePlaces(access))


def item_history(access: FamilyAccess, item: InfoItem) -> ItemHistory:
    """Every version of an item, newest first, with who wrote it when and what it changed; a
    parent also sees who revealed its number when."""
    access.require_shared()
    kind = infobank.KINDS[item.kind]
    sensitive = set(kind.sensitive_fields)
    places = HomePlaces(access)
    lines = []
    previous: dict[str, str] = {}
    for version in version_list(item):
        change = infobank.diff(previous, version.values)
        shown = [
            (f.label, _shown(places, item.kind, f.name, str(version.values[f.name]), sensitive))
            for f in kind.fields
            if f.name in version.values
        ]
        changed = [kind.field(name).label for name in change.fields]
        lines.append(VersionLine(version=version, values=shown, changed=changed))
        previous = version.values
    reveals = (
        list(RevealLog.objects.filter(item=item).select_related("user").order_by("-at", "pk"))
        if access.is_parent and sensitive
        else []
    )
    return ItemHistory(
        item=item,
        kind=kind,
        current=_view(item, places),
        versions=lines[::-1],
        reveals=reveals,
    )


def children_list(access: FamilyAccess) -> list[tuple[Child, str]]:
    """The family's children with their names as the member may see them."""
    return [(child, child_name_for(access, child)) for child in children_of(access)]
