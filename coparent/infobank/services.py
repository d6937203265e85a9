"""Writes to the info bank: add an item, change it (a new version), remove it (a closing
version), and reveal a masked number (a RevealLog row).

Only parents write. Each write is one transaction with its family-record entry; the entry
carries the item's values with every sensitive one replaced by a salted commitment
(core.infobank.public), so the record — read by professionals, copied into exports — never
holds a passport number, and a reveal's entry says only that it happened. A retry's
fingerprint (the idempotency table) holds it only as an HMAC under the site's key.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from coparent.accounts.models import User
from coparent.core import infobank
from coparent.core.places import mentions
from coparent.families.models import Child
from coparent.families.selectors import FamilyAccess, HomePlaces
from coparent.infobank.models import InfoItem, InfoItemVersion, RevealLog
from coparent.infra.errors import DomainError
from coparent.messaging import idempotency
from coparent.records.models import Kind
from coparent.records.services import record_append


class InfoBankProblem(DomainError):
    """An info-bank item that cannot be written as given."""


@dataclass(frozen=True)
class Revealed:
    """A masked value shown in full once, to the parent who asked (and logged)."""

    item: InfoItem
    field: str
    value: str
    log: RevealLog


def _name(user: User) -> str:
    return user.display_name or user.email


def _keyed(kind: str, values: Mapping[str, object]) -> dict[str, object]:
    """The values as a retry's fingerprint may hold them: each sensitive one as an HMAC under
    the site's secret key. A plain SHA-256 of the request would keep a passport number
    guessable from the idempotency table (a 9-digit ID is a billion tries); the HMAC still
    tells a retry from a different request, and without the key it says nothing."""
    known = infobank.KINDS.get(kind)
    sensitive = set(known.sensitive_fields) if known else set()
    return {
        k: salted_hmac("coparent.infobank.idempotency", str(v)).hexdigest() if k in sensitive else v
        for k, v in values.items()
    }


def _clean(kind: str, values: Mapping[str, object]) -> dict[str, str]:
    try:
        return infobank.validate(kind, values)
    except infobank.InfoProblem as error:
        raise InfoBankProblem([(k, _(v)) for k, v in error.problems.items()]) from None


def _homes_kept_private(
    places: HomePlaces,
    values: Mapping[str, str],
    before: Mapping[str, str] | None = None,
) -> tuple[str, ...]:
    """The fields of `values` that hold the home address of a parent whose safe mode is on
    (docs/safety.md): the record carries them only as commitments, like a passport number,
    since the other parent reads the record. The writer's own address is refused in a field
    they are writing now (`before` is what the item said): everyone in the family reads the
    bank. Only the writer's own address is looked for on write, so a refusal never tells a
    parent that what they typed is the other parent's hidden address."""
    homes = [h for h in places.homes() if h.address and h.safe_mode]
    if not homes:
        return ()
    own = places.own()
    for name, value in values.items():
        if (
            own is not None
            and own in homes
            and (before is None or before.get(name) != value)
            and mentions(value, own.address)
        ):
            raise InfoBankProblem(
                _(
                    "This is your home address, and your safe mode is on: everyone in the "
                    'family reads the info bank. Leave the address out ("at my home" will do).'
                ),
                field=name,
            )
    return tuple(
        name for name, value in values.items() if any(mentions(value, h.address) for h in homes)
    )


def _kept_hidden(
    places: HomePlaces, posted: Mapping[str, object], stored: Mapping[str, str]
) -> dict[str, object]:
    """`posted` with each field that comes back as the label the writer was shown for a hidden
    address ("Sam's home (address private)") holding the stored value again: the other parent
    can change the phone of a contact without reading, or erasing, the address."""
    kept = dict(posted)
    for name, value in posted.items():
        old = stored.get(name)
        if old and isinstance(value, str) and value != old and places.screen(old) == value.strip():
            kept[name] = old
    return kept


def _latest(item: InfoItem) -> InfoItemVersion:
    """The newest version, with the item locked for the rest of the transaction (PostgreSQL;
    SQLite serialises writers): two parents changing at once get n and n+1, one after the
    other, instead of a clash on the unique (item, n). The lock writes nothing, so the
    append-only triggers do not mind it."""
    InfoItem.objects.select_for_update().filter(pk=item.pk).values_list("pk", flat=True).first()
    latest = item.versions.order_by("-n").first()
    if latest is None:  # pragma: no cover - an item is created with its first version
        raise InfoBankProblem(_("This item has no values."))
    return latest


def _record(
    access: FamilyAccess,
    kind: str,
    item: InfoItem,
    version: InfoItemVersion,
    child: Child,
    fields: tuple[str, ...],
    now: datetime,
    private: tuple[str, ...] = (),
) -> None:
    user = access.membership.user
    record_append(
        family=access.family,
        kind=kind,
        actor=user,
        at=now,
        data={
            "item": str(item.pk),
            "child": str(child.pk),
            "child_name": child.name,
            "kind": item.kind,
            "n": version.n,
            "name": _name(user),
            "title": _title(item.kind, version.values),
            # The values as they now stand, a sensitive one (or a private home address) only
            # as its commitment.
            "values": infobank.public(item.kind, version.values, version.salt, also=private),
            "fields": list(fields),
            "for_care": version.for_care,
        },
    )


