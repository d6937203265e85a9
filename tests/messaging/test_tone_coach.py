"""Story 6, "poking the bear": while Alex writes to Sam, the tone coach says how the message will
land — the level, the risky words with why and a calmer phrasing, supportive wording, a nudge
toward brevity, and a calmer version of the whole text. It only advises: it never sends, never
blocks sending, and never changes the text on its own.

The live coach is the page's own script calling POST /api/v1/tone (tests/browser/test_tone.py
drives it); here, the page that carries it, and the "Check the tone" button that asks the server
for the same advice when the script does not run.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from django.urls import reverse

import coparent.web
from coparent.core.tone import analyse
from coparent.messaging.models import Message, Thread
from coparent.records.models import RecordEntry
from tests.families.helpers import client_for
from tests.messaging.conftest import start

HOSTILE = "You ALWAYS do this, you're a terrible father"
SCRIPT = Path(coparent.web.__file__).parent / "static" / "coparent" / "tone-coach.js"


def _compose(cast):
    return reverse("messaging:compose", kwargs={"family_id": cast.family.pk})


def _reply(thread):
    return reverse(
        "messaging:reply", kwargs={"family_id": thread.family_id, "thread_id": thread.pk}
    )


def _thread(thread):
    return reverse(
        "messaging:thread", kwargs={"family_id": thread.family_id, "thread_id": thread.pk}
    )


def _record_size(cast) -> int:
    return RecordEntry.objects.filter(family=cast.family).count()


def _text(page: str) -> str:
    """What a reader sees: tags dropped, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _advice(response) -> str:
    """What the coach's box says (the inert skeleton after it is not shown)."""
    page = response.content.decode()
    start = page.index('<div id="tone-coach"')
    return _text(page[start : page.index('<template id="tone-coach-skeleton">', start)])


# --- The page carries the coach ------------------------------------------------------------


@pytest.mark.parametrize("where", ["compose", "thread"])
def test_the_message_box_comes_with_the_coach_and_its_script(cast, where):
    url = _compose(cast) if where == "compose" else _thread(start(cast, cast.sam).thread)
    page = client_for(cast.alex).get(url).content.decode()

    # The live region the script fills, pointing at the message box and the tone endpoint.
    coach = re.search(r'<div id="tone-coach"[^>]*>', page).group(0)
    assert 'aria-live="polite"' in coach
    assert 'data-tone-for="id_body"' in coach
    assert 'data-tone-url="/api/v1/tone"' in coach
    assert 'id="id_body"' in page
    # The project's own script and style, from 'self': nothing inline (the CSP forbids it).
    assert re.search(r'<script src="[^"]*/coparent/tone-coach\.js" defer></script>', page)
    assert re.search(r'<link rel="stylesheet" href="[^"]*/coparent/tone-coach\.css">', page)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert " style=" not in page
    assert "{#" not in page and "{% comment" not in page  # template comments stay comments
    # The pattern the script copies, inert until then, and the no-script way to ask.
    assert '<template id="tone-coach-skeleton">' in page
    assert "Use this version" in page
    assert re.search(r'<button type="submit" name="tone" value="check"[^>]*>Check the tone<', page)
    # Send stays the form's first button, so Enter in the subject still sends.
    box = page.index('id="id_body"')
    form = page[page.rindex("<form", 0, box) : page.index("</form>", box)]
    first_submit = re.search(r'<button type="submit"[^>]*>([^<]+)<', form).group(1)
    assert first_submit.startswith("Send")


def test_the_script_builds_the_advice_from_text_never_from_markup():
    script = SCRIPT.read_text(encoding="utf-8")
    # User text only ever enters the page as textContent.
    assert "innerHTML" not in script
    assert "outerHTML" not in script
    assert "insertAdjacentHTML" not in script
    assert "textContent" in script
    # The session's CSRF token, read from the form, and a pause before each call.
    assert "csrfmiddlewaretoken" in script
    assert '"X-CSRFToken"' in script
    assert "QUIET_MS = 400" in script
    # Offsets are code points, as the API counts them.
    assert "Array.from(text)" in script


# --- "Check the tone", without the script ---------------------------------------------------


