"""Writes to the parenting agreement: propose a clause, amend it, sign, decline, withdraw.

Who does what (docs/agreement.md):

- A parent or a consented professional (a mediator) proposes a clause or an amendment; a viewer
  does nothing here.
- A parent's proposal counts as that parent's assent: it comes into force when the *other*
  parent signs it. A professional's proposal needs both parents' signatures, in either order;
  the professional never signs. So a clause in force always carries the assent of both parents,
  whoever drafted it. A parent alone in the family waits: a clause needs two parents.
- Either parent who did not propose may decline, with a reason; the one who proposed may
  withdraw it while it waits. A version answered (in force, declined, withdrawn) stays as it
  is: signing it again, or answering it, is a conflict that changes nothing.
- An amendment is a new version of the same clause; the version in force keeps governing until
  the amendment is signed, and only then becomes superseded. One version of a clause waits at a
  time.

Each write locks the row it changes (`select_for_update`, which PostgreSQL honours; SQLite's
writers queue anyway) and appends its record entry in the same transaction, with the clause's
title, full text and terms, so the record and its exports carry the agreement itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from coparent.agreements.library import template_for
from coparent.agreements.models import (
    BODY_MAX_CHARS,
    REASON_MAX_CHARS,
    TITLE_MAX_CHARS,
    Clause,
    ClauseSignature,
    ClauseStatus,
    ClauseVersion,
)
from coparent.core.agreement import ClauseTerms, ClauseTopic, TermsError, parse_terms
from coparent.families.models import Family, Membership
from coparent.families.selectors import FamilyAccess
from coparent.infra.errors import DomainError, NotFound
from coparent.infra.labels import label_problem
from coparent.messaging import idempotency
from coparent.records.models import Kind
from coparent.records.services import record_append


class ClauseProblem(DomainError):
    """A clause, an amendment or an answer that cannot be taken as given."""


class ClauseConflict(ClauseProblem):
    """The version was answered already (signed, declined, withdrawn, replaced): nothing
    changed. The API answers 409."""

    status = 409


class NotYours(ClauseProblem):
    """An answer that is not this person's to give (signing one's own proposal, withdrawing
    someone else's). The API answers 403; a page shows the message."""

    status = 403


@dataclass(frozen=True)
class Proposed:
    """A version just proposed, or, for a retry with the same Idempotency-Key, the version the
    first request proposed (`replayed`)."""

    version: ClauseVersion
    replayed: bool = False


def _require_author(access: FamilyAccess) -> None:
    """Parents and consented professionals propose; a viewer gets 403."""
    access.require_shared()


def _require_signer(access: FamilyAccess) -> None:
    if access.is_professional:
        raise PermissionDenied(
            _("A professional may propose clauses but never signs or answers one.")
        )
    access.require_parent()


def _checked(title: str, body: str, terms: object) -> tuple[str, str, ClauseTerms]:
    """The clause's words and terms, or ClauseProblem naming every field that is wrong."""
    problems: list[tuple[str, str]] = []
    title = (title or "").strip()
    body = (body or "").strip()
    if not title:
        problems.append(("title", _("Give the clause a short title.")))
    elif len(title) > TITLE_MAX_CHARS:
        problems.append(
            ("title", _("Keep the title under %(n)d characters.") % {"n": TITLE_MAX_CHARS})
        )
    elif (hidden := label_problem(title)) is not None:
        problems.append(("title", hidden))
    if not body:
        problems.append(("body", _("Write what the clause says.")))
    elif len(body) > BODY_MAX_CHARS:
        problems.append(
            (
                "body",
                _(
                    "A clause holds at most %(max)s characters; this one has %(n)s. Split it "
                    "into several clauses."
                )
                % {"max": f"{BODY_MAX_CHARS:,}", "n": f"{len(body):,}"},
            )
        )
    elif "\x00" in body:
        problems.append(("body", _("Remove the invisible control characters.")))
    parsed = ClauseTerms()
    try:
        parsed = parse_terms(terms)
    except TermsError as error:
        for key, message in error.problems.items():
            problems.append(("terms" if key == "terms" else f"terms.{key}", message))
    if problems:
        raise ClauseProblem(problems)
    return title, body, parsed


