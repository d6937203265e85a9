"""Issue 5, "the coach works in every place a parent writes to the other": not only in messages
but in a child event's notes, its cancellation reason and an RSVP note, a parenting-plan
proposal's note and the reason for declining one. Each of those boxes carries the same coach
(web/_tone_coach.html and the one script, coparent/tone-coach.js), and, as in messages, the
coach only advises: what a parent submits is saved exactly as typed.

The live advice is the script calling POST /api/v1/tone (tests/browser/test_tone_everywhere.py
types into a real page); here, the pages that carry it and the saving that it never touches.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

import coparent
from coparent.core.tone import analyse
from coparent.events.models import ChildEvent, Rsvp
from coparent.schedule.models import PlanVersion
from coparent.schedule.services import plan_propose
from tests.events.conftest import add_party, form_data
from tests.events.conftest import url as event_url
from tests.families.helpers import client_for
from tests.schedule.conftest import plan_data, today

# Hostile on purpose, with an emoji (and a line break where the box is a textarea): the text
# must come back byte for byte.
HOSTILE = "You NEVER listen, this is ridiculous!!! See you in court 😡"
HOSTILE_LINES = "You NEVER listen, this is ridiculous!!!\nSee you in court 😡"


def _schedule_url(cast: Any, name: str, **kwargs: Any) -> str:
    return reverse(f"schedule:{name}", kwargs={"family_id": cast.family.pk, **kwargs})


def _soon() -> date:
    """A few days ahead, so a proposal is never in the past."""
    return today() + timedelta(days=3)


def _proposal_from_alex(cast: Any) -> PlanVersion:
    """Alex proposes the Rivera family's first plan; it waits for Sam."""
    return plan_propose(access=cast.access(cast.alex), plan=plan_data(), effective_from=_soon())


def _pending_proposal_page(cast: Any) -> str:
    _proposal_from_alex(cast)
    return _schedule_url(cast, "proposals")


@dataclass(frozen=True)
class Box:
    """A text box where one parent writes to the other, and the page that shows it."""

    who: str
    field_id: str
    page: Callable[[Any], str]


BOXES = {
    "event notes, new event": Box("alex", "id_notes", lambda cast: event_url(cast, "add")),
    "event notes, editing": Box(
        "alex", "id_notes", lambda cast: event_url(cast, "edit", add_party(cast))
    ),
    "RSVP note": Box("sam", "id_note", lambda cast: event_url(cast, "detail", add_party(cast))),
    "cancellation reason": Box(
        "sam", "id_reason", lambda cast: event_url(cast, "detail", add_party(cast))
    ),
    "plan proposal note": Box("alex", "id_note", lambda cast: _schedule_url(cast, "edit")),
    "decline reason": Box("sam", "id_reason", _pending_proposal_page),
}


def _tag(page: str, pattern: str) -> str:
    found = re.search(pattern, page)
    assert found, pattern
    return found.group(0)


def _form_around(page: str, at: int) -> str:
    return page[page.rindex("<form", 0, at) : page.index("</form>", at)]


@pytest.mark.parametrize("name", BOXES)
def test_the_box_comes_with_the_coach_its_panel_and_its_script(cast, name):
    box = BOXES[name]
    response = client_for(getattr(cast, box.who)).get(box.page(cast))
    page = response.content.decode()
    assert response.status_code == 200

    # The text box, marked for the coach by its form.
    field = _tag(page, rf'<(?:textarea|input)[^>]*\bid="{box.field_id}"[^>]*>')
    assert " data-tone-coach" in field
    # Its own live panel, naming it and the tone endpoint, in the same form: the script reads
    # the form's CSRF token, and the panel sits after the box, before the form's buttons.
    panel = _tag(page, rf'<div id="{box.field_id}_tone"[^>]*>')
    assert 'class="tone-coach"' in panel
    assert 'aria-live="polite"' in panel
    assert f'data-tone-for="{box.field_id}"' in panel
    assert 'data-tone-url="/api/v1/tone"' in panel
    form = _form_around(page, page.index(field))
    assert panel in form
    assert 'name="csrfmiddlewaretoken"' in form
    assert form.index(field) < form.index(panel) < form.index('type="submit"')
    # The pattern the script copies, inert until then, with the button that is the only way
    # the coach changes the text.
    skeleton = page.index(f'<template id="{box.field_id}_tone-skeleton">')
    assert "Use this version" in page[skeleton : page.index("</template>", skeleton)]
    # The site's one script and style, from 'self': nothing inline (the CSP forbids it).
    assert re.search(r'<script src="[^"]*/coparent/tone-coach\.js" defer></script>', page)
    assert re.search(r'<link rel="stylesheet" href="[^"]*/coparent/tone-coach\.css">', page)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert " style=" not in page
    assert "{#" not in page and "{% comment" not in page  # template comments stay comments


