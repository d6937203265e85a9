"""`Idempotency-Key` for every creating write: a retry with the same key by the same person in
the same family returns the first result and creates nothing; the same key with a different
request is refused. A key is one person's in one family: the same key sent by the same person
in another family of theirs is another, independent request (every family-owned row, this
table included, is found through its family: ARCHITECTURE.md, "Tenancy" and "Scale path").

One helper for every service that takes a key (messages, clauses, expenses, journal entries,
info-bank items, requests, exchange notes and passes, documents): `once(...)` names the request,
then either

- `Once.run(create, find)` when nothing happens between the replay check and the write: replay,
  or create and keep the key in one transaction; or
- `Once.attempt(work, find)` for a service that validates or writes files before its
  transaction: `first()` before any work (replay), then `work()`, which calls `remember(pk)`
  inside its own transaction (`write(create, find)` is that transaction, for a service that
  opens no other).

The table lives in messaging because sends were its first users (moving it would be a
migration for nothing); every app above messaging in the import layers may use it.

Only the key's SHA-256 is stored, with the id of what the first request created and the SHA-256
of that request (`fingerprint`: its fields and the SHA-256 of each file, so the same message
sent as JSON or as a form, with any multipart boundary, is the same request). The key row
commits in the same transaction as the created thing, so a crash between the two cannot leave a
thing without its key (and a second one on retry).

Twins: two requests with the same key at the same instant both pass `first()`; the unique
constraint (family, user, key) lets one commit and makes the other's transaction roll back, on
PostgreSQL (the second insert waits for the first transaction, then fails) and SQLite (writers
take turns) alike. The one that lost is answered as a retry would be, never with a server
error and never with a second thing made:

- the key now names the same request: the first result, `replayed` (201 in the API, with
  `Idempotent-Replayed: true` where the operation says so), even when its own work failed on
  the way because the first one changed what it checked (a counter-proposal to a request
  that the twin has just countered, a payment beyond what the twin's payment left owed);
- the key now names another request: IdempotencyConflict (422), when the key's row is what
  refused it; a failure of its own (a field-level 400 for bad input) is raised as it is;
- the key's row was refused but no committed key can be read: StillProcessing, a 409 that says
  to retry (the first request has not finished, or rolled back since).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, models, transaction
from django.utils.translation import gettext as _

from coparent.accounts.models import User
from coparent.families.models import Family
from coparent.families.selectors import FamilyAccess
from coparent.infra.errors import DomainError
from coparent.messaging.attachments import IncomingFile
from coparent.messaging.models import IdempotencyKey

MAX_KEY = 200
FIELD = "Idempotency-Key"

# What a creating write makes: a row, whose pk the key keeps.
M = TypeVar("M", bound=models.Model)


class IdempotencyConflict(ValidationError):
    """The key was used before for another request: the API answers 422 naming the key."""


class StillProcessing(DomainError):
    """A twin request with the same key holds it, and its result cannot be read yet: the API
    answers 409 with `Retry-After`; the retry gets the first result (or, if the first request
    rolled back, makes its own)."""

    status = 409


class KeyTaken(IntegrityError):
    """The key's row was refused by the unique constraint: a twin request holds the key."""


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def fingerprint(fields: Mapping[str, object], files: Sequence[IncomingFile] = ()) -> str:
    """SHA-256 of a request as the service received it: its fields (JSON, keys sorted) and each
    file's name and SHA-256, in order."""
    document = {
        "fields": fields,
        "files": [[item.name, hashlib.sha256(item.data).hexdigest()] for item in files],
    }
    text = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Outcome(Generic[M]):
    """What a creating write made, or, `replayed`, what the first request with its key made."""

    made: M
    replayed: bool = False