def _entry(version: ClauseVersion, **extra: Any) -> dict[str, Any]:
    """What every entry about a version carries: enough to read the clause from the record
    alone (its exports are the agreement's history)."""
    return {
        "clause": str(version.clause_id),
        "version": str(version.pk),
        "number": version.number,
        "topic": version.clause.topic,
        "title": version.title,
        "body": version.body,
        "terms": version.terms,
        **extra,
    }


def _lock_family(family: Family) -> None:
    # record_append locks the family row anyway; taking it first serialises the checks below
    # (one waiting version per clause, the next number) with every other write of the family.
    type(family).objects.select_for_update().filter(pk=family.pk).values_list(
        "pk", flat=True
    ).first()


def _new_version(
    *,
    access: FamilyAccess,
    clause: Clause,
    title: str,
    body: str,
    terms: ClauseTerms,
    template: str,
    at: datetime,
    amends: ClauseVersion | None,
) -> ClauseVersion:
    last = ClauseVersion.objects.filter(clause=clause).aggregate(n=Max("number"))["n"]
    version = ClauseVersion.objects.create(
        family=access.family,
        clause=clause,
        number=(last or 0) + 1,
        title=title,
        body=body,
        terms=terms.as_data(),
        template=template,
        proposed_by=access.membership.user,
        proposed_at=at,
    )
    record_append(
        family=access.family,
        kind=Kind.AGREEMENT_CLAUSE_PROPOSED,
        actor=access.membership.user,
        data=_entry(
            version,
            by_role=access.role,
            amends=amends.number if amends is not None else None,
            template=version.template,
        ),
        at=at,
    )
    return version


def clause_propose(
    *,
    access: FamilyAccess,
    topic: str,
    title: str,
    body: str,
    terms: object = None,
    template: str = "",
    at: datetime | None = None,
) -> ClauseVersion:
    """A parent or a consented professional proposes a new clause (its version 1)."""
    _require_author(access)
    at = at or timezone.now()
    problems: list[tuple[str, str]] = []
    if topic not in {t.value for t in ClauseTopic}:
        problems.append(("topic", _("Choose the section the clause belongs to.")))
    if template and template_for(template) is None:
        problems.append(("template", _("The library has no clause of that name.")))
    checked: tuple[str, str, ClauseTerms] | None = None
    try:
        checked = _checked(title, body, terms)
    except ClauseProblem as error:
        problems += error.problems
    if problems or checked is None:
        raise ClauseProblem(problems)
    title, body, parsed = checked
    with transaction.atomic():
        _lock_family(access.family)
        clause = Clause.objects.create(family=access.family, topic=topic, created_at=at)
        return _new_version(
            access=access,
            clause=clause,
            title=title,
            body=body,
            terms=parsed,
            template=template,
            at=at,
            amends=None,
        )


def clause_amend(
    *,
    access: FamilyAccess,
    clause: Clause,
    title: str,
    body: str,
    terms: object = None,
    at: datetime | None = None,
) -> ClauseVersion:
    """A new version of `clause`, waiting for signatures; the version in force (if any) keeps
    governing until this one is signed. Refused while another version of it waits."""
    _require_author(access)
    if clause.family_id != access.family.pk:
        raise NotFound(_("No such clause."))
    at = at or timezone.now()
    title, body, parsed = _checked(title, body, terms)
    with transaction.atomic():
        _lock_family(access.family)
        versions = list(ClauseVersion.objects.filter(clause=clause).select_related("clause"))
        if any(v.is_pending for v in versions):
            raise ClauseConflict(
                _(
                    "A version of this clause already waits for signatures: it must be signed, "
                    "declined or withdrawn first."
                )
            )
        current = next((v for v in versions if v.status == ClauseStatus.IN_FORCE), None)
        if current is not None and (current.title, current.body, current.terms) == (
            title,
            body,
            parsed.as_data(),
        ):
            raise ClauseProblem(_("This is what the clause already says: change something first."))
        return _new_version(
            access=access,
            clause=clause,
            title=title,
            body=body,
            terms=parsed,
            template="",
            at=at,
            amends=current,
        )