def _title(kind: str, values: Mapping[str, str]) -> str:
    """The item's name for the record: masked if the name is a sensitive field (never is)."""
    return infobank.title(kind, infobank.shown(kind, values))


def item_add(
    *,
    access: FamilyAccess,
    child: Child,
    kind: str,
    values: Mapping[str, object],
    for_care: bool | None = None,
    at: datetime | None = None,
    idempotency_key: str | None = None,
) -> InfoItem:
    """A parent writes something new about `child`. `for_care` defaults to the kind's
    (allergies, medicines, doctors and emergency contacts are for care). With an
    `idempotency_key` a retry returns the first item and adds nothing."""
    access.require_parent()
    if child.family_id != access.family.pk:  # pragma: no cover - callers fetch via get_child
        raise InfoBankProblem(_("Choose one of the family's children."), field="child")
    once = idempotency.once(
        access=access,
        key=idempotency_key,
        operation="infobank_add",
        fields={
            "child": str(child.pk),
            "kind": kind,
            "values": _keyed(kind, values),
            "for_care": for_care,
        },
    )

    def work() -> InfoItem:
        clean = _clean(kind, values)
        private = _homes_kept_private(HomePlaces(access), clean)
        care = kind in infobank.CARE_BY_DEFAULT if for_care is None else bool(for_care)
        now = at or timezone.now()
        user = access.membership.user
        with transaction.atomic():
            item = InfoItem.objects.create(
                family=access.family, child=child, kind=kind, created_by=user, created_at=now
            )
            version = InfoItemVersion.objects.create(
                family=access.family,
                item=item,
                n=1,
                values=clean,
                for_care=care,
                set_by=user,
                set_at=now,
                salt=secrets.token_hex(16),
            )
            once.remember(item.pk)
            _record(access, Kind.INFO_ADDED, item, version, child, tuple(clean), now, private)
        return item

    # A twin request with the same key, at the same instant, gets the first item.
    return once.attempt(work, lambda pk: InfoItem.objects.get(family=access.family, pk=pk)).made


def item_change(
    *,
    access: FamilyAccess,
    item: InfoItem,
    values: Mapping[str, object],
    for_care: bool | None = None,
    at: datetime | None = None,
) -> InfoItemVersion:
    """A parent corrects or updates an item: a new version, the earlier ones kept."""
    access.require_parent()
    now = at or timezone.now()
    with transaction.atomic():
        latest = _latest(item)
        places = HomePlaces(access)
        clean = _clean(item.kind, _kept_hidden(places, values, latest.values))
        private = _homes_kept_private(places, clean, latest.values)
        if latest.removed:
            raise InfoBankProblem(_("This item was removed; add it again instead."))
        care = latest.for_care if for_care is None else bool(for_care)
        change = infobank.diff(latest.values, clean)
        if not change.fields and care == latest.for_care:
            raise InfoBankProblem(_("This is what it already says: change something first."))
        version = InfoItemVersion.objects.create(
            family=access.family,
            item=item,
            n=latest.n + 1,
            values=clean,
            for_care=care,
            set_by=access.membership.user,
            set_at=now,
            salt=secrets.token_hex(16),
        )
        fields = change.fields + (("for_care",) if care != latest.for_care else ())
        _record(access, Kind.INFO_CHANGED, item, version, item.child, fields, now, private)
    return version


def item_remove(
    *, access: FamilyAccess, item: InfoItem, at: datetime | None = None
) -> InfoItemVersion:
    """A parent removes an item no longer true (a medicine stopped): a closing version that
    keeps the last values for the history."""
    access.require_parent()
    now = at or timezone.now()
    with transaction.atomic():
        latest = _latest(item)
        if latest.removed:
            raise InfoBankProblem(_("This item was already removed."))
        version = InfoItemVersion.objects.create(
            family=access.family,
            item=item,
            n=latest.n + 1,
            values=latest.values,
            removed=True,
            for_care=latest.for_care,
            set_by=access.membership.user,
            set_at=now,
            salt=secrets.token_hex(16),
        )
        private = _homes_kept_private(HomePlaces(access), latest.values, latest.values)
        _record(access, Kind.INFO_REMOVED, item, version, item.child, (), now, private)
    return version


def reveal(
    *, access: FamilyAccess, item: InfoItem, field: str = "number", at: datetime | None = None
) -> Revealed:
    """A parent asks to see a masked value in full. Logged (RevealLog and the record, without
    the value) before it is handed back."""
    access.require_parent()
    if field not in infobank.KINDS[item.kind].sensitive_fields:
        raise InfoBankProblem(_("Nothing of this item is masked."), field="field")
    now = at or timezone.now()
    user = access.membership.user
    with transaction.atomic():
        latest = _latest(item)
        if field not in latest.values:
            raise InfoBankProblem(_("There is no number to reveal."), field="field")
        log = RevealLog.objects.create(
            family=access.family, item=item, version=latest, user=user, at=now
        )
        record_append(
            family=access.family,
            kind=Kind.INFO_REVEALED,
            actor=user,
            at=now,
            data={
                "item": str(item.pk),
                "child": str(item.child_id),
                "child_name": item.child.name,
                "kind": item.kind,
                "n": latest.n,
                "name": _name(user),
                "title": _title(item.kind, latest.values),
                "field": field,
            },
        )
    return Revealed(item=item, field=field, value=str(latest.values[field]), log=log)
