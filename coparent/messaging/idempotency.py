"""`Idempotency-Key` for every creating write: a retry with the same key by the same person
returns the first result and creates nothing; the same key with a different request is refused.

One helper for every service that takes a key (messages, clauses, expenses, journal entries,
info-bank items, requests, exchange notes and passes, documents): `once(...)` names the request,
then either

- `Once.run(create, find)` when nothing happens between the replay check and the write: replay,
  or create and keep the key in one transaction; or
- the steps one by one, for a service that validates or writes files between them:
  `first()` before any work (replay), then `remember(pk)` inside its own transaction (or
  `write(create, find)`, which opens that transaction and answers a twin request itself).

The table lives in messaging because sends were its first users (moving it would be a
migration for nothing); every app above messaging in the import layers may use it.

Only the key's SHA-256 is stored, with the id of what the first request created and the SHA-256
of that request (`fingerprint`: its fields and the SHA-256 of each file, so the same message
sent as JSON or as a form, with any multipart boundary, is the same request). The key row
commits in the same transaction as the created thing, so a crash between the two cannot leave a
thing without its key (and a second one on retry). Two requests with the same key at the same
instant both pass `first()`; the unique constraint (user, key) lets one commit and makes the
other's transaction roll back with IntegrityError, on PostgreSQL and SQLite alike.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from coparent.accounts.models import User
from coparent.families.models import Family
from coparent.families.selectors import FamilyAccess
from coparent.messaging.attachments import IncomingFile
from coparent.messaging.models import IdempotencyKey

MAX_KEY = 200
FIELD = "Idempotency-Key"

# What a creating write makes: a row, whose pk the key keeps.
M = TypeVar("M", bound=models.Model)


class IdempotencyConflict(ValidationError):
    """The key was used before for another request: the API answers 422 naming the key."""


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

    def first(self) -> str | None:
        """The id of what the first request with this key created; None when there was none (or
        no key). A key first used for another operation, family or request raises
        IdempotencyConflict. Call it before validating, so a retry replays even when the same
        request would now be refused (a counter-proposal to a request no longer waiting)."""
        if self.key_hash is None:
            return None
        found = IdempotencyKey.objects.filter(user=self.user, key_hash=self.key_hash).first()
        if found is None:
            return None
        if found.operation != self.operation or found.family_id != self.family.pk:
            raise IdempotencyConflict(
                {FIELD: [_("This key was already used for a different request.")]}
            )
        # Keys stored before requests were fingerprinted have none: they replay as they always did.
        if found.request_hash and found.request_hash != self.request_hash:
            raise IdempotencyConflict(
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
        return found.resource_id

    def remember(self, made_id: object) -> None:
        """Keep the key with what it created; inside the creating transaction. A twin request
        that got there first makes this raise IntegrityError, which rolls the transaction back
        (`write` turns that into the twin's result)."""
        if self.key_hash is None:
            return
        IdempotencyKey.objects.create(
            user=self.user,
            key_hash=self.key_hash,
            operation=self.operation,
            family=self.family,
            resource_id=str(made_id),
            request_hash=self.request_hash,
        )

    def write(self, create: Callable[[], M], find: Callable[[str], M]) -> Outcome[M]:
        """`create` and the key in one transaction. When the same key arrived twice at once,
        the twin that lost finds the winner's result with `find` instead of failing: one thing
        made, both told of it."""
        try:
            with transaction.atomic():
                made = create()
                self.remember(made.pk)
        except IntegrityError:
            first = self.first()
            if first is None:
                raise  # not a twin: another constraint refused the write
            return Outcome(find(first), replayed=True)
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
    there is a key, so a write without one never reads its files twice. The same key in
    another family or for another `operation` is a conflict: put in `operation` whatever
    scopes the key further (a thread's id)."""
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
