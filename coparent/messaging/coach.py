"""The tone coach in the message pages: its verdict shaped for `messaging/_tone.html`.

The advice is the verdict's JSON (`coparent.core.tone.Verdict.as_dict`, the same as
`POST /api/v1/tone` answers) with its flags grouped the way the page shows them: warnings
(each with why and a calmer phrasing), supportive wording, and the brevity nudge. The compose
script (static/messaging/tone.js) groups the API's answer the same way and fills a copy of
SKELETON, rendered by the same fragment, so both ways of asking look alike.

Advice only: nothing here sends, stores or changes a text.
"""

from __future__ import annotations

from typing import Any

from coparent.core.tone import analyse

# Kinds that are not warnings (coparent.core.tone.coach.NEUTRAL_KINDS): praise, and the
# nudge toward brevity.
SUPPORTIVE = "supportive"
LENGTH = "length"


def advice(text: str) -> dict[str, Any]:
    """The coach's verdict on `text`, grouped for the fragment."""
    verdict = analyse(text)
    flags = [flag.as_dict() for flag in verdict.flags]
    return {
        **verdict.as_dict(),
        "blank": not text.strip(),
        "warnings": [f for f in flags if f["kind"] not in (SUPPORTIVE, LENGTH)],
        "supportive": [f for f in flags if f["kind"] == SUPPORTIVE],
        "length": next((f for f in flags if f["kind"] == LENGTH), None),
    }


_BLANK_FLAG = {"start": 0, "end": 0, "text": "", "kind": "", "why": "", "suggestion": ""}

# Every part of the advice once, empty: the fragment rendered with it (inside a <template>)
# is the pattern the script copies and fills with textContent.
SKELETON: dict[str, Any] = {
    "skeleton": True,
    "level": "",
    "score": 0.0,
    "blank": False,
    "flags": [],
    "warnings": [_BLANK_FLAG],
    "supportive": [_BLANK_FLAG],
    "length": _BLANK_FLAG,
    "rewrite": "",
}
