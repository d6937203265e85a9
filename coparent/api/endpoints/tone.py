"""The tone coach over HTTP: `POST /api/v1/tone`, the same verdict as `coparent tone --json`.

For logged-in people only (a bearer token, or the site's own session for the compose script),
and rate-limited per person, since each call costs a little CPU. It stores nothing it is sent:
no database row, no log line carrying the text; the only state is a per-person request counter
in Django's cache. A text may be up to MAX_TEXT characters (beyond: a 422 with a field message);
only the first ANALYSIS_LIMIT characters are analysed, and the verdict's "length" flag says so.
"""

from __future__ import annotations

import time
from typing import Any, Literal

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict, field_validator

from coparent.accounts.models import User
from coparent.api.auth import caller
from coparent.api.schemas import ErrorOut, answers
from coparent.core.tone import ANALYSIS_LIMIT, analyse
from coparent.core.tone.text import shown

router = Router(tags=["tone"])

MAX_TEXT = 100_000
# Typing in the compose box calls this once per pause (debounced), so a person writing
# steadily stays far below it; a script hammering the endpoint does not.
RATE_LIMIT = 60
RATE_WINDOW = 60  # seconds
_CACHE_KEY = "coparent:tone-rate:{user}:{window}"


class ToneIn(Schema):
    # Unlike other inputs, control characters are not refused: the text is only read, never
    # stored, and the coach gives any text a verdict.
    model_config = ConfigDict(extra="forbid")

    text: str = Field(
        ...,
        max_length=MAX_TEXT,
        description=(
            f"The text to check, up to {MAX_TEXT:,} characters; only the first "
            f'{ANALYSIS_LIMIT:,} are analysed. An empty text is "ok" with nothing flagged.'
        ),
    )

    @field_validator("text", mode="before")
    @classmethod
    def _lone_surrogates(cls, value: Any) -> Any:
        # JSON may escape half a character ("\ud800"), which pydantic refuses as text; the
        # coach reads it as U+FFFD, one for one, like the command line does.
        return shown(value) if isinstance(value, str) else value


class ToneFlagOut(Schema):
    start: int = Field(..., description="Offset of the first character (a Python str index).")
    end: int = Field(..., description="Offset just past the last character.")
    text: str
    kind: str = Field(
        ...,
        description=(
            "insult, profanity, absolute, blame, threat, shouting, sarcasm, command, "
            "disparaging, children; hostile-sentence and tense-sentence (a whole sentence the "
            "learned model judges hostile or tense where no rule explains it); supportive "
            "(praise, never raises the level); length."
        ),
    )
    why: str
    suggestion: str


class ToneOut(Schema):
    level: Literal["ok", "caution", "hostile"]
    score: float = Field(..., ge=0, le=1)
    flags: list[ToneFlagOut]
    rewrite: str | None = Field(
        ..., description="A brief, informative, friendly, firm version; null when level is ok."
    )


def _over_limit(user: User) -> int | None:
    """Count this request; the seconds until the person may call again once over the limit."""
    now = time.time()
    window = int(now // RATE_WINDOW)
    key = _CACHE_KEY.format(user=user.pk, window=window)
    cache.add(key, 0, timeout=RATE_WINDOW * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # the counter was evicted between add and incr
        cache.set(key, 1, timeout=RATE_WINDOW * 2)
        count = 1
    if count <= RATE_LIMIT:
        return None
    return max(1, int((window + 1) * RATE_WINDOW - now) + 1)


@router.post(
    "/tone",
    response=answers({200: ToneOut}, 422, 429),
    summary="Check how a text will land (the tone coach); stores nothing",
    description=(
        "The verdict of `coparent tone --json`: level, score, flagged spans with why and a "
        "calmer suggestion, and a suggested rewrite. Advice only: nothing is blocked, changed "
        f"or kept. At most {RATE_LIMIT} calls a minute per person; beyond, 429 with "
        "`Retry-After`."
    ),
)
def tone_check(request: HttpRequest, response: HttpResponse, payload: ToneIn) -> Any:
    retry_after = _over_limit(caller(request))
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
        return Status(
            429,
            ErrorOut(
                detail=_("Too many tone checks. Try again in %(seconds)d seconds.")
                % {"seconds": retry_after}
            ),
        )
    return analyse(payload.text).as_dict()
