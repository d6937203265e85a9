"""The parenting agreement: the clauses in force and waiting, each clause's history, the clause
library, the terms in force; propose, amend, sign, decline, withdraw.

Same rules as the pages: parents and consented professionals read and propose (a viewer gets
403: the agreement is none of the viewer's); only parents sign and decline, never the one who
proposed (403 with a message); a version already answered is a 409 that changes nothing.
Proposals and amendments accept an `Idempotency-Key` header, as messages do: a retry with the
same key and content returns the first version (`Idempotent-Replayed: true`).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema
from ninja.responses import Status

from coparent.agreements import selectors, services
from coparent.agreements.models import (
    BODY_MAX_CHARS,
    REASON_MAX_CHARS,
    TITLE_MAX_CHARS,
    ClauseStatus,
    ClauseVersion,
)
from coparent.agreements.selectors import ClauseRow, PendingVersion
from coparent.agreements.words import terms_words
from coparent.api.endpoints.families import family_access
from coparent.api.idempotency import key_header, say_replayed
from coparent.api.schemas import In, PersonRef, answers
from coparent.core.agreement import ClauseRef, ClauseTopic

router = Router(tags=["agreement"])

TERMS_HELP = (
    "What the product acts on, all optional: `reserved` (decisions needing both parents: "
    "social_media, travel, medical, school, religion, activities), `silence` (a list of "
    '{"kind": swap|trip|activity|social_media|medical|school|other, "days": 1-60, '
    '"outcome": approve|decline}), `response_hours` (1-720), `split` ({"A": n, "B": n}, whole '
    "percent adding up to 100, A the parent who joined first)."
)

# --- Shapes ------------------------------------------------------------------------------------


class ClauseSignatureOut(Schema):
    signer: PersonRef
    signed_at: datetime


class ClauseVersionOut(Schema):
    id: uuid.UUID
    clause_id: uuid.UUID
    number: int
    topic: ClauseTopic
    title: str
    body: str
    terms: dict[str, Any]
    terms_in_words: list[str]
    status: ClauseStatus
    proposed_by: PersonRef
    proposed_at: datetime
    signatures: list[ClauseSignatureOut]
    signed_at: datetime | None = Field(..., description="When it came into force.")
    superseded_at: datetime | None
    answered_by: PersonRef | None = Field(..., description="Who declined or withdrew it.")
    answered_at: datetime | None
    reason: str = Field(..., description="Why it was declined.")


class ClausePendingOut(Schema):
    version: ClauseVersionOut
    replaces: int | None = Field(..., description="The version in force it would amend.")
    waiting_for: list[PersonRef]
    may_sign: bool
    may_decline: bool
    may_withdraw: bool


class AgreementOut(Schema):
    in_force: list[ClauseVersionOut] = Field(
        ..., description="By section, in the agreement's order."
    )
    pending: list[ClausePendingOut]


class ClauseOut(Schema):
    id: uuid.UUID
    topic: ClauseTopic
    in_force: ClauseVersionOut | None
    pending: ClausePendingOut | None
    versions: list[ClauseVersionOut] = Field(..., description="Newest first.")


class ClauseTemplateOut(Schema):
    slug: str
    topic: ClauseTopic
    title: str
    body: str
    terms: dict[str, Any]


class ClauseRefOut(Schema):
    clause_id: uuid.UUID
    version: int
    title: str
    signed_at: datetime


class AgreementSilenceOut(Schema):
    kind: str
    days: int
    outcome: str
    clause: ClauseRefOut


class AgreementTermsOut(Schema):
    reserved: dict[str, ClauseRefOut]
    silence: list[AgreementSilenceOut]
    response_hours: int | None
    response_hours_clause: ClauseRefOut | None
    split: dict[str, int] | None
    split_clause: ClauseRefOut | None


class ClauseProposeIn(In):
    topic: ClauseTopic
    title: str = Field(..., max_length=TITLE_MAX_CHARS)
    body: str = Field(..., max_length=BODY_MAX_CHARS, description="At most 10,000 chars.")
    terms: dict[str, Any] | None = Field(None, description=TERMS_HELP)
    template: str = Field("", max_length=64, description="The library template it started from.")


class ClauseAmendIn(In):
    title: str = Field(..., max_length=TITLE_MAX_CHARS)
    body: str = Field(..., max_length=BODY_MAX_CHARS, description="At most 10,000 chars.")
    terms: dict[str, Any] | None = Field(None, description=TERMS_HELP)


class ClauseDeclineIn(In):
    reason: str = Field(..., max_length=REASON_MAX_CHARS)


# --- Mapping -----------------------------------------------------------------------------------


def _version_out(version: ClauseVersion, parents: tuple[Any, ...] = ()) -> ClauseVersionOut:
    return ClauseVersionOut(
        id=version.pk,
        clause_id=version.clause_id,
        number=version.number,
        topic=ClauseTopic(version.clause.topic),
        title=version.title,
        body=version.body,
        terms=version.terms,
        terms_in_words=terms_words(version.terms, parents),
        status=ClauseStatus(version.status),
        proposed_by=PersonRef.of(version.proposed_by),
        proposed_at=version.proposed_at,
        signatures=[
            ClauseSignatureOut(signer=PersonRef.of(s.signer), signed_at=s.signed_at)
            for s in selectors.signatures_of(version)
        ],
        signed_at=version.signed_at,
        superseded_at=version.superseded_at,
        answered_by=PersonRef.of(version.answered_by) if version.answered_by else None,
        answered_at=version.answered_at,
        reason=version.reason,
    )


def _pending_out(item: PendingVersion, parents: tuple[Any, ...]) -> ClausePendingOut:
    return ClausePendingOut(
        version=_version_out(item.version, parents),
        replaces=item.replaces.number if item.replaces is not None else None,
        waiting_for=[PersonRef.of(p) for p in item.waiting_for],
        may_sign=item.may_sign,
        may_decline=item.may_decline,
        may_withdraw=item.may_withdraw,
    )


def _clause_out(row: ClauseRow) -> ClauseOut:
    return ClauseOut(
        id=row.clause.pk,
        topic=ClauseTopic(row.clause.topic),
        in_force=_version_out(row.in_force, row.parents) if row.in_force else None,
        pending=_pending_out(row.pending, row.parents) if row.pending else None,
        versions=[_version_out(v, row.parents) for v in row.versions],
    )


def _ref(ref: ClauseRef) -> ClauseRefOut:
    return ClauseRefOut(
        clause_id=uuid.UUID(ref.clause_id),
        version=ref.version,
        title=ref.title,
        signed_at=ref.signed_at,
    )


# --- Operations --------------------------------------------------------------------------------


@router.get(
    "/families/{uuid:family_id}/agreement",
    response=answers({200: AgreementOut}, 403, 404),
    summary="The agreement: clauses in force (by section) and versions waiting for signatures",
)
def agreement_detail(request: HttpRequest, family_id: uuid.UUID) -> AgreementOut:
    access = family_access(request, family_id)
    page = selectors.agreement_page(access)
    parents = tuple(page.parents)
    return AgreementOut(
        in_force=[
            _version_out(row.in_force, parents)
            for section in page.sections
            for row in section.rows
            if row.in_force is not None
        ],
        pending=[_pending_out(item, parents) for item in page.pending],
    )


@router.get(
    "/families/{uuid:family_id}/agreement/terms",
    response=answers({200: AgreementTermsOut}, 403, 404),
    summary="What the agreement in force says the product acts on, each with its clause",
)
def agreement_terms(request: HttpRequest, family_id: uuid.UUID) -> AgreementTermsOut:
    access = family_access(request, family_id)
    access.require_shared()
    terms = selectors.terms_in_force(access)
    return AgreementTermsOut(
        reserved={decision.value: _ref(ref) for decision, ref in terms.reserved.items()},
        silence=[
            AgreementSilenceOut(
                kind=kind.value, days=rule.days, outcome=rule.outcome, clause=_ref(ref)
            )
            for kind, (rule, ref) in terms.silence.items()
        ],
        response_hours=terms.response_hours[0] if terms.response_hours else None,
        response_hours_clause=_ref(terms.response_hours[1]) if terms.response_hours else None,
        split={"A": terms.split[0][0], "B": terms.split[0][1]} if terms.split else None,
        split_clause=_ref(terms.split[1]) if terms.split else None,
    )


@router.get(
    "/families/{uuid:family_id}/agreement/library",
    response=answers({200: list[ClauseTemplateOut]}, 403, 404),
    summary="The clause library: templates to start a proposal from",
)
def agreement_library(request: HttpRequest, family_id: uuid.UUID) -> list[ClauseTemplateOut]:
    family_access(request, family_id).require_shared()
    return [
        ClauseTemplateOut(
            slug=t.slug, topic=t.topic, title=t.title, body=t.body, terms=dict(t.terms)
        )
        for t in selectors.library()
    ]


@router.post(
    "/families/{uuid:family_id}/agreement/clauses",
    response=answers({201: ClauseOut}, 400, 403, 404, 409, 422),
    summary="Propose a clause (parents and the mediator); in force once the parents sign",
)
def clause_create(
    request: HttpRequest,
    family_id: uuid.UUID,
    payload: ClauseProposeIn,
    response: HttpResponse,
    idempotency_key: str | None = key_header(),
) -> Status[ClauseOut]:
    access = family_access(request, family_id)
    proposed = services.clause_propose_once(
        access=access,
        topic=payload.topic.value,
        title=payload.title,
        body=payload.body,
        terms=payload.terms,
        template=payload.template,
        idempotency_key=idempotency_key,
    )
    say_replayed(response, proposed.replayed)
    return Status(201, _clause_out(selectors.clause_history(access, proposed.version.clause)))


@router.get(
    "/families/{uuid:family_id}/agreement/clauses/{uuid:clause_id}",
    response=answers({200: ClauseOut}, 403, 404),
    summary="One clause with every version: who proposed and signed what, when",
)
def clause_detail(request: HttpRequest, family_id: uuid.UUID, clause_id: uuid.UUID) -> ClauseOut:
    access = family_access(request, family_id)
    return _clause_out(selectors.clause_history(access, selectors.get_clause(access, clause_id)))


@router.post(
    "/families/{uuid:family_id}/agreement/clauses/{uuid:clause_id}/versions",
    response=answers({201: ClauseOut}, 400, 403, 404, 409, 422),
    summary="Propose a change to a clause: a new version, in force once signed",
)
def clause_amend(
    request: HttpRequest,
    family_id: uuid.UUID,
    clause_id: uuid.UUID,
    payload: ClauseAmendIn,
    response: HttpResponse,
    idempotency_key: str | None = key_header(),
) -> Status[ClauseOut]:
    access = family_access(request, family_id)
    proposed = services.clause_amend_once(
        access=access,
        clause=selectors.get_clause(access, clause_id),
        title=payload.title,
        body=payload.body,
        terms=payload.terms,
        idempotency_key=idempotency_key,
    )
    say_replayed(response, proposed.replayed)
    return Status(201, _clause_out(selectors.clause_history(access, proposed.version.clause)))


def _answer(
    request: HttpRequest, family_id: uuid.UUID, version_id: uuid.UUID, action: str, **kw: Any
) -> ClauseOut:
    access = family_access(request, family_id)
    version = selectors.get_version(access, version_id)
    if action == "sign":
        services.clause_sign(access=access, version=version)
    elif action == "decline":
        services.clause_decline(access=access, version=version, **kw)
    else:
        services.clause_withdraw(access=access, version=version)
    return _clause_out(selectors.clause_history(access, version.clause))


@router.post(
    "/families/{uuid:family_id}/agreement/versions/{uuid:version_id}/sign",
    response=answers({200: ClauseOut}, 403, 404, 409),
    summary="Sign a version someone else proposed (parents only)",
)
def clause_sign(request: HttpRequest, family_id: uuid.UUID, version_id: uuid.UUID) -> ClauseOut:
    return _answer(request, family_id, version_id, "sign")


@router.post(
    "/families/{uuid:family_id}/agreement/versions/{uuid:version_id}/decline",
    response=answers({200: ClauseOut}, 400, 403, 404, 409, 422),
    summary="Decline a version someone else proposed, with a reason (parents only)",
)
def clause_decline(
    request: HttpRequest, family_id: uuid.UUID, version_id: uuid.UUID, payload: ClauseDeclineIn
) -> ClauseOut:
    return _answer(request, family_id, version_id, "decline", reason=payload.reason)


@router.post(
    "/families/{uuid:family_id}/agreement/versions/{uuid:version_id}/withdraw",
    response=answers({200: ClauseOut}, 403, 404, 409),
    summary="Withdraw your own proposal while it waits",
)
def clause_withdraw(request: HttpRequest, family_id: uuid.UUID, version_id: uuid.UUID) -> ClauseOut:
    return _answer(request, family_id, version_id, "withdraw")