def _once(
    *,
    access: FamilyAccess,
    key: str | None,
    operation: str,
    fields: dict[str, Any],
    create: Callable[[], ClauseVersion],
) -> Proposed:
    """`create` with an Idempotency-Key (coparent.messaging.idempotency, as messages do): a
    retry with the same key and content returns the first version and creates nothing."""
    done = idempotency.once(access=access, key=key, operation=operation, fields=fields).run(
        create, lambda pk: _version_by_id(access, pk)
    )
    return Proposed(version=done.made, replayed=done.replayed)


def _version_by_id(access: FamilyAccess, version_id: str) -> ClauseVersion:
    return ClauseVersion.objects.select_related("clause").get(family=access.family, pk=version_id)


def clause_propose_once(
    *,
    access: FamilyAccess,
    topic: str,
    title: str,
    body: str,
    terms: object = None,
    template: str = "",
    idempotency_key: str | None = None,
    at: datetime | None = None,
) -> Proposed:
    """`clause_propose` with an Idempotency-Key."""
    _require_author(access)
    return _once(
        access=access,
        key=idempotency_key,
        operation="agreement.propose",
        fields={"topic": topic, "title": title, "body": body, "terms": terms, "template": template},
        create=lambda: clause_propose(
            access=access,
            topic=topic,
            title=title,
            body=body,
            terms=terms,
            template=template,
            at=at,
        ),
    )


def clause_amend_once(
    *,
    access: FamilyAccess,
    clause: Clause,
    title: str,
    body: str,
    terms: object = None,
    idempotency_key: str | None = None,
    at: datetime | None = None,
) -> Proposed:
    """`clause_amend` with an Idempotency-Key."""
    _require_author(access)
    return _once(
        access=access,
        key=idempotency_key,
        operation="agreement.amend",
        fields={"clause": str(clause.pk), "title": title, "body": body, "terms": terms},
        create=lambda: clause_amend(
            access=access, clause=clause, title=title, body=body, terms=terms, at=at
        ),
    )


def _answered(status: str) -> str:
    """Why a version that no longer waits cannot be answered."""
    if status == ClauseStatus.IN_FORCE:
        return _("This version is already signed and in force: nothing changed.")
    if status == ClauseStatus.SUPERSEDED:
        return _("This version was signed and has since been replaced: nothing changed.")
    if status == ClauseStatus.DECLINED:
        return _("This version was declined: nothing changed. Propose it again if you wish.")
    return _("This version was withdrawn: nothing changed. Propose it again if you wish.")


def _locked_pending(access: FamilyAccess, version: ClauseVersion) -> ClauseVersion:
    """The version, read again under a lock; ClauseConflict unless it still waits. Two parents
    answering at once queue here, and the second sees what the first did."""
    if version.family_id != access.family.pk:
        raise NotFound(_("No such clause."))
    locked = (
        ClauseVersion.objects.select_for_update()
        .select_related("clause")
        .get(pk=version.pk, family=access.family)
    )
    if not locked.is_pending:
        raise ClauseConflict(_answered(locked.status))
    return locked


def _parent_ids(family: Family) -> set[int]:
    return set(
        Membership.objects.active()
        .parents()
        .filter(family=family)
        .values_list("user_id", flat=True)
    )


