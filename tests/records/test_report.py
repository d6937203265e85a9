"""Story 8: the PDF a parent hands to a court reads like a report — a cover, the contents, and
a section for each part of family life asked for, every message in full with its times in the
family's zone — and stays whole as proof. What it prints follows its reader: a parent's private
journal only in their own export, a mediator only the conversations they are part of."""

from __future__ import annotations

import io
import json
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from coparent.core.record.verify import verify_document
from coparent.core.when import format_moment
from coparent.exchanges.services import check_in
from coparent.families.services import family_zone_set
from coparent.journal import services as journal
from coparent.messaging.attachments import IncomingFile
from coparent.messaging.services import messages_mark_viewed
from coparent.records.export import attachment_name, build_export, export_html, render_pdf
from coparent.records.models import ExportJob
from coparent.records.report import (
    EVERY_ENTRY,
    ReportScope,
    bar_chart,
    build_sections,
    sections,
)
from coparent.records.services import record_export
from tests.exchanges.conftest import first as first  # the fixture: the plan's first exchange
from tests.expenses.conftest import log
from tests.messaging.conftest import png_bytes, reply, start
from tests.schedule.conftest import soon as soon  # the fixture: a date a little ahead

CHICAGO = "America/Chicago"
SPACES = re.compile(r"[\s\u202f\u00a0]+")


def _flat(text: str) -> str:
    return SPACES.sub(" ", text)


def _pdf_of(cast, reader_user, sections=None) -> tuple[dict, str, PdfReader]:
    document = build_export(family=cast.family, reader=reader_user)
    pdf = render_pdf(
        document, family=cast.family, access=cast.access(reader_user), sections=sections
    )
    reader = PdfReader(io.BytesIO(pdf))
    return document, _flat("\n".join(page.extract_text() for page in reader.pages)), reader


@pytest.fixture
def chicago(cast):
    family_zone_set(access=cast.access(cast.alex), timezone_name=CHICAGO)
    cast.family.refresh_from_db()
    return ZoneInfo(CHICAGO)


def test_the_pdf_has_a_cover_contents_and_every_section_with_every_message_in_full(cast, chicago):
    photo = IncomingFile("rash.png", png_bytes())
    first = start(cast, subject="Shoes", body="Mia needs size 32 trainers for PE on Monday.")
    second = reply(cast, cast.sam, first.thread, "Bought them today.\nThey are in her bag.")
    third = reply(cast, cast.alex, first.thread, "Thanks! Photo of the rash.", attachments=[photo])
    messages_mark_viewed(access=cast.access(cast.sam), thread=first.thread)
    log(cast, description="Paediatrician, ear infection")

    document, text, reader = _pdf_of(cast, cast.sam)

    # The photo is shown, not only named.
    assert any(page.images for page in reader.pages)
    # The cover: the family, who exported, the contents.
    assert "Rivera family" in text
    assert "By Sam," in text
    assert "Contents" in text
    # Every section printed by default; the technical list of every entry only when ticked.
    for section in sections():
        assert (_flat(str(section.title)) in text) is section.by_default
    # Every message, in full, with its sender and its time in the family's zone.
    sent = [e for e in document["entries"] if e.get("kind") == "message.sent"]
    assert len(sent) == 3
    for message, entry in zip((first, second, third), sent, strict=True):
        assert _flat(message.body) in text
        when = format_moment(datetime.fromisoformat(entry["at"]), chicago, "en")
        assert _flat(when) in text
    # Its first view, and its file by name.
    assert "First viewed: Sam," in text
    assert "File: rash.png" in text
    assert "Paediatrician, ear infection" in text
    assert "Sam owes Alex" in text or "Alex owes Sam" in text or "Nobody owes" in text


def test_the_embedded_json_of_a_report_verifies(cast, chicago):
    start(cast, body="See you at six.")
    document, _text, reader = _pdf_of(cast, cast.alex)
    (twin,) = reader.attachments[attachment_name(document)]
    assert json.loads(twin) == document
    assert verify_document(json.loads(twin)).ok


def test_only_the_sections_asked_for_are_printed(cast, chicago):
    start(cast, body="Only the messages, please.")
    _document, text, _reader = _pdf_of(cast, cast.alex, sections=["messages"])
    assert "Only the messages, please." in text
    assert "Expenses and balance" not in text
    assert "Every entry of the record" not in text
    # The proof is always there.
    assert "How to verify" in text


def test_the_list_of_every_entry_is_printed_when_ticked(cast, chicago):
    start(cast, body="One line for the technical list.")
    _document, text, _reader = _pdf_of(cast, cast.alex, sections=["messages", EVERY_ENTRY])
    assert "Every entry of the record" in text
    assert "message.sent" in text or "Message sent" in text


def test_the_journal_is_printed_only_in_its_authors_export(cast, chicago):
    journal.entry_write(access=cast.access(cast.alex), text="Sam was 40 minutes late at the gate.")

    _doc, alex_text, _ = _pdf_of(cast, cast.alex)
    assert "Sam was 40 minutes late at the gate." in alex_text
    assert "My journal (private)" in alex_text

    for other in (cast.sam, cast.morgan):
        document, text, _ = _pdf_of(cast, other)
        assert "40 minutes late" not in text
        assert "40 minutes late" not in json.dumps(document)
        # Sam's export has his own journal's section (empty); the mediator has none.
        assert ("My journal (private)" in text) is (other == cast.sam)


