"""Twin requests: one `Idempotency-Key` twice at the same instant (a phone that retries before
the first answer arrives, a double tap, a proxy that resends). For every service that takes a
key (and the record's export, whose key the API takes), both twins get the same thing back,
one thing is made, one record entry and one key are kept, and neither twin gets a server
error. The services that check before writing (documents,
exchange notes and pickup passes, the info bank, requests, counter-proposals and comments) used
to answer the twin that lost with an IntegrityError (a 500).

Real threads, released together by a barrier once both have looked for their key: the race is
that neither has written yet. On PostgreSQL each thread has its own connection: the one that
loses waits on the winner's key (or on the row it locked) until the winner commits. On SQLite
writers take turns (IMMEDIATE transactions), and the in-memory test database refuses a second
writer instead of waiting, so the threads take the test's own connection in turns, as SQLite's
write lock would give it to them: both look, then one writes, then the other.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connections
from django.db.models import Model

from coparent.agreements import services as agreements
from coparent.agreements.models import ClauseVersion
from coparent.api.export_jobs import record_export_once
from coparent.core.schedule import local_midnight
from coparent.documents.models import Document
from coparent.documents.services import document_add
from coparent.exchanges import selectors as exchange_selectors
from coparent.exchanges.models import Note, PickupPass
from coparent.exchanges.services import note_add, pass_issue
from coparent.expenses import services as expenses
from coparent.expenses.models import Expense, Payment, ReimbursementRequest
from coparent.expenses.services import payment_record_once, reimbursement_ask_once
from coparent.families.services import family_zone_set
from coparent.infobank.models import InfoItem
from coparent.infobank.services import item_add
from coparent.journal.models import Entry
from coparent.journal.models import ExportJob as JournalExportJob
from coparent.journal.services import entry_write_once, journal_export_once
from coparent.messaging import attachments
from coparent.messaging.attachments import IncomingFile
from coparent.messaging.idempotency import Once
from coparent.messaging.models import IdempotencyKey, Message
from coparent.messaging.services import message_send_once, thread_start, thread_start_once
from coparent.records.models import ExportJob, Kind, RecordEntry
from coparent.requests import services as requests
from coparent.requests.models import Comment, Request
from coparent.schedule.selectors import schedule_of
from coparent.schedule.services import plan_accept, plan_propose
from tests.agreements.conftest import signed
from tests.conftest import build_cast
from tests.expenses.conftest import yesterday
from tests.messaging.conftest import PDF_BYTES
from tests.requests.test_races import _triggers_back, racing  # noqa: F401  (the fixtures)
from tests.schedule.conftest import CHICAGO, plan_data

KEY = "twin-7d0c"


class Twins:
    """Runs one action in two threads at once, each past its look for the key before either
    goes on; what each returned, or the exception it raised."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, *, shared: bool) -> None:
        self.monkeypatch, self.shared = monkeypatch, shared

    def run(self, action: Callable[[], object]) -> list[object]:
        gate = threading.Barrier(2, timeout=30)
        turn = threading.Lock()  # SQLite's write lock, as the threads share one connection
        mine = threading.local()
        real_first = Once.first

        def first(once: Once) -> str | None:
            found = real_first(once)
            if not getattr(mine, "looked", False):  # the request's own look, not a nested one
                mine.looked = True
                self._let_go(turn, mine)
                gate.wait()
                self._take(turn, mine)
            return found

        self.monkeypatch.setattr(Once, "first", first)
        main = connections["default"]
        results: list[object] = [None, None]

        def twin(n: int) -> None:
            if self.shared:
                connections["default"] = main
                self._take(turn, mine)
            try:
                results[n] = action()
            except Exception as error:  # noqa: BLE001  # what a twin got is the finding
                results[n] = error
            finally:
                self._let_go(turn, mine)
                if not self.shared:
                    connections.close_all()

        if self.shared:
            main.inc_thread_sharing()
        try:
            threads = [threading.Thread(target=twin, args=(n,)) for n in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
        finally:
            if self.shared:
                main.dec_thread_sharing()
            self.monkeypatch.setattr(Once, "first", real_first)
        return results

    def _take(self, turn: threading.Lock, mine: threading.local) -> None:
        if self.shared:
            turn.acquire()
            mine.holding = True

    def _let_go(self, turn: threading.Lock, mine: threading.local) -> None:
        if self.shared and getattr(mine, "holding", False):
            mine.holding = False
            turn.release()


# On PostgreSQL committed rows, which the threads' own connections see (and the append-only
# tables emptied after the test); on SQLite the test's own transaction, which they share.
ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
pytestmark = pytest.mark.usefixtures("racing") if ON_POSTGRESQL else pytest.mark.django_db


@pytest.fixture
def twins(monkeypatch: pytest.MonkeyPatch, settings: Any, tmp_path: Path) -> Twins:
    settings.MEDIA_ROOT = tmp_path / "uploads"  # "no file left behind" sees this test's alone
    return Twins(monkeypatch, shared=not ON_POSTGRESQL)


# --- what each service needs, and the twin post --------------------------------------------------


def _soon() -> date:
    return datetime.now(ZoneInfo(CHICAGO)).date() + timedelta(days=3)


def _planned(cast: Any) -> Any:
    """The Riveras' 2-2-3 plan in force from a few days ahead, in Chicago."""
    family_zone_set(access=cast.access(cast.alex), timezone_name=CHICAGO)
    version = plan_propose(access=cast.access(cast.alex), plan=plan_data(), effective_from=_soon())
    plan_accept(access=cast.access(cast.sam), version=version)
    return cast


def _first_exchange(cast: Any) -> datetime:
    start = local_midnight(ZoneInfo(CHICAGO), _soon())
    (row, *_rest) = exchange_selectors.exchanges_between(
        cast.access(cast.alex), start, start + timedelta(days=8)
    )
    return row.planned_at


def _alexs_stay(cast: Any) -> tuple[datetime, datetime]:
    planned = _first_exchange(cast)
    segments, _ = schedule_of(cast.access(cast.alex)).expand(planned, planned + timedelta(days=14))
    mine = next(s for s in segments if s.parent == "A" and s.end - s.start >= timedelta(hours=8))
    return mine.start, mine.end


def _swap_asked_by_alex(cast: Any) -> Request:
    return requests.request_make(access=cast.access(cast.alex), **request(cast))


def _school_trip(cast: Any) -> Expense:
    """200 EUR Alex spent on Mia's school trip: Sam's share is 100."""
    return expenses.expense_add(
        access=cast.access(cast.alex),
        spent_on=yesterday(),
        amount="200.00",
        currency="EUR",
        category="school",
        description="School trip",
        children=[cast.mia.pk],
    )


# What each twin sends, after whatever the family needs first (set up once, before the twins);
# the function's name is its case's id.


def document(cast: Any) -> dict[str, Any]:
    return {
        "title": "School report",
        "dated": date(2026, 6, 30),
        "category": "school_report",
        "children": [cast.mia.pk],
        "file": IncomingFile("report.pdf", PDF_BYTES),
    }


def exchange_note(cast: Any) -> dict[str, Any]:
    planned = _first_exchange(_planned(cast))
    return {
        "planned_at": planned,
        "text": "Handed over at the school gate, 18:05.",
        "photos": [IncomingFile("gate.pdf", PDF_BYTES)],
        "at": planned,
    }


def pickup_pass(cast: Any) -> dict[str, Any]:
    start, _end = _alexs_stay(_planned(cast))
    return {
        "children": [cast.mia.pk],
        "start": start + timedelta(hours=1),
        "end": start + timedelta(hours=6),
        "at": start - timedelta(days=1),
    }


def info_item(cast: Any) -> dict[str, Any]:
    return {"child": cast.mia, "kind": "sizes", "values": {"shoes": "EU 29"}}


def request(cast: Any) -> dict[str, Any]:
    return {
        "kind": "school",
        "title": "Parents' evening",
        "details": "Can you go on Thursday?",
        "children": [cast.mia],
    }


def counter_proposal(cast: Any) -> dict[str, Any]:
    """The twin that loses finds the request countered already (by its twin), under the row
    lock: it used to be told "no longer waiting" (409) for its own counter-proposal."""
    return {"request": _swap_asked_by_alex(cast), "details": "Friday instead?"}


def comment(cast: Any) -> dict[str, Any]:
    return {"request": _swap_asked_by_alex(cast), "text": "Which room?"}


def conversation(cast: Any) -> dict[str, Any]:
    return {"subject": "Dentist", "topic": "health", "body": "Tuesday at 4?"}


def reply(cast: Any) -> dict[str, Any]:
    thread = thread_start(access=cast.access(cast.alex), **conversation(cast)).thread
    return {"thread": thread, "body": "Yes, I'll take her."}


def clause(cast: Any) -> dict[str, Any]:
    return {"topic": "other", "title": "Bedtimes", "body": "Bedtime is 20:00."}


def clause_change(cast: Any) -> dict[str, Any]:
    """The twin that loses finds a change of the clause waiting already (its twin's) and used
    to be refused: "a change is already waiting for signatures"."""
    signed_clause = signed(cast).clause
    return {"clause": signed_clause, "title": "Bedtimes", "body": "Bedtime is 20:30 on Fridays."}


def expense(cast: Any) -> dict[str, Any]:
    return {
        "spent_on": yesterday(),
        "amount": "40.00",
        "currency": "EUR",
        "category": "school",
        "description": "School trip",
        "children": [cast.mia.pk],
    }


def ask_for_the_whole_share(cast: Any) -> dict[str, Any]:
    """Alex asks for Sam's whole share: the twin that loses finds it asked already."""
    return {"expense": _school_trip(cast)}


def payment_of_all_that_is_owed(cast: Any) -> dict[str, Any]:
    """Sam pays the whole 100 he owes: the twin that loses finds nothing left owed (its twin
    paid it) and used to be refused as an overpayment."""
    asked = expenses.reimbursement_ask(access=cast.access(cast.alex), expense=_school_trip(cast))
    expenses.reimbursement_answer(access=cast.access(cast.sam), request=asked, decision="accept")
    return {
        "direction": "sent",
        "amount": "100.00",
        "currency": "EUR",
        "paid_on": yesterday(),
        "method": "transfer",
    }


def journal_entry(cast: Any) -> dict[str, Any]:
    return {"text": "Mia slept badly."}


def record_export(cast: Any) -> dict[str, Any]:
    """Alex's script asks for the court bundle twice at once: one job, and one
    `record.exported` entry for Sam to read, not two."""
    return {"file_format": "pdf", "kinds": [Kind.CHILD_ADDED]}


def journal_export(cast: Any) -> dict[str, Any]:
    return {"file_format": "json"}


@dataclass(frozen=True)
class Case:
    """One keyed service as a person calls it twice at once: `who` of the cast sends what
    `sends(cast)` says to `service`, with the same key; it makes one `made`, recorded as `kind`
    (None for the private journal, which keeps nothing there)."""

    sends: Callable[[Any], dict[str, Any]]
    who: str
    service: Callable[..., object]
    made: type[Model]
    kind: str | None
    answer: str | None = None  # where the service's answer holds what it made ("message")
    files: int = 0  # the files the first keeps (a document's, a note's photo)

    def twin(self, cast: Any) -> Callable[[], object]:
        sent = self.sends(cast)

        def post() -> object:
            # Each twin finds its member afresh, as each request does.
            access = cast.access(getattr(cast, self.who))
            got = self.service(access=access, idempotency_key=KEY, **sent)
            return getattr(got, self.answer) if self.answer else got

        return post


PROPOSED, ASKED, PAID = (
    Kind.AGREEMENT_CLAUSE_PROPOSED,
    Kind.REIMBURSEMENT_ASKED,
    Kind.PAYMENT_RECORDED,
)
CASES = [
    Case(document, "alex", document_add, Document, Kind.DOCUMENT_ADDED, files=1),
    Case(exchange_note, "alex", note_add, Note, Kind.EXCHANGE_NOTE, files=1),
    Case(pickup_pass, "alex", pass_issue, PickupPass, Kind.PASS_ISSUED),
    Case(info_item, "alex", item_add, InfoItem, Kind.INFO_ADDED),
    Case(request, "alex", requests.request_make, Request, Kind.REQUEST_MADE),
    Case(counter_proposal, "sam", requests.request_counter, Request, Kind.REQUEST_COUNTERED),
    Case(comment, "sam", requests.request_comment, Comment, Kind.REQUEST_COMMENTED),
    Case(conversation, "alex", thread_start_once, Message, Kind.MESSAGE_SENT, "message"),
    Case(reply, "sam", message_send_once, Message, Kind.MESSAGE_SENT, "message"),
    Case(clause, "alex", agreements.clause_propose_once, ClauseVersion, PROPOSED, "version"),
    Case(clause_change, "alex", agreements.clause_amend_once, ClauseVersion, PROPOSED, "version"),
    Case(expense, "alex", expenses.expense_add_once, Expense, Kind.EXPENSE_ADDED, "obj"),
    Case(
        ask_for_the_whole_share, "alex", reimbursement_ask_once, ReimbursementRequest, ASKED, "obj"
    ),
    Case(payment_of_all_that_is_owed, "sam", payment_record_once, Payment, PAID, "obj"),
    Case(journal_entry, "alex", entry_write_once, Entry, None, "entry"),
    Case(record_export, "alex", record_export_once, ExportJob, Kind.RECORD_EXPORTED, "made"),
    Case(journal_export, "alex", journal_export_once, JournalExportJob, None, "made"),
]


def _files() -> Iterator[str]:
    folder = attachments.storage_dir()
    return (p.name for p in folder.rglob("*") if p.is_file()) if folder.exists() else iter(())


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.sends.__name__)
def test_twin_posts_with_one_key_get_one_thing_and_no_error(twins: Twins, case: Case) -> None:
    cast = build_cast()
    twin = case.twin(cast)
    made_before = case.made.objects.filter(family=cast.family).count()
    entries_before = RecordEntry.objects.filter(family=cast.family, kind=case.kind).count()

    got = twins.run(twin)

    assert not [r for r in got if isinstance(r, BaseException)], got
    first, second = (r for r in got if isinstance(r, Model))
    assert first.pk == second.pk
    assert case.made.objects.filter(family=cast.family).count() == made_before + 1
    entries = RecordEntry.objects.filter(family=cast.family, kind=case.kind).count()
    assert entries == entries_before + (1 if case.kind else 0)
    assert IdempotencyKey.objects.filter(family=cast.family).count() == 1
    # The twin that lost leaves none of its files behind (documents, notes' photos).
    assert len(list(_files())) == case.files


def test_twins_with_bad_input_both_get_their_field_errors(twins: Twins) -> None:
    """Nothing valid to replay: each twin is told what to correct, whatever the key."""
    cast = build_cast()

    got = twins.run(
        lambda: requests.request_make(
            access=cast.access(cast.alex),
            kind="school",
            title="",
            children=[cast.mia],
            idempotency_key=KEY,
        )
    )

    assert [type(r) for r in got] == [requests.RequestProblem] * 2
    assert [r.message_dict for r in got if isinstance(r, requests.RequestProblem)] == [
        {"title": ["Give it a title."]}
    ] * 2
    assert not Request.objects.filter(family=cast.family).exists()
    assert not IdempotencyKey.objects.exists()