@pytest.mark.parametrize("name", BOXES)
def test_every_coached_box_on_the_page_has_a_panel_of_its_own(cast, name):
    box = BOXES[name]
    page = client_for(getattr(cast, box.who)).get(box.page(cast)).content.decode()

    tags = re.findall(r"<(?:textarea|input)\b[^>]*>", page)
    boxes = [re.search(r'\bid="([^"]+)"', t).group(1) for t in tags if " data-tone-coach" in t]
    panels = re.findall(r'<div id="([^"]+)" class="tone-coach"[^>]*data-tone-for="([^"]+)"', page)
    assert sorted(boxes) == sorted(f for _p, f in panels)
    assert len({p for p, _f in panels}) == len(panels)  # unique ids, one per box
    assert len(re.findall(r'id="[^"]+_tone-heading"', page)) == len(panels)  # in skeletons


def test_sam_sees_two_coaches_on_the_event_page_one_for_each_box(cast):
    page = client_for(cast.sam).get(event_url(cast, "detail", add_party(cast))).content.decode()

    rsvp, cancel = (page.index(f'<div id="{f}_tone"') for f in ("id_note", "id_reason"))
    assert _form_around(page, rsvp) != _form_around(page, cancel)
    assert "/rsvp/" in _form_around(page, rsvp) and "/cancel/" in _form_around(page, cancel)


def test_vic_who_may_only_read_gets_no_box_and_no_coach(cast):
    page = client_for(cast.vic).get(event_url(cast, "detail", add_party(cast))).content.decode()

    assert "data-tone-coach" not in page
    assert "tone-coach.js" not in page


# --- The coach never changes what is saved ---------------------------------------------------


def _saved(response: Any) -> None:
    """The form was accepted (a redirect), not shown again with a problem."""
    assert response.status_code == 302, response.content.decode()[:500]


def _add_event(cast: Any) -> str:
    _saved(client_for(cast.alex).post(event_url(cast, "add"), form_data(cast, notes=HOSTILE_LINES)))
    return ChildEvent.objects.get(family=cast.family).notes


def _edit_event(cast: Any) -> str:
    party = add_party(cast)
    _saved(
        client_for(cast.alex).post(
            event_url(cast, "edit", party), form_data(cast, notes=HOSTILE_LINES)
        )
    )
    party.refresh_from_db()
    return party.notes


def _rsvp(cast: Any) -> str:
    party = add_party(cast)
    _saved(
        client_for(cast.sam).post(event_url(cast, "rsvp", party), {"answer": "no", "note": HOSTILE})
    )
    return Rsvp.objects.get(event=party, user=cast.sam).note


def _cancel(cast: Any) -> str:
    party = add_party(cast)
    _saved(client_for(cast.sam).post(event_url(cast, "cancel", party), {"reason": HOSTILE}))
    party.refresh_from_db()
    assert party.is_cancelled
    return party.cancel_reason


def _propose(cast: Any) -> str:
    day = _soon().isoformat()
    form = {
        "pattern": "2-2-3",
        "first_parent": "A",
        "start": day,
        "exchange_time": "18:00",
        "timezone": "America/Chicago",
        "effective_from": day,
        "note": HOSTILE_LINES,
        "action": "propose",
        **{
            f"{table}-{n}": "0"
            for table in ("holiday", "birthday", "school_break")
            for n in ("TOTAL_FORMS", "INITIAL_FORMS")
        },
    }
    _saved(client_for(cast.alex).post(_schedule_url(cast, "edit"), form))
    return PlanVersion.objects.get(family=cast.family).note


def _decline(cast: Any) -> str:
    version = _proposal_from_alex(cast)
    _saved(
        client_for(cast.sam).post(
            _schedule_url(cast, "decline", version_id=version.pk), {"reason": HOSTILE_LINES}
        )
    )
    version.refresh_from_db()
    assert version.status == "declined"
    return version.reason


# Each box, what saving through it keeps, and what the parent typed there (the RSVP note and
# the cancellation reason are one-line boxes: a browser puts no line break in them).
SAVES = {
    "event notes, new event": (_add_event, HOSTILE_LINES),
    "event notes, editing": (_edit_event, HOSTILE_LINES),
    "RSVP note": (_rsvp, HOSTILE),
    "cancellation reason": (_cancel, HOSTILE),
    "plan proposal note": (_propose, HOSTILE_LINES),
    "decline reason": (_decline, HOSTILE_LINES),
}


@pytest.mark.parametrize("name", SAVES)
def test_a_hostile_text_is_saved_exactly_as_typed(cast, name):
    """The coach would call it hostile, and offers a calmer version; the form, posted as a
    browser without the script posts it, saves the parent's own words, byte for byte."""
    save, typed = SAVES[name]
    verdict = analyse(typed)
    assert verdict.level == "hostile" and verdict.rewrite != typed

    assert save(cast) == typed


# --- One implementation ----------------------------------------------------------------------


def test_there_is_one_coach_script_and_one_advice_fragment():
    root = Path(coparent.__file__).parent
    scripts = sorted(p.relative_to(root).as_posix() for p in root.glob("*/static/**/*tone*.js"))
    assert scripts == ["web/static/coparent/tone-coach.js"]
    fragments = sorted(p.name for p in root.glob("*/templates/**/_tone*.html"))
    # The site's panel and verdict, and the message pages' include of them.
    assert fragments == ["_tone.html", "_tone_coach.html", "_tone_verdict.html"]
    for template in root.glob("*/templates/**/*.html"):
        text = template.read_text(encoding="utf-8")
        assert "tone.js" not in text, template
