"""The tone coach over HTTP: `POST /api/v1/tone`, the same verdict as `coparent tone --json`.

For logged-in people only (a bearer token, or the site's own session for the compose script),
and rate-limited per person (the `tone.user` limit of coparent.infra.ratelimit), since each call
costs a little CPU. It stores nothing it is sent: no row, no log line carrying the text; the only
state is the person's request counter in the shared cache. A text may be up to MAX_TEXT
characters (beyond: a 422 with a field message); only the first ANALYSIS_LIMIT characters are
analysed, and the verdict's "length" flag says so.
"""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema
from pydantic import ConfigDict, field_validator

from coparent.api.schemas import answers
from coparent.core.tone import ANALYSIS_LIMIT, analyse
from coparent.core.tone.text import shown
from coparent.infra import ratelimit

router = Router(tags=["tone"])

MAX_TEXT = 100_000
# Typing in the compose box calls this once per pause (debounced), so a person writing
# steadily stays far below the `tone.user` limit (60 a minute by default); a script hammering
# the endpoint does not.


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


@router.post(
    "/tone",
    response=answers({200: ToneOut}, 422, 429),
    summary="Check how a text will land (the tone coach); stores nothing",
    description=(
        "The verdict of `coparent tone --json`: level, score, flagged spans with why and a "
        "calmer suggestion, and a suggested rewrite. Advice only: nothing is blocked, changed "
        "or kept. Rate-limited per person (60 calls a minute unless the operator changed it); "
        "beyond, 429 with `Retry-After`."
    ),
)
def tone_check(request: HttpRequest, payload: ToneIn) -> Any:
    ratelimit.hit(request, "tone")
    return analyse(payload.text).as_dict()
