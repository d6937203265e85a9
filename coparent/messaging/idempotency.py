"""`Idempotency-Key` for POSTs that create things: a retry with the same key by the same person
returns the first result and creates nothing.

Only the key's SHA-256 is stored, with a reference to what the first request created; the key
row commits in the same transaction as the created thing, so a crash between the two cannot
leave a message without its key (and a second send on retry).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from coparent.accounts.models import User
from coparent.families.models import Family
from coparent.messaging.models import IdempotencyKey

T = TypeVar("T")
MAX_KEY = 200


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _replay(
    found: IdempotencyKey, *, family: Family, operation: str, load: Callable[[str], T]
) -> T:
    if found.operation != operation or found.family_id != family.pk:
        raise ValidationError(
            {"Idempotency-Key": [_("This key was already used for a different request.")]}
        )
    return load(found.resource_id)


def once(
    *,
    user: User,
    family: Family,
    key: str | None,
    operation: str,
    create: Callable[[], tuple[str, T]],
    load: Callable[[str], T],
) -> tuple[T, bool]:
    """Run `create` (returning the new thing's id and the thing) unless `key` was seen before
    for this user; then `load` the first result instead. Returns (result, replayed)."""
    if not key:
        return create()[1], False
    key = key.strip()
    if len(key) > MAX_KEY:
        raise ValidationError(
            {"Idempotency-Key": [_("At most %(n)d characters.") % {"n": MAX_KEY}]}
        )
    key_hash = _hash(key)
    found = IdempotencyKey.objects.filter(user=user, key_hash=key_hash).first()
    if found is not None:
        return _replay(found, family=family, operation=operation, load=load), True
    try:
        with transaction.atomic():
            resource_id, result = create()
            IdempotencyKey.objects.create(
                user=user,
                key_hash=key_hash,
                operation=operation,
                family=family,
                resource_id=resource_id,
            )
    except IntegrityError:
        # The same key arrived twice at once: the other request's work stands, ours rolled back.
        found = IdempotencyKey.objects.filter(user=user, key_hash=key_hash).first()
        if found is None:
            raise
        return _replay(found, family=family, operation=operation, load=load), True
    return result, False
