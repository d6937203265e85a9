"""The demo's parenting agreement: the parents adopt clauses from the library (changing some
first), one parent signs what the other proposed, one clause is declined with a reason and
proposed again in other words, the mediator drafts a clause both parents sign, and one clause
still waits — all through the real services, so every step is in the family record.

Each sitting happens at one moment and lasts minutes, so the demo places it between other
chapters of the story and keeps the record in time order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from coparent.agreements import services
from coparent.agreements.library import template_for
from coparent.agreements.models import ClauseVersion
from coparent.families.selectors import FamilyAccess

STEP = timedelta(minutes=4)


def propose_template(
    access: FamilyAccess, slug: str, *, at: datetime, **changes: Any
) -> ClauseVersion:
    """`access` proposes the library's `slug`, with `changes` (title, body, terms) made first."""
    template = template_for(slug)
    if template is None:
        raise LookupError(slug)
    arguments: dict[str, Any] = {
        "title": template.title,
        "body": template.body,
        "terms": dict(template.terms),
        **changes,
    }
    return services.clause_propose(
        access=access, topic=template.topic.value, template=slug, at=at, **arguments
    )


def adopt(
    *,
    proposer: FamilyAccess,
    signer: FamilyAccess,
    slugs: Sequence[str],
    proposed_at: datetime,
    signed_at: datetime,
    changes: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[ClauseVersion]:
    """`proposer` proposes the library's clauses one after another from `proposed_at`, and
    `signer` signs them in the same order from `signed_at` (later)."""
    changes = changes or {}
    versions = [
        propose_template(proposer, slug, at=proposed_at + i * STEP, **changes.get(slug, {}))
        for i, slug in enumerate(slugs)
    ]
    return [
        services.clause_sign(access=signer, version=version, at=signed_at + i * STEP)
        for i, version in enumerate(versions)
    ]


def declined_then_agreed(
    *,
    proposer: FamilyAccess,
    answerer: FamilyAccess,
    slug: str,
    reason: str,
    rewrite: Mapping[str, Any],
    at: datetime,
) -> ClauseVersion:
    """`proposer` proposes `slug`; `answerer` declines it with `reason` an hour later and, the
    next day, proposes the same clause in other words (`rewrite`), which `proposer` signs
    eight hours later."""
    first = propose_template(proposer, slug, at=at)
    services.clause_decline(
        access=answerer, version=first, reason=reason, at=at + timedelta(hours=1)
    )
    again = services.clause_amend(
        access=answerer,
        clause=first.clause,
        title=rewrite.get("title", first.title),
        body=rewrite.get("body", first.body),
        terms=rewrite.get("terms", first.terms),
        at=at + timedelta(hours=19),
    )
    return services.clause_sign(access=proposer, version=again, at=at + timedelta(hours=27))


def mediators_draft(
    *,
    mediator: FamilyAccess,
    first: FamilyAccess,
    second: FamilyAccess,
    slug: str,
    at: datetime,
    **changes: Any,
) -> ClauseVersion:
    """The mediator drafts `slug` in a session; each parent signs within the hour."""
    draft = propose_template(mediator, slug, at=at, **changes)
    services.clause_sign(access=first, version=draft, at=at + timedelta(minutes=20))
    return services.clause_sign(access=second, version=draft, at=at + timedelta(minutes=45))


def amend(
    *,
    proposer: FamilyAccess,
    signer: FamilyAccess,
    version: ClauseVersion,
    at: datetime,
    **changes: Any,
) -> ClauseVersion:
    """A change to a clause in force, signed an hour later: the old version is superseded."""
    change = services.clause_amend(
        access=proposer,
        clause=version.clause,
        title=changes.get("title", version.title),
        body=changes.get("body", version.body),
        terms=changes.get("terms", version.terms),
        at=at,
    )
    return services.clause_sign(access=signer, version=change, at=at + timedelta(hours=1))
