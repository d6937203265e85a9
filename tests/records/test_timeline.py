"""Story 8, "He said, she said": the family record as a page. Parents and the consented mediator
read every entry, newest first, and narrow it by kind, person and dates; the viewer and the
outsider do not see it at all."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coparent.families import services
from coparent.records.models import Kind, RecordEntry
from coparent.records.selectors import entry_summary, record_entries
from coparent.records.services import record_export
from coparent.records.summaries import SUMMARIES
from tests.factories import UserFactory
from tests.families.helpers import (  # noqa: F401  (pages: the fixture)
    call_view,
    client_for,
    invite,
    join,
    pages,
)

pytestmark = pytest.mark.usefixtures("pages")


def _timeline(cast, **query) -> str:
    url = reverse("records:timeline", kwargs={"family_id": cast.family.pk})
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def _seqs(response) -> list[int]:
    return [row.entry.seq for row in response.context["rows"]]


def _rename_leo(cast, times: int, *, by=None, at=None) -> None:
    """`times` more child.changed entries: Leo becomes "Leo 0", "Leo 1", … in turn."""
    access = cast.access(by or cast.alex)
    for _ in range(times):
        cast.leo.refresh_from_db()
        number = int(cast.leo.name.split()[-1]) + 1 if cast.leo.name != "Leo" else 0
        services.child_update(
            access=access,
            child=cast.leo,
            name=f"Leo {number}",
            date_of_birth=cast.leo.date_of_birth,
            at=at,
        )


def test_a_parent_reads_the_whole_record_newest_first(cast):
    response = client_for(cast.sam).get(_timeline(cast))

    assert response.status_code == 200
    entries = list(RecordEntry.objects.filter(family=cast.family).order_by("-seq"))
    assert _seqs(response) == [e.seq for e in entries]
    page = response.content.decode()
    newest = entries[0]
    assert f'<td data-label="#">{newest.seq}</td>' in page
    # The plain view reads in the family's zone; the hashes and the stored UTC times are the
    # technical view's.
    assert newest.hash[:12] not in page
    technical = client_for(cast.sam).get(_timeline(cast, view="technical")).content.decode()
    assert newest.hash[:12] in technical
    assert f"<code>{newest.at}</code>" in technical
    assert "Vic joined as Viewer" in page
    assert "Consent given for Morgan" in page
    assert "Mia added, born May 2, 2016" in page
    assert "Family space “Rivera family” created" in page
    first = response.context["rows"][-1]
    assert (first.entry.kind_label, first.actor_name) == ("Family created", "Alex")


def test_the_consented_mediator_reads_the_record_too(cast):
    assert client_for(cast.morgan).get(_timeline(cast)).status_code == 200


def test_the_viewer_is_refused_and_the_outsider_finds_nothing(cast):
    assert client_for(cast.vic).get(_timeline(cast)).status_code == 403
    assert client_for(cast.olivia).get(_timeline(cast)).status_code == 404


def test_filter_by_kind(cast):
    response = client_for(cast.alex).get(_timeline(cast, kind="child.added"))

    assert [row.summary for row in response.context["rows"]] == [
        "Leo added, born Sep 14, 2019",
        "Mia added, born May 2, 2016",
    ]
    assert '<option value="child.added" selected>' in response.content.decode()


def test_filter_by_person_includes_people_who_have_left(cast):
    services.membership_end(access=cast.access(cast.vic), membership=cast.viewer)
    alex = client_for(cast.alex)

    by_sam = alex.get(_timeline(cast, person=cast.sam.pk))
    by_vic = alex.get(_timeline(cast, person=cast.vic.pk))

    assert {row.entry.kind for row in by_sam.context["rows"]} == {
        "member.joined",
        "consent.given",
    }
    assert all(row.actor_name == "Sam" for row in by_sam.context["rows"])
    assert [row.summary for row in by_vic.context["rows"]] == [
        "Vic (Viewer) left the family",
        "Vic joined as Viewer",
    ]
    people = [label for _, label in by_vic.context["form"].fields["person"].choices]
    assert people == ["Everyone", "Alex", "Morgan", "Sam", "Vic"]


def test_filter_by_utc_dates_includes_both_days(cast):
    _rename_leo(cast, 1, at=datetime(2024, 3, 1, 23, 59, 59, tzinfo=UTC))
    _rename_leo(cast, 1, at=datetime(2024, 3, 2, 0, 0, 0, tzinfo=UTC))
    _rename_leo(cast, 1, at=datetime(2024, 3, 3, 23, 59, 59, 999999, tzinfo=UTC))
    _rename_leo(cast, 1, at=datetime(2024, 3, 4, 0, 0, 0, tzinfo=UTC))
    alex = client_for(cast.alex)

    response = alex.get(_timeline(cast, date_from="2024-03-02", date_to="2024-03-03"))
    one_day = alex.get(_timeline(cast, date_from="2024-03-01", date_to="2024-03-01"))

    assert [row.entry.at for row in response.context["rows"]] == [
        "2024-03-03T23:59:59.999999Z",
        "2024-03-02T00:00:00.000000Z",
    ]
    assert [row.entry.at for row in one_day.context["rows"]] == ["2024-03-01T23:59:59.000000Z"]


def test_filters_combine(cast):
    _rename_leo(cast, 2, by=cast.sam, at=datetime(2024, 3, 2, 12, tzinfo=UTC))
    _rename_leo(cast, 1, by=cast.alex, at=datetime(2024, 3, 2, 13, tzinfo=UTC))

    response = client_for(cast.alex).get(
        _timeline(
            cast,
            kind="child.changed",
            person=cast.sam.pk,
            date_from="2024-03-02",
            date_to="2024-03-02",
        )
    )

    assert [row.summary for row in response.context["rows"]] == [
        "Child details changed: name from “Leo 0” to “Leo 1”",
        "Child details changed: name from “Leo” to “Leo 0”",
    ]
    assert all(row.actor_name == "Sam" for row in response.context["rows"])


def test_nothing_matching_says_so(cast):
    response = client_for(cast.alex).get(_timeline(cast, kind="consent.withdrawn"))
    assert response.context["rows"] == []
    assert "No entry matches these filters." in response.content.decode()


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"date_from": "2024-03-05", "date_to": "2024-03-01"}, "date_to", "on or after"),
        ({"date_from": "2024-02-30"}, "date_from", "valid date"),
        ({"date_to": "x" * 10_000}, "date_to", "valid date"),
        ({"kind": "made.up"}, "kind", "valid choice"),
        ({"person": "not-a-number"}, "person", "valid choice"),
    ],
    ids=["from-after-to", "no-such-day", "10k-date", "unknown-kind", "garbled-person"],
)
def test_bad_filters_get_field_errors_and_no_list(cast, query, field, message):
    response = client_for(cast.alex).get(_timeline(cast, **query))

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert f'id="id_{field}_error"' in response.content.decode()
    assert response.context["rows"] is None
    assert "Correct the filters above" in response.content.decode()


def test_a_person_from_another_family_is_not_a_choice(cast):
    response = client_for(cast.alex).get(_timeline(cast, person=cast.olivia.pk))
    assert "valid choice" in " ".join(response.context["form"].errors["person"])


def test_the_last_possible_day_does_not_break_the_page(cast):
    response = client_for(cast.alex).get(_timeline(cast, date_to="2198-12-31"))
    assert response.status_code == 200
    assert len(response.context["rows"]) == RecordEntry.objects.filter(family=cast.family).count()


def test_a_day_beyond_the_accepted_years_is_a_field_error(cast):
    response = client_for(cast.alex).get(_timeline(cast, date_to="9999-12-31"))
    assert response.status_code == 200
    assert response.context["form"].errors["date_to"] == [
        "Enter a date between 1901-01-01 and 2198-12-31."
    ]
    assert response.context["rows"] is None


def test_the_record_comes_fifty_entries_a_page_with_the_filters_kept(cast):
    _rename_leo(cast, 60)
    alex = client_for(cast.alex)
    total = RecordEntry.objects.filter(family=cast.family, kind="child.changed").count()

    first = alex.get(_timeline(cast, kind="child.changed"))
    second = alex.get(_timeline(cast, kind="child.changed", page=2))
    beyond = alex.get(_timeline(cast, kind="child.changed", page="999"))

    assert total == 60
    assert len(first.context["rows"]) == 50
    assert len(second.context["rows"]) == 10
    assert _seqs(first)[-1] > _seqs(second)[0]
    assert "?kind=child.changed&amp;page=2" in first.content.decode()
    assert "?kind=child.changed&amp;page=1" in second.content.decode()
    assert _seqs(beyond) == _seqs(second)


def test_the_timeline_queries_do_not_grow_with_the_record(cast, django_assert_num_queries):
    url = _timeline(cast)
    # 1 membership with its family and user (the access path), 2 the family's people for the
    # person filter, 3 the count of matching entries, 4 this page of entries with their actors,
    # 5 the homes of the parents in safe mode (records.disclosure), 6 the header's unread
    # notifications.
    with django_assert_num_queries(6):
        call_view(cast.alex, url)
    _rename_leo(cast, 30)
    _rename_leo(cast, 30, by=cast.sam)
    with django_assert_num_queries(6):
        response = call_view(cast.alex, url)
    assert response.content.decode().count("<tr>") == 51  # the header row and fifty entries


def test_the_whole_request_does_not_grow_with_the_record(cast):
    client = client_for(cast.sam)
    client.get(_timeline(cast))
    with CaptureQueriesContext(connection) as before:
        client.get(_timeline(cast))
    _rename_leo(cast, 30)
    with CaptureQueriesContext(connection) as after:
        client.get(_timeline(cast))
    assert len(after) == len(before)


# --- Summaries --------------------------------------------------------------------------------


FOUNDATION = {"family", "member", "consent", "child", "record"}


def test_every_kind_of_entry_has_a_readable_summary(cast):
    access = cast.access(cast.alex)
    services.invitation_cancel(
        access=access,
        invitation=invite(access, "gran@example.org", "viewer").invitation,
    )
    services.consent_withdraw(access=cast.access(cast.sam), professional=cast.mediator)
    services.membership_end(access=access, membership=cast.mediator)
    services.child_update(
        access=access, child=cast.mia, name="Mia R", date_of_birth=date(2016, 5, 3)
    )
    record_export(access=access, file_format="pdf", date_to=date(2030, 1, 1))
    services.family_zone_set(access=access, timezone_name="Europe/Paris")

    # Oldest first, so that each kind keeps the summary of its newest entry.
    summaries = {e.kind: entry_summary(e) for e in record_entries(access).order_by("seq")}

    # Every kind the foundation records appeared above; every kind any app records has a
    # summary registered, so no page falls back to raw fields for a known kind.
    assert set(summaries) == {k for k in Kind.values if k.split(".")[0] in FOUNDATION}
    assert set(Kind.values) <= set(SUMMARIES)
    assert summaries["record.exported"] == "Record exported as PDF: … – Jan 1, 2030 (UTC)"
    assert summaries["family.zone_changed"] == (
        "The family's times are now shown in Europe/Paris (before: UTC)"
    )
    assert summaries["member.invitation_cancelled"] == "Invitation to gran@example.org cancelled"
    assert summaries["consent.withdrawn"] == "Consent withdrawn for Morgan"
    assert summaries["member.left"] == "Morgan (Professional) was removed from the family"
    assert summaries["child.changed"] == (
        "Child details changed: name from “Mia” to “Mia R”; "
        "date of birth from “2016-05-02” to “2016-05-03”"
    )
    assert summaries["member.invited"] == "gran@example.org invited as Viewer"


def test_a_kind_without_a_summary_still_shows_its_facts():
    entry = RecordEntry(
        kind="exchange.checkin", data={"place": "School gate", "late": True, "nested": {"skip": 1}}
    )
    assert entry_summary(entry) == "place: School gate; late: True"


def test_an_entry_from_someone_who_left_keeps_their_name(cast):
    gran = UserFactory(display_name="Gran")
    join(cast.access(cast.alex), gran)
    services.membership_end(access=cast.access(gran), membership=cast.access(gran).membership)

    rows = client_for(cast.alex).get(_timeline(cast, person=gran.pk)).context["rows"]

    assert [row.actor_name for row in rows] == ["Gran", "Gran"]
