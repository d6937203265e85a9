"""The `Idempotency-Key` header of the creating operations, declared and answered one way.

The services own the key (coparent.messaging.idempotency: replay, conflict, storing it with the
write); an operation only takes the header with `key_header`, hands it to its service, and,
where the service says whether it replayed, says so with `say_replayed`. A key used before for
other content is answered by coparent.api.errors (422 naming the header), and so is a twin whose
first is still being processed (409 with Retry-After).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from ninja.params import functions as params

from coparent.messaging.idempotency import FIELD, MAX_KEY

REPLAYED = "Idempotent-Replayed"


def key_header(returns: str = "the first result", status: int = 201) -> Any:
    """The optional header as the operation's default, documented with what a retry `returns`
    ("the first note") and with which `status` (the first answer's: 202 for a job started in
    the background). Every operation that takes it also declares the 409 a twin may get."""
    return params.Header(
        None,
        alias=FIELD,
        description=(
            f"Any unique string (a UUID), at most {MAX_KEY} characters: a retry with the same "
            f"key and the same content returns {returns} ({status}) and creates nothing. A key is "
            "yours in this family: the same key in another family is another key. The same "
            "key with other content answers 422 naming the header; a twin sent at the same "
            "instant gets the same answer as the first, or 409 with Retry-After while the "
            "first is still being processed (retry with the same key). Input that is wrong "
            "answers its field errors whatever the key."
        ),
    )


def say_replayed(response: HttpResponse, replayed: bool) -> None:
    """Tell a client whose retry was answered with the first result: the status stays the
    first one's (201, or 202 for a job), so the header is how a script knows nothing new was
    made."""
    if replayed:
        response[REPLAYED] = "true"