@dataclass(frozen=True)
class Once:
    """One creating request and its key; every step is a no-op when the request sent none, so
    a service takes the same path with or without a key."""

    user: User
    family: Family
    operation: str
    key_hash: str | None
    request_hash: str

    def _kept(self) -> IdempotencyKey | None:
        return IdempotencyKey.objects.filter(
            user=self.user, family=self.family, key_hash=self.key_hash
        ).first()

    def _same(self, found: IdempotencyKey) -> bool:
        # Keys stored before requests were fingerprinted have none: they replay as they always did.
        return found.operation == self.operation and (
            not found.request_hash or found.request_hash == self.request_hash
        )

    def _conflict(self, found: IdempotencyKey) -> IdempotencyConflict:
        if found.operation != self.operation:
            return IdempotencyConflict(
                {FIELD: [_("This key was already used for a different request.")]}
            )
        return IdempotencyConflict(
            {
                FIELD: [
                    _(
                        "This key was already used with different content. Send exactly "
                        "the same fields and files to get the first result, or use a new "
                        "key for a new message."
                    )
                ]
            }
        )

    def first(self) -> str | None:
        """The id of what the first request with this key created; None when there was none (or
        no key). A key first used (in this family) for another operation or request raises
        IdempotencyConflict. Call it before validating, so a retry replays even when the same
        request would now be refused (a counter-proposal to a request no longer waiting)."""
        if self.key_hash is None:
            return None
        found = self._kept()
        if found is None:
            return None
        if not self._same(found):
            raise self._conflict(found)
        return found.resource_id

    def remember(self, made_id: object) -> None:
        """Keep the key with what it created; inside the creating transaction. A twin request
        that got there first makes this raise KeyTaken (an IntegrityError), which rolls the
        transaction back (`attempt` and `write` turn that into the twin's result)."""
        if self.key_hash is None:
            return
        try:
            IdempotencyKey.objects.create(
                user=self.user,
                key_hash=self.key_hash,
                operation=self.operation,
                family=self.family,
                resource_id=str(made_id),
                request_hash=self.request_hash,
            )
        except IntegrityError as error:
            raise KeyTaken(*error.args) from error

    def _twin(self, error: Exception) -> str | None:
        """After `error` ended a write that `first()` let through: the id to replay when a twin
        with the same key and request got there first; None when `error` is the request's own
        (raise it). Raises IdempotencyConflict or StillProcessing when the key's row refused
        the write and what holds the key is not this request's result."""
        if self.key_hash is None or transaction.get_connection().needs_rollback:
            return None  # no key to look up, or no query possible inside a broken transaction
        try:
            found = self._kept()
        except DatabaseError:
            return None  # the transaction around the service broke with `error`: raise that
        if found is not None and self._same(found):
            return found.resource_id
        if not isinstance(error, KeyTaken):
            return None
        if found is not None:
            raise self._conflict(found) from error
        raise StillProcessing(
            _(
                "The same request (this Idempotency-Key) is still being processed. Retry in a "
                "moment with the same key to get its result."
            ),
            field=FIELD,
            reason="still_processing",
        ) from error

    def attempt(self, work: Callable[[], M], find: Callable[[str], M]) -> Outcome[M]:
        """`work` (validation, files, its own transaction calling `remember`), after `first()`
        replays or finds nothing: a twin that got there first is answered with its result
        (`find`), whatever step of `work` its success made fail."""
        if (first := self.first()) is not None:
            return Outcome(find(first), replayed=True)
        try:
            return Outcome(work())
        except Exception as error:
            twin = self._twin(error)
            if twin is None:
                raise
        return Outcome(find(twin), replayed=True)

    def write(self, create: Callable[[], M], find: Callable[[str], M]) -> Outcome[M]:
        """`create` and the key in one transaction. When the same key arrived twice at once,
        the twin that lost finds the winner's result with `find` instead of failing: one thing
        made, both told of it. Call `first()` before (or use `run`)."""
        try:
            with transaction.atomic():
                made = create()
                self.remember(made.pk)
        except Exception as error:
            twin = self._twin(error)
            if twin is None:
                raise  # not a twin: the request's own refusal, or another constraint's
            return Outcome(find(twin), replayed=True)
        return Outcome(made)

    def run(self, create: Callable[[], M], find: Callable[[str], M]) -> Outcome[M]:
        """`first`, then `write`: the whole life of a write with nothing to check between."""
        first = self.first()
        if first is not None:
            return Outcome(find(first), replayed=True)
        return self.write(create, find)


def once(
    *,
    access: FamilyAccess,
    key: str | None,
    operation: str,
    fields: Mapping[str, object],
    files: Sequence[IncomingFile] = (),
) -> Once:
    """The request `operation` by `access`'s member, to replay by `key` (the `Idempotency-Key`
    header, None or blank when there was none). `fields` and `files` are what makes two
    requests the same (JSON-able values: ids and times as strings); they are hashed only when
    there is a key, so a write without one never reads its files twice. The same key for
    another `operation` in the same family is a conflict (put in `operation` whatever scopes
    the key further: a thread's id); in another family it is another key."""
    key = (key or "").strip()
    if len(key) > MAX_KEY:
        raise ValidationError({FIELD: [_("At most %(n)d characters.") % {"n": MAX_KEY}]})
    return Once(
        user=access.membership.user,
        family=access.family,
        operation=operation,
        key_hash=_hash(key) if key else None,
        request_hash=fingerprint(fields, files) if key else "",
    )
