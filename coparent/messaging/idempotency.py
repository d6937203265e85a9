"""`Idempotency-Key` for sends: a retry with the same key by the same person returns the first
result and creates nothing; the same key with a different request is refused.

Only the key's SHA-256 is stored, with a reference to what the first request created and the
SHA-256 of that request (`fingerprint`: its fields and the SHA-256 of each file, so the same
message sent as JSON or as a form, with any multipart boundary, is the same request). The key
row commits in the same transaction as the created thing, so a crash between the two cannot
leave a message without its key (and a second send on retry). The services that create
(`messaging.services.thread_start_once`, `message_send_once`) use it in three steps: `claim`
and `replayed` before any work, `remember` inside their transaction.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from coparent.accounts.models import User
from coparent.families.models import Family
from coparent.messaging.attachments import IncomingFile
from coparent.messaging.models import IdempotencyKey

MAX_KEY = 200
FIELD = "Idempotency-Key"


class IdempotencyConflict(ValidationError):
    """The key was used before for another request: the API answers 422 naming the key."""


@dataclass(frozen=True)
class Claim:
    user: User
    family: Family
    key_hash: str
    operation: str
    request_hash: str


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


def claim(
    *, user: User, family: Family, key: str | None, operation: str, request_hash: str
) -> Claim | None:
    """The key to look for and remember; None when the request carries none."""
    if not key or not key.strip():
        return None
    key = key.strip()
    if len(key) > MAX_KEY:
        raise ValidationError({FIELD: [_("At most %(n)d characters.") % {"n": MAX_KEY}]})
    return Claim(
        user=user,
        family=family,
        key_hash=_hash(key),
        operation=operation,
        request_hash=request_hash,
    )


def replayed(claim: Claim) -> str | None:
    """The id of what the first request with this key created; None when there was none. A key
    first used for another operation, family or request raises IdempotencyConflict."""
    found = IdempotencyKey.objects.filter(user=claim.user, key_hash=claim.key_hash).first()
    if found is None:
        return None
    if found.operation != claim.operation or found.family_id != claim.family.pk:
        raise IdempotencyConflict(
            {FIELD: [_("This key was already used for a different request.")]}
        )
    # Keys stored before requests were fingerprinted have none: they replay as they always did.
    if found.request_hash and found.request_hash != claim.request_hash:
        raise IdempotencyConflict(
            {
                FIELD: [
                    _(
                        "This key was already used with different content. Send exactly the "
                        "same fields and files to get the first result, or use a new key for a "
                        "new message."
                    )
                ]
            }
        )
    return found.resource_id


def remember(claim: Claim, resource_id: str) -> None:
    """Keep the key with what it created; inside the creating transaction. A twin request that
    got there first makes this raise IntegrityError, which rolls the transaction back."""
    IdempotencyKey.objects.create(
        user=claim.user,
        key_hash=claim.key_hash,
        operation=claim.operation,
        family=claim.family,
        resource_id=resource_id,
        request_hash=claim.request_hash,
    )