def test_a_mediators_export_prints_only_the_conversations_they_are_part_of(cast, chicago):
    mediator = cast.mediator
    start(cast, subject="Parents only", body="Just between the two of us.")
    start(cast, subject="With Morgan", body="Morgan, can we meet on Tuesday?", include=[mediator])

    _document, text, _ = _pdf_of(cast, cast.morgan)

    assert "Morgan, can we meet on Tuesday?" in text
    assert "Just between the two of us." not in text
    assert "1 message in a conversation the person who exported is not part of" in text


def _html_queries(cast, user) -> int:
    document = build_export(family=cast.family, reader=user)
    with CaptureQueriesContext(connection) as queries:
        export_html(document, family=cast.family, access=cast.access(user))
    return len(queries)


def test_building_a_report_takes_as_many_queries_for_many_rows_as_for_few(cast, chicago):
    thread = start(cast, body="One.").thread
    log(cast, description="One bill")
    journal.entry_write(access=cast.access(cast.alex), text="One note.")
    few = _html_queries(cast, cast.alex)

    photo = IncomingFile("a.png", png_bytes())
    for number in range(6):
        reply(cast, cast.sam, thread, f"Reply {number}.", attachments=[photo])
        log(cast, description=f"Bill {number}")
        journal.entry_write(access=cast.access(cast.alex), text=f"Note {number}.")
    messages_mark_viewed(access=cast.access(cast.alex), thread=thread)

    # The actors' names (1), the messages' files (1), the calendar and exchanges (their
    # selectors' fixed queries), the expenses and balance (8), the journal (1): none per row.
    assert _html_queries(cast, cast.alex) == few


def test_a_chart_is_drawn_to_scale_and_none_without_rows():
    chart = bar_chart("Hours", ["Alex", "Sam"], [("Planned", [3, 1], "3 · 1")])
    assert chart is not None
    (row,) = chart.rows
    a, b = row.segments
    assert a.width == 3 * b.width
    assert bar_chart("Hours", ["Alex", "Sam"], []) is None


def test_the_export_form_offers_the_sections_and_keeps_those_chosen(
    cast, django_capture_on_commit_callbacks
):
    client = cast.client_for(cast.alex)
    url = f"/families/{cast.family.pk}/record/export/"
    page = client.get(url).content.decode()
    assert 'name="sections"' in page and 'value="messages"' in page

    bad = client.post(url, {"file_format": "pdf", "sections": ["nothing-such"]})
    assert bad.status_code == 200
    assert "nothing-such is not one of the available choices" in bad.content.decode()
    late = client.post(
        url, {"file_format": "pdf", "date_from": "2027-03-10", "date_to": "2027-03-01"}
    )
    assert "The end date must be on or after the start date." in late.content.decode()
    assert not ExportJob.objects.filter(family=cast.family).exists()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"file_format": "json", "sections": ["messages", "expenses"]})
    job = ExportJob.objects.get(family=cast.family)
    assert job.sections == ["expenses", "messages"]


def test_the_asker_is_emailed_a_link_when_the_export_is_ready_and_nothing_else(
    cast, django_capture_on_commit_callbacks
):
    start(cast, body="The words of a message never travel by email.")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        job = record_export(access=cast.access(cast.sam), file_format="pdf")
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE

    (email,) = mail.outbox
    assert email.to == ["sam@example.org"]
    assert "ready" in email.subject
    assert f"/families/{cast.family.pk}/record/export/{job.pk}/" in email.body
    assert "never travel" not in email.body
    assert not email.attachments


def _scope(cast, user, first, days) -> ReportScope:
    document = build_export(family=cast.family, reader=user)
    return ReportScope(
        access=cast.access(user),
        zone=ZoneInfo(CHICAGO),
        locale="en",
        first=first,
        stop=first + timedelta(days=days),
        export=document,
        names={str(cast.alex.pk): "Alex", str(cast.sam.pk): "Sam"},
    )


def test_the_calendar_and_exchanges_sections_draw_their_charts_in_svg(
    cast, first, soon, time_machine
):
    planned_at, giver, receiver = first
    late = planned_at + timedelta(minutes=40)
    check_in(access=cast.access(giver), planned_at=planned_at, step="handed_over", at=late)
    check_in(access=cast.access(receiver), planned_at=planned_at, step="received", at=late)
    scope = _scope(cast, cast.alex, soon, 14)
    time_machine.move_to(planned_at + timedelta(days=20), tick=False)

    with CaptureQueriesContext(connection) as two_weeks:
        built = {s.key: s.html for s in build_sections(scope, ["calendar", "exchanges"])}

    assert "<svg" in built["calendar"] and "<rect" in built["calendar"]
    assert "Hours with each parent, planned and actual" in built["calendar"]
    assert f"{giver.display_name} → {receiver.display_name}" in built["exchanges"]
    assert format_moment(planned_at, ZoneInfo(CHICAGO), "en") in built["exchanges"]
    assert "Late by 40 min" in built["exchanges"]
    assert "Exchanges of each parent: on time, late, missed" in built["exchanges"]
    # Two months of exchanges take the queries that two weeks take.
    longer = _scope(cast, cast.alex, soon, 61)
    with CaptureQueriesContext(connection) as two_months:
        build_sections(longer, ["calendar", "exchanges"])
    assert len(two_months) == len(two_weeks)
