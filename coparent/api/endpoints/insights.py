"""Insights (docs/insights.md): per month of a period, each parent's time to reply, their
exchanges on time, late and missed, the overnights planned beside those that happened, and —
for a parent only — the caller's own tone trend. Parents and consented professionals read it
(a professional without any tone figure); a viewer gets 403, another family 404."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from coparent.api.endpoints.families import family_access
from coparent.api.schemas import Day, answers
from coparent.core.schedule.model import Letter
from coparent.core.zones import zone_or_utc
from coparent.insights import selectors
from coparent.web.zones import reading_in

router = Router(tags=["insights"])


class InsightsQuery(Schema):
    start: Day | None = Field(
        None, alias="from", description="First local date (default: the last twelve months)."
    )
    end: Day | None = Field(
        None, alias="to", description="The local date after the last, excluded; at most 366 days."
    )


class PerParent(Schema):
    A: int | None = Field(..., description="The family's first parent (`names[0]`).")
    B: int | None = Field(..., description="The second parent (`names[1]`).")


class InsightsMonthOut(Schema):
    month: str = Field(..., description="YYYY-MM, in the family's zone.")
    reply_median_minutes: PerParent = Field(
        ..., description="Median minutes to answer the other parent; null: no reply."
    )
    replies: PerParent
    on_time: PerParent
    late: PerParent
    missed: PerParent
    planned_overnights: PerParent | None = Field(
        ..., description="Null without a plan in force, or for a month not begun."
    )
    actual_overnights: PerParent | None
    own_messages_sent: int | None = Field(
        ...,
        description="The caller's own messages (a parent only); null for a professional, or "
        "a month before the latest 400 messages read.",
    )
    own_messages_caution: int | None
    own_messages_hostile: int | None


class InsightsOut(Schema):
    first: date
    stop: date = Field(..., description="Not included.")
    through: datetime = Field(..., description="What happened is known up to here.")
    names: list[str] = Field(..., description="Parent A's and parent B's names.")
    tone_limited: bool = Field(
        ..., description="Only the caller's latest 400 messages were read for the tone."
    )
    months: list[InsightsMonthOut]


def _pair(values: Mapping[Letter, int | None]) -> PerParent:
    return PerParent(A=values["A"], B=values["B"])


@router.get(
    "/families/{uuid:family_id}/insights",
    response=answers({200: InsightsOut}, 400, 403, 404, 422),
    summary="The family's months in figures: reply times, punctuality, time-share, own tone",
    description="Local dates [from, to) in the family's zone, at most 366 days. Never the "
    "other parent's tone: the tone figures are the caller's own, and only a parent's.",
)
def insights_get(
    request: HttpRequest, family_id: uuid.UUID, query: Query[InsightsQuery]
) -> InsightsOut:
    access = family_access(request, family_id)
    access.require_shared()
    zone = zone_or_utc(access.family.timezone)
    first, stop = selectors.period_of(zone, query.start, query.end, end_field="to")
    with reading_in(zone):
        shown = selectors.family_insights(access, first, stop, zone)
    tone = shown.tone.months if shown.tone is not None else [None] * len(shown.months)
    months = []
    for index, month in enumerate(shown.months):
        reply, punctual = shown.replies[index], shown.punctuality[index]
        share, own = shown.shares[index], tone[index]
        months.append(
            InsightsMonthOut(
                month=month.strftime("%Y-%m"),
                reply_median_minutes=_pair(reply.median_minutes),
                replies=_pair(reply.replies),
                on_time=_pair(punctual.on_time),
                late=_pair(punctual.late),
                missed=_pair(punctual.missed),
                planned_overnights=_pair(share.planned) if share.planned else None,
                actual_overnights=_pair(share.actual) if share.actual else None,
                own_messages_sent=own.sent if own else None,
                own_messages_caution=own.caution if own else None,
                own_messages_hostile=own.hostile if own else None,
            )
        )
    return InsightsOut(
        first=shown.first,
        stop=shown.stop,
        through=shown.through,
        names=list(shown.names),
        tone_limited=bool(shown.tone and shown.tone.limited),
        months=months,
    )
