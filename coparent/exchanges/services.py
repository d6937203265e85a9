"""Writes at an exchange: a check-in ("I'm here", "handed over", "received") and a note.

Both are appended, never changed: a check-in is made once per person and step, a note is
corrected by a new note that follows it. Each is in the family record in the same transaction;
a shared location is kept coarsely on the check-in row only (models.py says why).
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coparent.accounts.models import User
from coparent.core import pickup_pass
from coparent.core.geo import near
from coparent.core.record.chain import format_at
from coparent.core.schedule.model import LETTERS, Letter
from coparent.core.when import format_moment
from coparent.exchanges.models import (
    CHECK_IN_WINDOW,
    LOCATION_DECIMALS,
    NOTE_MAX_CHARS,
    PASS_NAME_MAX_CHARS,
    CheckIn,
    Note,
    NotePhoto,
    Occurrence,
    PassRevocation,
    PickupPass,
    PlacePin,
    Step,
)
from coparent.exchanges.selectors import parent_seats, place_pin, planned_exchange
from coparent.families.selectors import FamilyAccess, HomePlaces, children_of, first_name
from coparent.infra.errors import DomainError, NotFound
from coparent.infra.keys import ensure_signing_key
from coparent.messaging import attachments as files
from coparent.messaging import idempotency
from coparent.messaging.attachments import IncomingFile
from coparent.records.models import Kind
from coparent.records.services import record_append
from coparent.schedule.selectors import schedule_of
from coparent.web.zones import current

# A note may come later (what happened is often written that evening), but not before.
NOTE_LEAD = timedelta(days=1)
_QUANTUM = Decimal(1).scaleb(-LOCATION_DECIMALS)


class ExchangeProblem(DomainError):
    """A check-in or note that cannot be recorded as given."""


def _coarse(value: float, limit: int, field: str) -> Decimal:
    if not math.isfinite(value) or not -limit <= value <= limit:
        raise ExchangeProblem(
            _("A %(what)s lies between -%(limit)d and %(limit)d.")
            % {"what": _("latitude") if field == "latitude" else _("longitude"), "limit": limit},
            field=field,
        )
    return Decimal(str(value)).quantize(_QUANTUM, rounding=ROUND_HALF_EVEN)


def _location(
    latitude: float | None, longitude: float | None
) -> tuple[Decimal | None, Decimal | None]:
    if latitude is None and longitude is None:
        return None, None
    if latitude is None or longitude is None:
        field = "latitude" if latitude is None else "longitude"
        raise ExchangeProblem(
            _("Share both the latitude and the longitude, or neither."), field=field
        )
    return _coarse(latitude, 90, "latitude"), _coarse(longitude, 180, "longitude")


def _occurrence(access: FamilyAccess, planned_at: datetime) -> Occurrence:
    """The exchange's row, made from the plan the first time anyone touches it."""
    existing = Occurrence.objects.filter(family=access.family, planned_at=planned_at).first()
    if existing is not None:
        return existing
    planned = planned_exchange(schedule_of(access), planned_at)
    if planned is None:
        raise NotFound(_("The plan has no exchange at that time."), field="planned_at")
    seats = parent_seats(access)
    try:
        with transaction.atomic():
            return Occurrence.objects.create(
                family=access.family,
                planned_at=planned_at,
                from_parent=planned.from_parent,
                to_parent=planned.to_parent,
                giver=seats[planned.from_parent],
                receiver=seats[planned.to_parent],
                place=planned.place,
            )
    except IntegrityError:
        # The other parent touched it at the same moment: theirs is the row.
        return Occurrence.objects.get(family=access.family, planned_at=planned_at)


def _at_place(
    access: FamilyAccess,
    occurrence: Occurrence,
    user: User,
    lat: Decimal | None,
    lon: Decimal | None,
    pin_place: bool,
    now: datetime,
) -> bool | None:
    """Whether a shared position is at the exchange place: None without a position or a place
    to measure from. Pinning makes the position the place's (so it is there)."""
    if lat is None or lon is None:
        if pin_place:
            raise ExchangeProblem(
                _("Share your location to mark where the exchange place is."), field="latitude"
            )
        return None
    if pin_place:
        if not occurrence.place:
            raise ExchangeProblem(_("The plan names no exchange place to mark."), field="pin_place")
        PlacePin.objects.create(
            family=access.family,
            place=occurrence.place,
            latitude=lat,
            longitude=lon,
            pinned_by=user,
            at=now,
        )
        record_append(
            family=access.family,
            kind=Kind.EXCHANGE_PLACE_PINNED,
            actor=user,
            at=now,
            # The place's name only (a home never with its address): positions stay out of it.
            data={"place": HomePlaces(access).neutral(occurrence.place), "name": _name(user)},
        )
        return True
    pin = place_pin(access, occurrence.place)
    if pin is None:
        return None
    return near((lat, lon), (pin.latitude, pin.longitude))


