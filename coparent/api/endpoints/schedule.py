"""The parenting-time schedule: the calendar (custody segments, exchanges and the children's
events), the time-share, the plan's versions and proposals, and a preview of a plan.

Every member reads the calendar (viewers too: it is their role); parents and consented
professionals read versions and the time-share (403 for a viewer); parents propose and answer.
Plans travel in the engine's own shape (docs/schedules.md), and a plan the engine refuses
answers 400 with `errors` keyed by the engine's field names (`timezone`, `holiday[0].date`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from coparent.api.endpoints.families import family_access
from coparent.api.schemas import Day, In, PersonRef, answers
from coparent.core.schedule import METHODS, Exchange, Letter, Plan, Segment
from coparent.events.models import EventStatus
from coparent.families.selectors import child_name_for
from coparent.schedule import selectors, services
from coparent.schedule.models import NOTE_MAX_CHARS, PlanStatus, PlanVersion

router = Router(tags=["schedule"])

# --- Shapes ------------------------------------------------------------------------------------


class Period(Schema):
    start: Day | None = Field(
        None, alias="from", description="First local date, in the plan's zone (default: today)."
    )
    end: Day | None = Field(
        None,
        alias="to",
        description="The local date after the last, excluded (default: a month after `from`).",
    )


class TimeshareQuery(Period):
    method: str | None = Field(
        None, description="One counting method (overnights, hours, days); all when left out."
    )


class SegmentOut(Schema):
    start: datetime
    end: datetime
    parent: str = Field(..., description='"A" or "B".')
    parent_name: str
    source: str = Field(..., description="rotation, school_break, holiday, birthday, override.")
    source_name: str


class ExchangeOut(Schema):
    at: datetime
    from_parent: str
    to_parent: str
    from_name: str
    to_name: str
    place: str
    source: str
    source_name: str


class CalendarEventOut(Schema):
    id: uuid.UUID
    title: str
    kind: str
    status: EventStatus
    all_day: bool
    starts_at: datetime
    ends_at: datetime
    timezone: str
    place: str
    children: list[str] = Field(..., description="First names only for a viewer.")


class CalendarOut(Schema):
    timezone: str = Field(..., description="The zone of the plan in force (UTC without one).")
    start: date = Field(..., alias="from")
    end: date = Field(..., alias="to")
    segments: list[SegmentOut]
    exchanges: list[ExchangeOut]
    events: list[CalendarEventOut]


class TallyOut(Schema):
    method: str
    label: str
    unit: str
    rule: str
    counts: dict[str, float] = Field(..., description="By parent name, rounded to 2 places.")
    percent: dict[str, float] = Field(..., description="By parent name; they add up to 100.")


class TimeshareOut(Schema):
    timezone: str
    start: date = Field(..., alias="from")
    end: date = Field(..., alias="to")
    methods: list[TallyOut]


class VersionOut(Schema):
    id: uuid.UUID
    number: int
    status: PlanStatus
    effective_from: date
    plan: dict[str, Any]
    note: str
    proposed_by: PersonRef
    proposed_at: datetime
    answered_by: PersonRef | None
    answered_at: datetime | None
    reason: str


class ProposeIn(In):
    plan: dict[str, Any] = Field(..., description="A plan in the shape of docs/schedules.md.")
    effective_from: Day = Field(..., description="Today or later, in the plan's zone.")
    note: str = Field("", max_length=NOTE_MAX_CHARS)


class DeclineIn(In):
    reason: str = Field(..., max_length=NOTE_MAX_CHARS)


class PreviewIn(In):
    plan: dict[str, Any]
    start: Day = Field(..., alias="from", description="First local date.")
    end: Day = Field(..., alias="to", description="The local date after the last, excluded.")


class PreviewOut(Schema):
    timezone: str
    segments: list[SegmentOut]
    exchanges: list[ExchangeOut]
    timeshare: list[TallyOut]


# --- Helpers -----------------------------------------------------------------------------------


def _name(plan: Plan | None, letter: Letter) -> str:
    return plan.name_of(letter) if plan else letter


def _segment(plan: Plan | None, s: Segment) -> SegmentOut:
    return SegmentOut(
        start=s.start,
        end=s.end,
        parent=s.parent,
        parent_name=_name(plan, s.parent),
        source=s.source.kind,
        source_name=s.source.name,
    )


def _exchange(plan: Plan | None, x: Exchange) -> ExchangeOut:
    return ExchangeOut(
        at=x.at,
        from_parent=x.from_parent,
        to_parent=x.to_parent,
        from_name=_name(plan, x.from_parent),
        to_name=_name(plan, x.to_parent),
        place=x.place,
        source=x.source.kind,
        source_name=x.source.name,
    )


def _tallies(share: Any, plan: Plan) -> list[TallyOut]:
    return [
        TallyOut(
            method=key,
            label=tally.method.label,
            unit=tally.method.unit,
            rule=tally.method.rule,
            counts={plan.name_of(k): v for k, v in tally.rounded(2).items()},
            percent={plan.name_of(k): v for k, v in tally.percentages(2).items()},
        )
        for key, tally in share.tallies.items()
    ]


def _version_out(v: PlanVersion) -> VersionOut:
    return VersionOut(
        id=v.pk,
        number=v.number,
        status=PlanStatus(v.status),
        effective_from=v.effective_from,
        plan=v.plan,
        note=v.note,
        proposed_by=PersonRef.of(v.proposed_by),
        proposed_at=v.proposed_at,
        answered_by=(PersonRef.of(v.answered_by) if v.answered_by else None),
        answered_at=v.answered_at,
        reason=v.reason,
    )


# --- Operations --------------------------------------------------------------------------------


@router.get(
    "/families/{uuid:family_id}/calendar",
    response=answers({200: CalendarOut}, 400, 404, 422),
    summary="Custody segments, exchanges and the children's events over local dates [from, to)",
    description="Without `from`, today; without `to`, a month after `from`. At most three years.",
    by_alias=True,
)
def schedule_calendar(
    request: HttpRequest, family_id: uuid.UUID, period: Query[Period]
) -> CalendarOut:
    access = family_access(request, family_id)
    calendar = selectors.calendar_window(access, period.start, period.end)
    return CalendarOut(
        timezone=calendar.zone.key,
        **{"from": calendar.first, "to": calendar.stop},
        segments=[_segment(calendar.plan_at(s.start), s) for s in calendar.segments],
        exchanges=[_exchange(calendar.plan_at(x.at), x) for x in calendar.exchanges],
        events=[
            CalendarEventOut(
                id=e.pk,
                title=e.title,
                kind=e.kind,
                status=EventStatus(e.status),
                all_day=e.all_day,
                starts_at=e.starts_at,
                ends_at=e.ends_at,
                timezone=e.timezone,
                place=e.place,
                children=[child_name_for(access, c) for c in e.children.all()],
            )
            for e in calendar.events
        ],
    )


@router.get(
    "/families/{uuid:family_id}/timeshare",
    response=answers({200: TimeshareOut}, 400, 403, 404, 422),
    summary="The planned time-share over local dates [from, to), by each counting method",
    description="Without `from`, today; without `to`, a year after `from`.",
    by_alias=True,
)
def schedule_timeshare(
    request: HttpRequest, family_id: uuid.UUID, query: Query[TimeshareQuery]
) -> TimeshareOut:
    access = family_access(request, family_id)
    access.require_shared()
    window = selectors.timeshare_window(access, query.start, query.end)
    if query.method is not None and query.method not in METHODS:
        raise ValidationError({"method": [f"Choose one of: {', '.join(METHODS)}."]})
    if window.share is None or window.plan is None:
        raise ValidationError({"__all__": ["No plan is in force yet."]})
    methods = _tallies(window.share, window.plan)
    if query.method is not None:
        methods = [m for m in methods if m.method == query.method]
    return TimeshareOut(
        timezone=window.zone.key, **{"from": window.first, "to": window.stop}, methods=methods
    )


@router.get(
    "/families/{uuid:family_id}/plans",
    response=answers({200: list[VersionOut]}, 403, 404),
    summary="Every version of the plan and every proposal, newest first",
)
def plan_list(request: HttpRequest, family_id: uuid.UUID) -> list[VersionOut]:
    access = family_access(request, family_id)
    access.require_shared()
    return [_version_out(v) for v in selectors.plan_versions(access)]


@router.post(
    "/families/{uuid:family_id}/plans",
    response=answers({201: VersionOut}, 400, 403, 404, 422),
    summary="Propose a plan from a date (parents only); in force at once for a lone parent",
    description="Without `parents`, the family's parents' names are used (A the first).",
)
def plan_create(
    request: HttpRequest, family_id: uuid.UUID, payload: ProposeIn
) -> Status[VersionOut]:
    access = family_access(request, family_id)
    access.require_parent()
    version = services.plan_propose(
        access=access,
        plan=selectors.with_parent_names(access, payload.plan),
        effective_from=payload.effective_from,
        note=payload.note,
    )
    return Status(201, _version_out(selectors.get_version(access, version.pk)))


def _answer(
    request: HttpRequest, family_id: uuid.UUID, version_id: uuid.UUID, action: str, **kw: Any
) -> VersionOut:
    access = family_access(request, family_id)
    access.require_parent()
    version = selectors.get_version(access, version_id)
    by_action: dict[str, Callable[..., object]] = {
        "accept": services.plan_accept,
        "decline": services.plan_decline,
        "withdraw": services.plan_withdraw,
    }
    service = by_action[action]
    service(access=access, version=version, **kw)
    return _version_out(selectors.get_version(access, version_id))


@router.post(
    "/families/{uuid:family_id}/plans/{uuid:version_id}/accept",
    response=answers({200: VersionOut}, 400, 403, 404),
    summary="Accept the other parent's proposal: in force from its date",
)
def plan_accept(request: HttpRequest, family_id: uuid.UUID, version_id: uuid.UUID) -> VersionOut:
    return _answer(request, family_id, version_id, "accept")


@router.post(
    "/families/{uuid:family_id}/plans/{uuid:version_id}/decline",
    response=answers({200: VersionOut}, 400, 403, 404, 422),
    summary="Decline the other parent's proposal, with a reason",
)
def plan_decline(
    request: HttpRequest, family_id: uuid.UUID, version_id: uuid.UUID, payload: DeclineIn
) -> VersionOut:
    return _answer(request, family_id, version_id, "decline", reason=payload.reason)


@router.post(
    "/families/{uuid:family_id}/plans/{uuid:version_id}/withdraw",
    response=answers({200: VersionOut}, 400, 403, 404),
    summary="Withdraw your own proposal before it is answered",
)
def plan_withdraw(request: HttpRequest, family_id: uuid.UUID, version_id: uuid.UUID) -> VersionOut:
    return _answer(request, family_id, version_id, "withdraw")


@router.post(
    "/families/{uuid:family_id}/plans/preview",
    response=answers({200: PreviewOut}, 400, 403, 404, 422),
    summary="What a plan would give over local dates [from, to): segments, exchanges, time-share",
    description="Saves nothing. Parents only, like the editor.",
)
def plan_preview(request: HttpRequest, family_id: uuid.UUID, payload: PreviewIn) -> PreviewOut:
    access = family_access(request, family_id)
    access.require_parent()
    preview = selectors.plan_preview(access, payload.plan, payload.start, payload.end)
    plan = preview.plan
    return PreviewOut(
        timezone=plan.timezone,
        segments=[_segment(plan, s) for s in preview.segments],
        exchanges=[_exchange(plan, x) for x in preview.exchanges],
        timeshare=_tallies(preview.share, plan),
    )