def clause_sign(
    *, access: FamilyAccess, version: ClauseVersion, at: datetime | None = None
) -> ClauseVersion:
    """A parent signs a version someone else proposed. It comes into force once both parents
    assented (the proposing parent by proposing); an earlier version of the clause then
    becomes superseded."""
    _require_signer(access)
    at = at or timezone.now()
    me = access.membership.user
    with transaction.atomic():
        _lock_family(access.family)
        version = _locked_pending(access, version)
        if version.proposed_by_id == me.pk:
            raise NotYours(
                _("You proposed this clause: it comes into force when the other parent signs it.")
            )
        signers = set(
            ClauseSignature.objects.filter(version=version).values_list("signer_id", flat=True)
        )
        if me.pk in signers:
            raise ClauseConflict(
                _("You have already signed this version: it waits for the other parent.")
            )
        ClauseSignature.objects.create(
            family=access.family, version=version, signer=me, signed_at=at
        )
        parents = _parent_ids(access.family)
        assent = signers | {me.pk} | ({version.proposed_by_id} & parents)
        in_force = len(parents) >= 2 and parents <= assent
        replaced: ClauseVersion | None = None
        if in_force:
            replaced = (
                ClauseVersion.objects.select_for_update()
                .filter(clause=version.clause, status=ClauseStatus.IN_FORCE)
                .first()
            )
            if replaced is not None:
                replaced.status = ClauseStatus.SUPERSEDED
                replaced.superseded_at = at
                replaced.save(update_fields=["status", "superseded_at"])
            version.status = ClauseStatus.IN_FORCE
            version.signed_by = me
            version.signed_at = at
            version.save(update_fields=["status", "signed_by", "signed_at"])
        record_append(
            family=access.family,
            kind=Kind.AGREEMENT_CLAUSE_SIGNED,
            actor=me,
            data=_entry(
                version,
                in_force=in_force,
                supersedes=replaced.number if replaced is not None else None,
                proposed_by=str(version.proposed_by_id),
            ),
            at=at,
        )
    return version


def clause_decline(
    *, access: FamilyAccess, version: ClauseVersion, reason: str, at: datetime | None = None
) -> ClauseVersion:
    """A parent who did not propose the version declines it, saying why."""
    _require_signer(access)
    at = at or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise ClauseProblem(
            _("Say why, so that it can be proposed again in words you can sign."), field="reason"
        )
    if len(reason) > REASON_MAX_CHARS:
        raise ClauseProblem(
            _("Keep it under %(n)d characters.") % {"n": REASON_MAX_CHARS}, field="reason"
        )
    if (hidden := label_problem(reason)) is not None:
        raise ClauseProblem(hidden, field="reason")
    me = access.membership.user
    with transaction.atomic():
        _lock_family(access.family)
        version = _locked_pending(access, version)
        if version.proposed_by_id == me.pk:
            raise NotYours(_("You proposed this clause: withdraw it instead."))
        version.status = ClauseStatus.DECLINED
        version.answered_by = me
        version.answered_at = at
        version.reason = reason
        version.save(update_fields=["status", "answered_by", "answered_at", "reason"])
        record_append(
            family=access.family,
            kind=Kind.AGREEMENT_CLAUSE_DECLINED,
            actor=me,
            data=_entry(version, reason=reason, proposed_by=str(version.proposed_by_id)),
            at=at,
        )
    return version


def clause_withdraw(
    *, access: FamilyAccess, version: ClauseVersion, at: datetime | None = None
) -> ClauseVersion:
    """The one who proposed a version takes it back while it waits."""
    _require_author(access)
    at = at or timezone.now()
    me = access.membership.user
    with transaction.atomic():
        _lock_family(access.family)
        version = _locked_pending(access, version)
        if version.proposed_by_id != me.pk:
            raise NotYours(_("Only the one who proposed it may withdraw it."))
        version.status = ClauseStatus.WITHDRAWN
        version.answered_by = me
        version.answered_at = at
        version.save(update_fields=["status", "answered_by", "answered_at"])
        record_append(
            family=access.family,
            kind=Kind.AGREEMENT_CLAUSE_WITHDRAWN,
            actor=me,
            data=_entry(version),
            at=at,
        )
    return version