def _name(user: User) -> str:
    return user.display_name or user.email


def _when(moment: datetime) -> str:
    return format_at(moment.astimezone(UTC))


def check_in(
    *,
    access: FamilyAccess,
    planned_at: datetime,
    step: str,
    latitude: float | None = None,
    longitude: float | None = None,
    pin_place: bool = False,
    at: datetime | None = None,
) -> CheckIn:
    """A parent taps a step at an exchange; the server's clock (`at` only for history such as
    the demo) is what counts. With a shared position the tap says whether it was at the
    exchange place (its pin); `pin_place` makes this position the place's pin, for a parent
    standing there when nobody pinned it yet (or it moved)."""
    access.require_parent()
    try:
        chosen = Step(step)
    except ValueError:
        raise ExchangeProblem(
            _("Choose I'm here, handed over or received."), field="step"
        ) from None
    lat, lon = _location(latitude, longitude)
    now = at or timezone.now()
    if abs(now - planned_at) > CHECK_IN_WINDOW:
        raise ExchangeProblem(
            _("Check-ins open a day before an exchange and close a day after it."),
            field="planned_at",
        )
    user = access.membership.user
    with transaction.atomic():
        occurrence = _occurrence(access, planned_at)
        if chosen is Step.HANDED_OVER and occurrence.giver_id != user.pk:
            raise ExchangeProblem(
                _("Only the parent who hands the children over marks “handed over”."),
                field="step",
            )
        if chosen is Step.RECEIVED and occurrence.receiver_id != user.pk:
            raise ExchangeProblem(
                _("Only the parent who receives the children marks “received”."), field="step"
            )
        if chosen is Step.ARRIVED and user.pk not in (occurrence.giver_id, occurrence.receiver_id):
            raise ExchangeProblem(
                _("Only the two parents of this exchange check in."), field="step"
            )
        if CheckIn.objects.filter(occurrence=occurrence, user=user, step=chosen).exists():
            raise ExchangeProblem(
                _("You already checked in “%(step)s” at this exchange.") % {"step": chosen.label},
                field="step",
            )
        at_place = _at_place(access, occurrence, user, lat, lon, pin_place, now)
        try:
            with transaction.atomic():
                made = CheckIn.objects.create(
                    family=access.family,
                    occurrence=occurrence,
                    user=user,
                    step=chosen,
                    at=now,
                    latitude=lat,
                    longitude=lon,
                    at_place=at_place,
                )
        except IntegrityError:  # the same tap twice at once
            raise ExchangeProblem(
                _("You already checked in “%(step)s” at this exchange.") % {"step": chosen.label},
                field="step",
            ) from None
        record_append(
            family=access.family,
            kind=Kind.EXCHANGE_CHECKED_IN,
            actor=user,
            at=now,
            data={
                "exchange": str(occurrence.pk),
                "planned_at": _when(planned_at),
                "step": chosen.value,
                "name": _name(user),
                "from_parent": occurrence.from_parent,
                "to_parent": occurrence.to_parent,
                # Whether a location was shared, never where: the record is read by the other
                # parent and goes into exports.
                "location_shared": lat is not None,
                "at_place": at_place,
            },
        )
    return made


