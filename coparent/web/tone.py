"""The tone coach in the pages: its verdict shaped for `web/_tone_coach.html`, and the text
boxes that carry it.

Any text box where a parent writes to the other can have the coach: its widget is marked
`data-tone-coach` (`CoachedTextarea`, or `CoachedTextInput` for a one-line note) and the page
includes `web/_tone_coach.html` with the field.

The advice is the verdict's JSON (`coparent.core.tone.Verdict.as_dict`, the same as
`POST /api/v1/tone` answers) with its flags grouped the way the page shows them: warnings
(each with why and a calmer phrasing), supportive wording, and the brevity nudge. The site's
script (static/coparent/tone-coach.js) groups the API's answer the same way and fills a copy of
SKELETON, rendered by the same fragment, so both ways of asking look alike.

Advice only: nothing here sends, stores or changes a text.
"""

from __future__ import annotations

from typing import Any

from django import forms

from coparent.core.tone import analyse
from coparent.core.tone.coach import FlagJSON, VerdictJSON

# Kinds that are not warnings (coparent.core.tone.coach.NEUTRAL_KINDS): praise, and the
# nudge toward brevity.
SUPPORTIVE = "supportive"
LENGTH = "length"

# The mark the script and the tests look for on a coached text box.
MARK = "data-tone-coach"


class Advice(VerdictJSON):
    """What `web/_tone_coach.html` shows: the verdict, with its flags grouped."""

    blank: bool
    warnings: list[FlagJSON]
    supportive: list[FlagJSON]
    length: FlagJSON | None


def advice(text: str) -> Advice:
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


_BLANK_FLAG: FlagJSON = {"start": 0, "end": 0, "text": "", "kind": "", "why": "", "suggestion": ""}

# Every part of the advice once, empty: the fragment rendered with it (inside a <template>)
# is the pattern the script copies and fills with textContent.
SKELETON: dict[str, object] = {
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


def _marked(attrs: dict[str, Any] | None) -> dict[str, Any]:
    return {**(attrs or {}), MARK: True}


class CoachedTextarea(forms.Textarea):
    """A text box the tone coach watches (with `web/_tone_coach.html` beside it on the page).
    It is a plain textarea: without the script the form works exactly as before."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=_marked(attrs))


class CoachedTextInput(forms.TextInput):
    """A one-line text box the tone coach watches, for short notes kept on one line."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=_marked(attrs))
