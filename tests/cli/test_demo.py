"""`coparent demo`: two families with a year of history, ready to log in to and call the API."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from coparent.cli import main
from coparent.cli.demo import serve_demo
from coparent.cli.demo_data import DEMO_PASSWORD, build_demo
from coparent.core.record.verify import verify_document
from coparent.families.models import Invitation, Membership, Role
from coparent.families.selectors import professional_has_access
from coparent.records.export import build_export
from coparent.records.models import RecordEntry

NOW = datetime(2027, 3, 14, 15, 0, tzinfo=UTC)


@pytest.fixture
def demo(db):
    return build_demo(now=NOW)


def test_the_demo_makes_two_families_each_with_two_parents_and_two_children(demo):
    assert len(demo) == 2
    for family in demo:
        roles = [u.role for u in family.users]
        assert roles.count("parent") == 2
        assert family.family.children.count() == 2
    assert [u.role for u in demo[0].users] == ["parent", "parent", "professional", "viewer"]


def test_the_first_familys_mediator_sees_the_family_with_both_parents_consent(demo):
    mediator = Membership.objects.get(family=demo[0].family, role=Role.PROFESSIONAL)

    assert mediator.professional_kind == "mediator"
    assert mediator.consents.filter(withdrawn_at__isnull=True).count() == 2
    assert professional_has_access(mediator)


def test_the_demo_history_spans_about_a_year_in_order(demo):
    for family in demo:
        ats = list(
            RecordEntry.objects.filter(family=family.family)
            .order_by("seq")
            .values_list("at", flat=True)
        )
        assert ats == sorted(ats), "entries are appended in the order the story happened"
        first = datetime.fromisoformat(ats[0].replace("Z", "+00:00"))
        assert NOW - timedelta(days=370) < first < NOW - timedelta(days=330)
        assert datetime.fromisoformat(ats[-1].replace("Z", "+00:00")) < NOW


def test_the_demo_history_has_joins_consent_a_change_and_a_cancelled_invitation(demo):
    kinds = set(RecordEntry.objects.filter(family=demo[0].family).values_list("kind", flat=True))
    assert {
        "family.created",
        "child.added",
        "member.invited",
        "member.joined",
        "consent.given",
        "child.changed",
        "member.invitation_cancelled",
    } <= kinds
    assert Invitation.objects.filter(
        family=demo[0].family, status=Invitation.Status.CANCELLED
    ).exists()


def test_every_demo_record_verifies(demo):
    for family in demo:
        document = json.loads(json.dumps(build_export(family=family.family)))
        verdict = verify_document(document)
        assert verdict.ok, verdict.reason


def test_each_run_makes_new_families_with_new_usernames(demo):
    again = build_demo(now=NOW)

    first = {u.user.email for f in demo for u in f.users}
    second = {u.user.email for f in again for u in f.users}
    assert len(first) == len(second) == 8
    assert not first & second
    assert not {f.family.pk for f in demo} & {f.family.pk for f in again}


def test_demo_accounts_have_a_confirmed_email_and_the_published_password(demo):
    for member in (u for f in demo for u in f.users):
        assert member.user.email_confirmed
        assert member.user.check_password(DEMO_PASSWORD)


def test_demo_json_has_the_fixed_shape_and_every_token_works_on_the_api(db, capsys):
    assert main(["demo", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)

    assert set(printed) == {"families"}
    assert len(printed["families"]) == 2
    for family in printed["families"]:
        assert set(family) == {"id", "name", "users"}
        for user in family["users"]:
            assert set(user) == {"username", "password", "token", "role"}
            assert user["role"] in {"parent", "professional", "viewer"}
            answer = Client().get(
                "/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {user['token']}", secure=True
            )
            assert answer.status_code == 200, answer.content
            assert answer.json()["email"] == user["username"]


def test_a_parent_token_reaches_the_family_through_the_api(db, capsys):
    main(["demo", "--json"])
    family = json.loads(capsys.readouterr().out)["families"][0]
    parent = next(u for u in family["users"] if u["role"] == "parent")

    answer = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {parent['token']}", secure=True)

    assert family["id"] in {f["id"] for f in answer.json()["families"]}


def test_the_readable_demo_summary_names_each_person_and_the_password(db, capsys):
    assert main(["demo"]) == 0
    out = capsys.readouterr().out

    assert DEMO_PASSWORD in out
    assert "Martin-Lopez family" in out and "Nguyen-Brooks family" in out
    assert out.count("API token: cpt_") == 8


def test_the_demo_queues_no_emails_to_its_invented_people(db, mailoutbox):
    """Issue #8: a year of invented history queued 159 notification emails, which the worker
    then printed over the demo logins at `make run`."""
    build_demo(now=NOW)
    assert mailoutbox == []


def test_serve_shows_the_demo_logins_at_its_real_address_and_where_they_are_kept(
    db, settings, tmp_path, capsys
):
    settings.DATA_DIR = tmp_path
    kept = tmp_path / "demo-logins.txt"

    assert serve_demo("http://127.0.0.1:8123") == kept
    first = capsys.readouterr().out
    assert "Log in at http://127.0.0.1:8123/accounts/login/ as any of these people," in first
    assert f"(These demo logins are kept in {kept}.)" in first
    assert oct(kept.stat().st_mode & 0o777) == "0o600"

    # The next `make run`, on another port (PORT=8456): the same people, this run's address.
    assert serve_demo("http://127.0.0.1:8456") == kept
    again = capsys.readouterr().out
    assert "Log in at http://127.0.0.1:8456/accounts/login/" in again
    assert ":8123" not in again
    people = [line for line in first.splitlines() if line.startswith("  ")]
    assert len(people) == 10  # two families: their names and eight people
    assert people == [line for line in again.splitlines() if line.startswith("  ")]


def test_the_demo_has_a_year_of_exchanges_and_a_pickup_pass(demo):
    from coparent.exchanges.models import CheckIn, Note, PickupPass

    for family in demo:
        taps = CheckIn.objects.filter(family=family.family)
        assert taps.count() > 100, "a year of hand-overs, tapped"
        notes = Note.objects.filter(family=family.family).values_list("text", flat=True)
        assert any("Denied entry at the gate" in text for text in notes)
        assert sum("Nobody came to the exchange" in text for text in notes) == 2
        assert taps.filter(at_place=True).exists(), "the school marked, taps judged against it"
    assert PickupPass.objects.filter(family=demo[0].family).count() == 1


def test_each_demo_family_has_a_year_of_requests_in_every_state(demo):
    from coparent.requests.models import Request
    from coparent.schedule.models import ScheduleChange

    for family in demo:
        rows = Request.objects.filter(family=family.family)
        states = set(rows.values_list("status", flat=True))
        assert states == {"approved", "declined", "countered", "withdrawn", "expired", "pending"}
        assert rows.get(kind="social_media").status == "declined"
        trip, counter = rows.filter(kind="trip").order_by("created_at")
        assert (trip.status, counter.status, counter.counter_of_id) == (
            "countered",
            "approved",
            trip.pk,
        )
        # The approved swap and the approved counter-proposal's trip are on the calendar.
        assert ScheduleChange.objects.filter(family=family.family).count() == 2


def test_each_demo_parent_keeps_a_private_journal_some_of_it_shared_with_the_mediator(demo):
    from coparent.core.record.verify_journal import verify_journal
    from coparent.families.selectors import get_family_access
    from coparent.journal.export import build_journal
    from coparent.journal.models import Entry, Share, Version

    for family in demo:
        parents = Membership.objects.filter(family=family.family).active().parents()
        for seat in parents:
            assert Entry.objects.filter(family=family.family, author=seat.user).count() == 12
            document = build_journal(get_family_access(seat.user, family.family.pk))
            assert verify_journal(document).ok
        assert Version.objects.filter(family=family.family, number=2).exists(), "corrected"
    assert Share.objects.filter(family=demo[0].family).count() >= 4
    assert not Share.objects.filter(family=demo[1].family).exists()


def test_every_demo_child_has_a_filled_info_bank_with_history_by_both_parents(demo):
    from coparent.infobank.models import InfoItem, InfoItemVersion

    for family in demo:
        for child in family.family.children.all():
            kinds = set(InfoItem.objects.filter(child=child).values_list("kind", flat=True))
            assert {"school", "doctor", "emergency_contact", "sizes", "identity"} <= kinds
            assert kinds & {"allergy", "medicine"}
        versions = InfoItemVersion.objects.filter(family=family.family)
        assert versions.filter(n__gt=1).exists(), "some items changed over the year"
        assert versions.values("set_by").distinct().count() == 2, "both parents write"
        # Not a flood: a few dozen entries in a year's record.
        assert versions.count() < 70


def test_each_demo_family_has_a_year_of_expenses_a_dispute_and_partial_payments(demo):
    from coparent.expenses import selectors
    from coparent.expenses.models import (
        Answer,
        Expense,
        Payment,
        PaymentConfirmation,
        Recurrence,
    )
    from coparent.families.selectors import get_family_access

    for family in demo:
        expenses = Expense.objects.filter(family=family.family)
        fees = expenses.filter(description="Swimming club, monthly fee").count()
        assert fees >= 10, "the swimming club's fee, month after month"
        # Logged once with "repeat every month"; every later month came from the recurrence.
        (recurrence,) = Recurrence.objects.filter(family=family.family)
        assert recurrence.runs.count() == fees - 1
        assert not recurrence.stopped
        decisions = set(
            Answer.objects.filter(family=family.family).values_list("decision", flat=True)
        )
        assert decisions == {"accept", "part", "dispute"}
        payments = Payment.objects.filter(family=family.family)
        assert payments.count() >= 3
        assert PaymentConfirmation.objects.filter(family=family.family).count() >= 1
        parent = next(u for u in family.users if u.role == "parent")
        access = get_family_access(parent.user, family.family.pk)
        view = selectors.balance_of(access)
        assert view.lines and view.sentences()