def note_add(
    *,
    access: FamilyAccess,
    planned_at: datetime,
    text: str,
    follows: object = None,
    photos: Sequence[IncomingFile] = (),
    at: datetime | None = None,
    idempotency_key: str | None = None,
) -> Note:
    """A parent writes what happened at an exchange; `follows` names an earlier note of theirs
    on the same exchange that this one corrects or completes; `photos` (photos or PDFs) follow
    the rules of message attachments, checked before anything is written. With an
    `idempotency_key` a retry returns the first note: a note can never be deleted, so a
    phone's retry on a bad connection must not leave the same words twice on the record."""
    access.require_parent()
    once = idempotency.once(
        access=access,
        key=idempotency_key,
        operation="exchange_note",
        fields={
            "planned_at": planned_at.astimezone(UTC).isoformat(),
            "text": text,
            "follows": str(follows) if follows not in (None, "") else None,
        },
        files=photos,
    )

    def work() -> Note:
        clean = (text or "").strip()
        if not clean:
            raise ExchangeProblem(_("Write what happened."), field="text")
        if len(clean) > NOTE_MAX_CHARS:
            raise ExchangeProblem(
                _("At most %(n)s characters (this note has %(m)s).")
                % {"n": f"{NOTE_MAX_CHARS:,}", "m": f"{len(clean):,}"},
                field="text",
            )
        now = at or timezone.now()
        if planned_at - now > NOTE_LEAD:
            raise ExchangeProblem(_("Notes open a day before an exchange."), field="planned_at")
        try:
            files.check_count(len(photos))
            prepared = files.prepare_all(list(photos))
        except ValidationError as error:
            raise ExchangeProblem([("photos", message) for message in error.messages]) from None
        stored: list[tuple[files.PreparedFile, str]] = []
        try:
            for item in prepared:
                stored.append((item, files.store(item)))
            return _write_note(access, planned_at, clean, follows, stored, now, once)
        except BaseException:
            files.remove([name for _item, name in stored])
            raise

    # A twin request with the same key, at the same instant, gets the first note.
    return once.attempt(work, lambda pk: Note.objects.get(family=access.family, pk=pk)).made


def _write_note(
    access: FamilyAccess,
    planned_at: datetime,
    clean: str,
    follows: object,
    stored: list[tuple[files.PreparedFile, str]],
    now: datetime,
    once: idempotency.Once,
) -> Note:
    user = access.membership.user
    with transaction.atomic():
        occurrence = _occurrence(access, planned_at)
        earlier = None
        if follows not in (None, ""):
            earlier = Note.objects.filter(
                occurrence=occurrence, author=user, pk__in=_ids(follows)
            ).first()
            if earlier is None:
                raise ExchangeProblem(
                    _("A note can follow only one of your own notes on this exchange."),
                    field="follows",
                )
        note = Note.objects.create(
            family=access.family,
            occurrence=occurrence,
            author=user,
            text=clean,
            follows=earlier,
            at=now,
        )
        made = NotePhoto.objects.bulk_create(
            NotePhoto(
                family=access.family,
                note=note,
                name=item.name,
                content_type=item.content_type,
                size=len(item.data),
                sha256=item.sha256,
                stored_name=stored_name,
                created_at=now,
            )
            for item, stored_name in stored
        )
        once.remember(note.pk)
        record_append(
            family=access.family,
            kind=Kind.EXCHANGE_NOTE,
            actor=user,
            at=now,
            data={
                "exchange": str(occurrence.pk),
                "planned_at": _when(planned_at),
                "note": str(note.pk),
                "name": _name(user),
                "text": clean,
                "follows": str(earlier.pk) if earlier else None,
                # Each file's SHA-256 fixes its bytes: the record proves what was shown.
                "photos": [
                    {"photo": str(p.pk), "name": p.name, "size": p.size, "sha256": p.sha256}
                    for p in made
                ],
            },
        )
    return note


def _ids(value: object) -> list[str]:
    """`follows` as a filter value: a malformed id matches nothing instead of raising."""
    try:
        return [str(uuid.UUID(str(value)))]
    except ValueError:
        return []


# --- pickup passes -----------------------------------------------------------------------------


def _first_word(name: str) -> str:
    return first_name(name)[:PASS_NAME_MAX_CHARS]


