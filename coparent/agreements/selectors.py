"""Reads of the parenting agreement.

`terms_in_force` is what the rest of the product asks of the agreement (the requests, the
events' form): the terms of the versions in force at a moment, folded by
`coparent.core.agreement.combine`, in one query. The page selectors (`agreement_page`,
`clause_history`) read a family's whole agreement in three queries whatever its size: the
versions with their people, their signatures, the family's parents.

Every read starts from a FamilyAccess and the role check (`require_shared`: parents and
consented professionals; a viewer sees none of the agreement). `terms_in_force` also takes a
bare Family, for the task worker (expiring requests), which acts for nobody: the caller keeps
its own role check.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from coparent.accounts.models import User
from coparent.agreements.library import LIBRARY, Template
from coparent.agreements.models import (
    TOPIC_LABELS,
    Clause,
    ClauseSignature,
    ClauseStatus,
    ClauseVersion,
)
from coparent.core.agreement import (
    AgreementTerms,
    ClauseRef,
    ClauseTopic,
    combine,
    parse_terms,
)
from coparent.families.models import Family, Membership
from coparent.families.selectors import FamilyAccess, get_owned


def _family_of(family_or_access: Family | FamilyAccess) -> Family:
    if isinstance(family_or_access, FamilyAccess):
        return family_or_access.family
    return family_or_access


def in_force_at(family: Family, at: datetime) -> QuerySet[ClauseVersion]:
    """The versions in force at `at`: signed by then, and not yet replaced by then."""
    return ClauseVersion.objects.filter(
        Q(status=ClauseStatus.IN_FORCE) | Q(status=ClauseStatus.SUPERSEDED, superseded_at__gt=at),
        family=family,
        signed_at__lte=at,
    )


def clause_ref(version: ClauseVersion) -> ClauseRef:
    """How a request or the record names the signed version that says something."""
    assert version.signed_at is not None  # noqa: S101 - only versions in force are named
    return ClauseRef(
        clause_id=str(version.clause_id),
        version=version.number,
        title=version.title,
        signed_at=version.signed_at,
    )


def terms_in_force(
    family_or_access: Family | FamilyAccess, at: datetime | None = None
) -> AgreementTerms:
    """What the agreement in force at `at` (default: now) says the product must act on:
    decisions reserved to both parents, what silence on a request means, the response time,
    the expense split — each with the clause that says it. One query."""
    family = _family_of(family_or_access)
    at = at or timezone.now()
    versions = in_force_at(family, at).only("clause_id", "number", "title", "signed_at", "terms")
    # Stored terms were checked by parse_terms before they were saved; reading them through it
    # again gives the typed value.
    return combine((clause_ref(v), parse_terms(v.terms)) for v in versions)


# --- The agreement page and each clause's history ----------------------------------------------


def get_clause(access: FamilyAccess, clause_id: object) -> Clause:
    """A clause of the family in `access` (404 for another family's); parents and professionals
    only."""
    access.require_shared()
    return get_owned(Clause, access, clause_id)


def get_version(access: FamilyAccess, version_id: object) -> ClauseVersion:
    """A version of one of the family's clauses, with its clause and people."""
    access.require_shared()
    return get_owned(
        ClauseVersion.objects.select_related("clause", "proposed_by", "signed_by", "answered_by"),
        access,
        version_id,
    )


def _versions(access: FamilyAccess) -> QuerySet[ClauseVersion]:
    return (
        ClauseVersion.objects.filter(family=access.family)
        .select_related("clause", "proposed_by", "signed_by", "answered_by")
        .prefetch_related(
            Prefetch(
                "signatures",
                queryset=ClauseSignature.objects.select_related("signer").order_by("signed_at"),
                to_attr="signature_list",
            )
        )
        .order_by("clause__created_at", "clause_id", "-number")
    )


def signatures_of(version: ClauseVersion) -> list[ClauseSignature]:
    """The signatures `_versions` prefetched (a Prefetch with to_attr)."""
    found: list[ClauseSignature] = getattr(version, "signature_list", [])
    return found


def parents_of(access: FamilyAccess) -> list[User]:
    """The family's parents in the order they joined: A, then B (the expense split's order)."""
    return [
        m.user
        for m in Membership.objects.active()
        .parents()
        .filter(family=access.family)
        .select_related("user")
        .order_by("joined_at")
    ]


@dataclass(frozen=True)
class PendingVersion:
    """A version waiting for signatures, and what the reader may do with it."""

    version: ClauseVersion
    replaces: ClauseVersion | None  # the version in force it would amend
    signed: tuple[User, ...]
    waiting_for: tuple[User, ...]  # parents whose signature it still needs
    may_sign: bool
    may_decline: bool
    may_withdraw: bool


@dataclass(frozen=True)
class ClauseRow:
    clause: Clause
    versions: list[ClauseVersion]  # newest first
    in_force: ClauseVersion | None
    pending: PendingVersion | None
    parents: tuple[User, ...] = ()  # the family's, in the order they joined (A, then B)

    @property
    def latest(self) -> ClauseVersion:
        return self.versions[0]

    @property
    def topic_label(self) -> str:
        return str(TOPIC_LABELS.get(ClauseTopic(self.clause.topic), self.clause.topic))


@dataclass(frozen=True)
class Section:
    topic: ClauseTopic
    label: str
    rows: list[ClauseRow] = field(default_factory=list)


@dataclass(frozen=True)
class AgreementPage:
    sections: list[Section]  # clauses in force, by section, in ClauseTopic order
    pending: list[PendingVersion]  # oldest first
    not_in_force: list[ClauseRow]  # clauses never signed (declined or withdrawn)
    parents: list[User]  # in the order they joined: A, then B
    may_propose: bool

    @property
    def in_force_count(self) -> int:
        return sum(len(s.rows) for s in self.sections)


def _pending(
    access: FamilyAccess,
    version: ClauseVersion,
    replaces: ClauseVersion | None,
    parents: list[User],
) -> PendingVersion:
    me = access.membership.user_id
    signed = tuple(s.signer for s in signatures_of(version))
    assent = {u.pk for u in signed} | {version.proposed_by_id}
    is_parent = access.is_parent
    return PendingVersion(
        version=version,
        replaces=replaces,
        signed=signed,
        waiting_for=tuple(p for p in parents if p.pk not in assent),
        may_sign=is_parent and me not in assent,
        may_decline=is_parent and me != version.proposed_by_id,
        may_withdraw=me == version.proposed_by_id,
    )


def _rows(
    access: FamilyAccess, versions: Iterable[ClauseVersion], parents: list[User]
) -> list[ClauseRow]:
    by_clause: dict[uuid.UUID, list[ClauseVersion]] = {}
    for version in versions:
        by_clause.setdefault(version.clause_id, []).append(version)
    rows = []
    for chain in by_clause.values():
        current = next((v for v in chain if v.status == ClauseStatus.IN_FORCE), None)
        waiting = next((v for v in chain if v.is_pending), None)
        rows.append(
            ClauseRow(
                clause=chain[0].clause,
                versions=chain,
                in_force=current,
                pending=_pending(access, waiting, current, parents) if waiting else None,
                parents=tuple(parents),
            )
        )
    return rows


def agreement_page(access: FamilyAccess) -> AgreementPage:
    """The whole agreement as the member in `access` sees it: three queries (the versions with
    their clauses and people, their signatures, the parents)."""
    access.require_shared()
    parents = parents_of(access)
    rows = _rows(access, _versions(access), parents)
    sections = []
    for topic in ClauseTopic:
        in_section = [r for r in rows if r.in_force is not None and r.clause.topic == topic]
        if in_section:
            sections.append(Section(topic=topic, label=str(TOPIC_LABELS[topic]), rows=in_section))
    pending = sorted(
        (r.pending for r in rows if r.pending is not None), key=lambda p: p.version.proposed_at
    )
    return AgreementPage(
        sections=sections,
        pending=pending,
        not_in_force=[r for r in rows if r.in_force is None and r.pending is None],
        parents=parents,
        may_propose=access.can_read_shared,
    )


def clause_history(access: FamilyAccess, clause: Clause) -> ClauseRow:
    """One clause with every version, newest first (three queries, like the page)."""
    access.require_shared()
    parents = parents_of(access)
    (row,) = _rows(access, _versions(access).filter(clause=clause), parents)
    return row


def waiting_for_signature(access: FamilyAccess) -> list[ClauseVersion]:
    """The versions waiting for this parent: proposed by someone else, not yet signed by them
    (one query)."""
    me = access.membership.user_id
    return list(
        ClauseVersion.objects.filter(family=access.family, status=ClauseStatus.PROPOSED)
        .exclude(proposed_by_id=me)
        .exclude(signatures__signer_id=me)
        .order_by("proposed_at")
    )


def library() -> tuple[Template, ...]:
    """The clause templates, in the library's order."""
    return LIBRARY