def test_alex_checks_the_tone_of_a_hostile_message_and_nothing_is_sent(cast):
    record_before = _record_size(cast)
    response = client_for(cast.alex).post(
        _compose(cast),
        {"subject": "Friday", "topic": "schedule", "body": HOSTILE, "tone": "check"},
    )

    assert response.status_code == 200
    seen = _advice(response)
    verdict = analyse(HOSTILE)
    insult = next(f for f in verdict.flags if f.kind == "insult")
    # The warning, the words it is about with why, a calmer phrasing, and a rewrite.
    assert "Hostile This is likely to read as hostile" in seen
    assert insult.text in seen
    assert insult.why in seen
    assert f"Calmer: {insult.suggestion}" in seen
    assert "A calmer version of the whole message" in seen
    assert " ".join(verdict.rewrite.split()) in seen
    # The fragment was rendered with the coach's own JSON.
    assert {k: response.context["tone"][k] for k in verdict.as_dict()} == verdict.as_dict()
    # Alex's words are still in the box, untouched, with the subject he typed.
    form = response.context["form"]
    assert form.initial["body"] == HOSTILE
    assert form.initial["subject"] == "Friday"
    assert f"{html.escape(HOSTILE)}</textarea>" in response.content.decode()
    # Nothing was sent and nothing recorded.
    assert not Message.objects.exists()
    assert not Thread.objects.exists()
    assert _record_size(cast) == record_before


def test_a_check_before_the_subject_is_written_shows_advice_not_errors(cast):
    response = client_for(cast.alex).post(
        _compose(cast), {"body": "Thanks so much for covering today.", "tone": "check"}
    )

    assert "This field is required" not in response.content.decode()
    seen = _advice(response)
    assert seen.startswith("Tone check Calm Nothing here is likely to land badly.")
    assert "Supportive wording — it helps, keep it: Thanks so much for covering today" in seen
    assert "A calmer version" not in seen  # calm text needs no rewrite
    assert not Message.objects.exists()


def test_checking_an_empty_box_says_there_is_nothing_to_check(cast):
    response = client_for(cast.alex).post(_compose(cast), {"body": "  ", "tone": "check"})

    assert _advice(response) == (
        "Tone check There is no text to check yet. "
        "Only you see this advice. It never stops you sending."
    )


def test_a_long_message_gets_the_nudge_toward_brevity(cast):
    body = " ".join(["We can swap the weekend of the 14th if that suits you."] * 20)
    response = client_for(cast.alex).post(_compose(cast), {"body": body, "tone": "check"})

    (nudge,) = [f for f in analyse(body).flags if f.kind == "length"]
    assert f"{nudge.why} {nudge.suggestion}" in _advice(response)


def test_chosen_files_are_not_kept_by_a_check_and_the_page_says_so(cast):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.messaging.conftest import PDF_BYTES

    response = client_for(cast.alex).post(
        _compose(cast),
        {
            "body": "Here is the form.",
            "tone": "check",
            "attachments": SimpleUploadedFile("form.pdf", PDF_BYTES, "application/pdf"),
        },
    )
    assert "choose them again before sending" in response.content.decode()
    assert not Message.objects.exists()


def test_sam_checks_a_reply_and_the_thread_stays_as_it_was(cast):
    message = start(cast)
    sam = client_for(cast.sam)
    sam.get(_thread(message.thread))  # Sam has read it: the check below records nothing
    record_before = _record_size(cast)

    response = sam.post(_reply(message.thread), {"body": HOSTILE, "tone": "check"})

    assert response.status_code == 200
    seen = _advice(response)
    assert "Hostile This is likely to read as hostile" in seen
    assert "Use this version" in seen
    assert response.context["form"].initial == {"body": HOSTILE}
    assert [m.body for m in Message.objects.filter(thread=message.thread)] == [message.body]
    assert _record_size(cast) == record_before


def test_sending_is_never_blocked_by_the_coach(cast):
    """Advice, not a gate: Alex may send the hostile text as written (and it is kept as sent)."""
    response = client_for(cast.alex).post(
        _compose(cast), {"subject": "Friday", "topic": "schedule", "body": HOSTILE}
    )

    assert response.status_code == 302
    assert Message.objects.get().body == HOSTILE


@pytest.mark.parametrize(("who", "status"), [("vic", 403), ("olivia", 404)])
def test_the_viewer_and_the_outsider_cannot_use_the_check(cast, who, status):
    response = client_for(getattr(cast, who)).post(
        _compose(cast), {"body": HOSTILE, "tone": "check"}
    )
    assert response.status_code == status