def pass_issue(
    *,
    access: FamilyAccess,
    children: Sequence[object],
    start: datetime,
    end: datetime,
    at: datetime | None = None,
    idempotency_key: str | None = None,
) -> PickupPass:
    """A parent issues a pass saying that `children` are with them from `start` to `end`. The
    schedule decides: a window in which the plan (with its approved changes) gives the
    children to the other parent, even for a minute, is refused and the first such stretch
    named. The pass carries first names only: no surname, no address, no history. With an
    `idempotency_key` a retry returns the first pass instead of issuing a second one."""
    access.require_parent()
    once = idempotency.once(
        access=access,
        key=idempotency_key,
        operation="pass_issue",
        fields={
            "children": sorted(str(c) for c in children),
            "start": start.astimezone(UTC).isoformat(),
            "end": end.astimezone(UTC).isoformat(),
        },
    )

    def work() -> PickupPass:
        now = at or timezone.now()
        problems: list[tuple[str, str]] = []
        chosen = list(children_of(access).filter(pk__in=_child_ids(children)))
        if not chosen or len(chosen) != len({str(c) for c in children}):
            problems.append(("children", _("Choose at least one of the family's children.")))
        if end <= start:
            problems.append(("end", _("The window must end after it starts.")))
        elif end - start > pickup_pass.MAX_WINDOW:
            problems.append(
                (
                    "end",
                    _("A pass is valid for at most %(n)d days.")
                    % {"n": pickup_pass.MAX_WINDOW.days},
                )
            )
        elif end <= now:
            problems.append(("end", _("The window has already ended.")))
        if problems:
            raise ExchangeProblem(problems)
        user = access.membership.user
        seats = parent_seats(access)
        letter: Letter | None = None
        for candidate in LETTERS:
            seat = seats.get(candidate)
            if seat is not None and seat.pk == user.pk:
                letter = candidate
        schedule = schedule_of(access)
        segments = schedule.expand(start - timedelta(days=1), end + timedelta(days=1))[0]
        gaps = [(start, end)]
        if letter is not None:
            gaps = pickup_pass.uncovered(segments, letter, start, end)
        if gaps:
            zone = schedule.zone(start)
            first_gap = gaps[0]
            raise ExchangeProblem(
                _(
                    "The plan does not give you the children for all of this window: from "
                    "%(start)s to %(end)s they are with the other parent (or no plan is in force). "
                    "Choose a window that is yours."
                )
                % {
                    "start": format_moment(first_gap[0], zone, current().locale),
                    "end": format_moment(first_gap[1], zone, current().locale),
                },
                field="start",
            )
        pass_id = uuid.uuid4()
        try:
            made, token = pickup_pass.issue(
                ensure_signing_key(settings.DATA_DIR),
                family=access.family.pk,
                pass_id=pass_id,
                children=[_first_word(c.name) for c in chosen],
                parent=_first_word(_name(user)),
                start=start,
                end=end,
                issued_at=now,
            )
        except pickup_pass.PassError as error:
            raise ExchangeProblem(str(error)) from None
        with transaction.atomic():
            issued = PickupPass.objects.create(
                id=pass_id,
                family=access.family,
                issued_by=user,
                parent_name=made.parent,
                children=list(made.children),
                starts_at=made.start,
                ends_at=made.end,
                issued_at=made.issued_at,
                token=token,
            )
            once.remember(pass_id)
            record_append(
                family=access.family,
                kind=Kind.PASS_ISSUED,
                actor=user,
                at=now,
                data={
                    "pass": str(pass_id),
                    "name": _name(user),
                    "parent": made.parent,
                    "children": list(made.children),
                    "start": _when(made.start),
                    "end": _when(made.end),
                },
            )
        return issued

    # A twin request with the same key, at the same instant, gets the first pass.
    return once.attempt(work, lambda pk: PickupPass.objects.get(family=access.family, pk=pk)).made


def pass_revoke(*, access: FamilyAccess, pickup: PickupPass, at: datetime | None = None) -> None:
    """A parent withdraws a pass; its check page says "revoked" from now on."""
    access.require_parent()
    if pickup.family_id != access.family.pk:
        raise NotFound(_("No such pass."))
    now = at or timezone.now()
    user = access.membership.user
    with transaction.atomic():
        if PassRevocation.objects.filter(pickup_pass=pickup).exists():
            raise ExchangeProblem(_("This pass is already revoked."), reason="revoked")
        try:
            with transaction.atomic():
                PassRevocation.objects.create(
                    pickup_pass=pickup, family=access.family, revoked_by=user, at=now
                )
        except IntegrityError:
            raise ExchangeProblem(_("This pass is already revoked."), reason="revoked") from None
        record_append(
            family=access.family,
            kind=Kind.PASS_REVOKED,
            actor=user,
            at=now,
            data={"pass": str(pickup.pk), "name": _name(user), "parent": pickup.parent_name},
        )


def _child_ids(values: Sequence[object]) -> list[str]:
    return [i for value in values for i in _ids(value)]
