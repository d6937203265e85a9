"""Tenancy and roles on every family operation (STYLE.md 11): Olivia, the outsider, gets the
same 404 as for a family that does not exist; the mediator and the viewer read what their role
allows and get 403 for the rest. The setup is shared, so a 404 or a 403 cannot pass because the
request was malformed: each row's request succeeds for Alex."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from coparent.agreements.services import clause_propose, clause_sign
from coparent.documents.services import document_add
from coparent.events.services import event_add
from coparent.exchanges.selectors import exchanges_between
from coparent.exchanges.services import pass_issue
from coparent.expenses.services import expense_add, payment_record, reimbursement_ask
from coparent.families import services
from coparent.families.models import Membership
from coparent.infobank.services import item_add
from coparent.journal.services import entry_share, entry_write, journal_export
from coparent.journal.tasks import run_journal_export
from coparent.messaging.attachments import IncomingFile
from coparent.messaging.services import thread_start
from coparent.records.services import record_export
from coparent.records.tasks import run_export_job
from coparent.requests.services import request_make
from coparent.schedule.models import PlanVersion
from coparent.schedule.selectors import schedule_of
from coparent.schedule.services import plan_accept, plan_propose, plan_withdraw
from tests.api.conftest import fill, operations
from tests.factories import UserFactory

CHILD = {"name": "Noa", "date_of_birth": "2024-02-29"}
INVITE = {"email": "new@example.org", "role": "viewer"}
THREAD = {"subject": "Pickup", "topic": "school", "body": "Friday at 15:00?"}
REPLY = {"body": "Yes, 15:00."}
PLAN = {
    "timezone": "America/Chicago",
    "parents": ["Alex", "Sam"],
    "start": "2040-01-02",
    "exchange_time": "18:00",
    "pattern": "2-2-3",
}
# While Sam's change waits for an answer, a new proposal is refused (400) — a well-formed
# request all the same, which is what Alex's answer proves here.
PROPOSAL = {"plan": PLAN, "effective_from": "2040-01-01"}
PREVIEW = {"plan": PLAN, "from": "2040-01-01", "to": "2040-03-01"}
DECLINE = {"reason": "Weeks are too long for Leo"}
CLAUSE = {"topic": "holidays", "title": "Holiday plans", "body": "Shared 30 days ahead."}
AMEND = {"title": "Holiday plans", "body": "Shared 45 days ahead."}
AGREEMENT = "/api/v1/families/{family_id}/agreement"
# An all-day event; `children` is filled in from the ids (Mia) when the row runs.
EVENT = {"title": "School play", "kind": "school", "all_day": True, "start_date": "2040-06-20"}
# A request of Alex's; `children` is filled in (Mia) like the event's.
REQUEST = {"kind": "activity", "title": "Swimming lessons", "children": []}

TAP = {"step": "arrived"}
NOTE = {"text": "On time."}
# Filled in when the row runs: Mia, in the first stretch the 2040 plan gives Alex.
PASS = {"children": [], "starts_at": "", "ends_at": ""}
DOCUMENT = {"title": "School report", "date": "2026-04-10", "category": "school_report"}

# Alex's private journal: only its author reads and writes it; Morgan reads the entry Alex
# shared with them under …/journal/shared; Vic has no journal. Sam's 404: tests/journal.
JOURNAL = {"text": "Sam was late at the gate.", "tags": ["exchange"]}
# Filled in when the row runs: Morgan's seat.
JOURNAL_SHARE = {"professional": ""}
JOURNAL_PATH = "/api/v1/families/{family_id}/journal"

# The info bank: an allergy Alex adds, and Mia's passport (Alex's, in the setup) changed.
INFO_ITEM = {"kind": "allergy", "values": {"allergen": "Peanuts", "severity": "severe"}}
INFO_CHANGE = {"values": {"document": "passport", "number": "NXC4PR7Q2", "country": "BE"}}
INFO = "/api/v1/families/{family_id}/info/{item_id}"
CHILD_INFO = "/api/v1/families/{family_id}/children/{child_id}"

# A parent's own home address, kept private from everyone else (safe mode; docs/safety.md).
HOME = {"address": "742 Evergreen Terrace", "safe_mode": True}

# (method, path template, body, answers for Alex, Morgan the mediator, Vic the viewer).
# Alex's row is the proof that the request itself is well formed.
FAMILY_OPERATIONS = [
    ("GET", "/api/v1/families/{family_id}", None, 200, 200, 200),
    ("PATCH", "/api/v1/families/{family_id}", {"timezone": "Europe/Lisbon"}, 200, 403, 403),
    ("GET", "/api/v1/families/{family_id}/home", None, 200, 403, 403),
    ("PUT", "/api/v1/families/{family_id}/home", HOME, 200, 403, 403),
    ("GET", "/api/v1/families/{family_id}/children", None, 200, 200, 200),
    ("POST", "/api/v1/families/{family_id}/children", CHILD, 201, 403, 403),
    ("GET", "/api/v1/families/{family_id}/children/{child_id}", None, 200, 200, 200),
    ("PATCH", "/api/v1/families/{family_id}/children/{child_id}", {"name": "M"}, 200, 403, 403),
    ("GET", "/api/v1/families/{family_id}/members", None, 200, 200, 403),
    ("POST", "/api/v1/families/{family_id}/members/{member_id}/consent", None, 201, 403, 403),
    ("DELETE", "/api/v1/families/{family_id}/members/{member_id}/consent", None, 204, 403, 403),
    ("DELETE", "/api/v1/families/{family_id}/members/{member_id}", None, 204, 403, 403),
    ("GET", "/api/v1/families/{family_id}/invitations", None, 200, 200, 403),
    ("POST", "/api/v1/families/{family_id}/invitations", INVITE, 201, 403, 403),
    ("DELETE", "/api/v1/families/{family_id}/invitations/{invitation_id}", None, 204, 403, 403),
    ("GET", "/api/v1/families/{family_id}/record", None, 200, 200, 403),
    ("GET", "/api/v1/families/{family_id}/record/checkpoint", None, 200, 200, 403),
    # A record export: the job is its asker's (Alex's), so Morgan gets the 404 of a missing one.
    ("POST", "/api/v1/families/{family_id}/record/exports", {"file_format": "json"}, 202, 202, 403),
    ("GET", "/api/v1/families/{family_id}/record/exports/{job_id}", None, 200, 404, 403),
    ("GET", "/api/v1/families/{family_id}/record/exports/{job_id}/download", None, 200, 404, 403),
    ("GET", "/api/v1/families/{family_id}/threads", None, 200, 200, 403),
    ("POST", "/api/v1/families/{family_id}/threads", THREAD, 201, 201, 403),
    ("GET", "/api/v1/families/{family_id}/threads/{thread_id}/messages", None, 200, 200, 403),
    ("POST", "/api/v1/families/{family_id}/threads/{thread_id}/messages", REPLY, 201, 201, 403),
    # The upload siblings take multipart/form-data; sent JSON, as here, they answer 415 once
    # past the access checks. tests/messaging/test_api_upload.py sends them real files.
    ("POST", "/api/v1/families/{family_id}/threads/upload", THREAD, 415, 415, 403),
    (
        "POST",
        "/api/v1/families/{family_id}/threads/{thread_id}/messages/upload",
        REPLY,
        415,
        415,
        403,
    ),
    ("POST", "/api/v1/families/{family_id}/threads/{thread_id}/viewed", {}, 200, 200, 403),
    ("GET", "/api/v1/families/{family_id}/messages/search", None, 200, 200, 403),
    ("GET", "/api/v1/families/{family_id}/attachments/{attachment_id}", None, 200, 200, 403),
    ("GET", "/api/v1/families/{family_id}/calendar", None, 200, 200, 200),
    ("GET", "/api/v1/families/{family_id}/exchanges", None, 200, 200, 403),
    ("GET", "/api/v1/families/{family_id}/exchanges/{key}", None, 200, 200, 403),
    # The exchange is in 2040: past the access checks, Alex's tap and note are refused (400).
    ("POST", "/api/v1/families/{family_id}/exchanges/{key}/check-ins", TAP, 400, 403, 403),
    ("POST", "/api/v1/families/{family_id}/exchanges/{key}/notes", NOTE, 400, 403, 403),
    # Multipart only: sent JSON, as here, it answers 415 once past the access checks.
    ("POST", "/api/v1/families/{family_id}/exchanges/{key}/notes/upload", NOTE, 415, 403, 403),
    ("GET", "/api/v1/families/{family_id}/timeshare/actual", None, 200, 200, 403),
    ("GET", "/api/v1/families/{family_id}/insights", None, 200, 200, 403),
    ("GET", "/api/v1/families/{family_id}/passes", None, 200, 200, 403),
    ("POST", "/api/v1/families/{family_id}/passes", PASS, 201, 403, 403),
    ("POST", "/api/v1/families/{family_id}/passes/{pass_id}/revoke", None, 200, 403, 403),
    ("GET", "/api/v1/families/{family_id}/timeshare", None, 200, 200, 403),
    ("GET", "/api/v1/families/{family_id}/plans", None, 200, 200, 403),
    ("POST", "/api/v1/families/{family_id}/plans", PROPOSAL, 400, 403, 403),
    ("POST", "/api/v1/families/{family_id}/plans/preview", PREVIEW, 200, 403, 403),
    ("POST", "/api/v1/families/{family_id}/plans/{version_id}/accept", None, 200, 403, 403),
    ("POST", "/api/v1/families/{family_id}/plans/{version_id}/decline", DECLINE, 200, 403, 403),
    ("POST", "/api/v1/families/{family_id}/plans/{version_id}/withdraw", None, 200, 403, 403),
    ("GET", "/api/v1/families/{family_id}/events", None, 200, 200, 200),
    ("POST", "/api/v1/families/{family_id}/events", EVENT, 201, 403, 403),
    ("GET", "/api/v1/families/{family_id}/events/{event_id}", None, 200, 200, 200),
    ("PATCH", "/api/v1/families/{family_id}/events/{event_id}", {"place": "Hall"}, 200, 403, 403),
    ("POST", "/api/v1/families/{family_id}/events/{event_id}/cancel", {}, 200, 403, 403),
    (
        "PUT",
        "/api/v1/families/{family_id}/events/{event_id}/rsvp",
        {"answer": "yes"},
        200,
        403,
        403,
    ),
    # The agreement: the mediator reads and drafts, only parents sign and decline, only the one
    # who proposed withdraws (Alex's own proposal here), a viewer sees none of it.
    ("GET", AGREEMENT, None, 200, 200, 403),
    ("GET", AGREEMENT + "/terms", None, 200, 200, 403),
    ("GET", AGREEMENT + "/library", None, 200, 200, 403),
    ("POST", AGREEMENT + "/clauses", CLAUSE, 201, 201, 403),
    ("GET", AGREEMENT + "/clauses/{clause_id}", None, 200, 200, 403),
    ("POST", AGREEMENT + "/clauses/{clause_id}/versions", AMEND, 201, 201, 403),
    ("POST", AGREEMENT + "/versions/{version_id}/sign", None, 200, 403, 403),
    ("POST", AGREEMENT + "/versions/{version_id}/decline", DECLINE, 200, 403, 403),
    ("POST", AGREEMENT + "/versions/{version_id}/withdraw", None, 200, 403, 403),
    # Requests: Sam's request waits for Alex's answer; the mediator reads and comments.
    ("GET", JOURNAL_PATH, None, 200, 403, 403),
    ("POST", JOURNAL_PATH, JOURNAL, 201, 403, 403),
    ("POST", JOURNAL_PATH + "/upload", JOURNAL, 415, 403, 403),
    ("POST", JOURNAL_PATH + "/exports", {"file_format": "json"}, 202, 403, 403),
    ("GET", JOURNAL_PATH + "/exports/{job_id}", None, 200, 403, 403),
    ("GET", JOURNAL_PATH + "/exports/{job_id}/download", None, 200, 403, 403),
    ("GET", JOURNAL_PATH + "/shared", None, 403, 200, 403),
    ("GET", JOURNAL_PATH + "/shared/{entry_id}", None, 403, 200, 403),
    ("GET", JOURNAL_PATH + "/{entry_id}", None, 200, 403, 403),
    ("POST", JOURNAL_PATH + "/{entry_id}/versions", {"text": "45 minutes late."}, 201, 403, 403),
    ("POST", JOURNAL_PATH + "/{entry_id}/share", JOURNAL_SHARE, 200, 403, 403),
    ("POST", JOURNAL_PATH + "/{entry_id}/unshare", None, 200, 403, 403),
    ("GET", "/api/v1/families/{family_id}/requests", None, 200, 200, 403),
    ("POST", "/api/v1/families/{family_id}/requests", REQUEST, 201, 403, 403),
    ("GET", "/api/v1/families/{family_id}/requests/{request_id}", None, 200, 200, 403),
    ("POST", "/api/v1/families/{family_id}/requests/{request_id}/approve", {}, 200, 403, 403),
    (
        "POST",
        "/api/v1/families/{family_id}/requests/{request_id}/decline",
        {"reason": "Not this term"},
        200,
        403,
        403,
    ),
    (
        "POST",
        "/api/v1/families/{family_id}/requests/{request_id}/counter",
        {"details": "The spring one instead"},
        201,
        403,
        403,
    ),
    ("POST", "/api/v1/families/{family_id}/requests/{request_id}/withdraw", {}, 200, 403, 403),
    (
        "POST",
        "/api/v1/families/{family_id}/requests/{request_id}/comments",
        {"text": "Which evening?"},
        201,
        201,
        403,
    ),
    # Documents: the mediator reads, parents upload, a viewer sees none. The uploads take
    # multipart/form-data; sent JSON, as here, they answer 415 once past the access checks
    # (tests/documents/test_api.py sends them real files).
    ("GET", "/api/v1/families/{family_id}/documents", None, 200, 200, 403),
    ("POST", "/api/v1/families/{family_id}/documents/upload", DOCUMENT, 415, 403, 403),
    ("GET", "/api/v1/families/{family_id}/documents/{document_id}", None, 200, 200, 403),
    (
        "POST",
        "/api/v1/families/{family_id}/documents/{document_id}/versions/upload",
        None,
        415,
        403,
        403,
    ),
    (
        "GET",
        "/api/v1/families/{family_id}/documents/{document_id}/versions/{version_id}",
        None,
        200,
        200,
        403,
    ),
    # The info bank: every member reads a child's items and emergency card (a viewer only what
    # is marked for care); the mediator reads an item's history; only parents write and reveal.
    ("GET", CHILD_INFO + "/info", None, 200, 200, 200),
    ("POST", CHILD_INFO + "/info", INFO_ITEM, 201, 403, 403),
    ("GET", CHILD_INFO + "/emergency-card", None, 200, 200, 200),
    ("GET", INFO, None, 200, 200, 403),
    ("PUT", INFO, INFO_CHANGE, 200, 403, 403),
    ("DELETE", INFO, None, 200, 403, 403),
    ("POST", INFO + "/reveal", None, 200, 403, 403),
]
ROLES = {"alex": 3, "morgan": 4, "vic": 5}
# Shared expenses: a viewer sees no money (403 on reads too); only the parent concerned writes.
EXPENSE = {"amount": "120.00", "currency": "EUR", "category": "medical", "description": "GP"}
FAMILY_OPERATIONS += [
    ("GET", "/api/v1/families/{family_id}/expenses", None, 200, 200, 403),
    ("POST", "/api/v1/families/{family_id}/expenses", EXPENSE, 201, 403, 403),
    ("POST", "/api/v1/families/{family_id}/expenses/upload", EXPENSE, 415, 403, 403),
    ("GET", "/api/v1/families/{family_id}/expenses/{expense_id}", None, 200, 200, 403),
    (
        "POST",
        "/api/v1/families/{family_id}/expenses/{expense_id}/corrections",
        {**EXPENSE, "correction_reason": "Insurance paid part"},
        201,
        403,
        403,
    ),
    (
        "GET",
        "/api/v1/families/{family_id}/expenses/{expense_id}/reimbursements",
        None,
        200,
        200,
        403,
    ),
    (
        "POST",
        "/api/v1/families/{family_id}/expenses/{expense_id}/reimbursements",
        {"note": "Half, as agreed"},
        201,
        403,
        403,
    ),
    (
        "POST",
        "/api/v1/families/{family_id}/reimbursements/{request_id}/answer",
        {"decision": "dispute", "reason": "Not agreed beforehand"},
        200,
        403,
        403,
    ),
    ("GET", "/api/v1/families/{family_id}/payments", None, 200, 200, 403),
    (
        "POST",
        "/api/v1/families/{family_id}/payments",
        {"direction": "received", "amount": "5.00", "method": "cash", "confirm_overpayment": True},
        201,
        403,
        403,
    ),
    ("POST", "/api/v1/families/{family_id}/payments/{payment_id}/confirm", None, 200, 403, 403),
    (
        "POST",
        "/api/v1/families/{family_id}/payments/{payment_id}/corrections",
        {"void": True, "correction_reason": "Recorded twice"},
        201,
        403,
        403,
    ),
    (
        "POST",
        "/api/v1/families/{family_id}/expenses/{expense_id}/stop-repeating",
        None,
        200,
        403,
        403,
    ),
    ("GET", "/api/v1/families/{family_id}/expenses-balance", None, 200, 200, 403),
    ("GET", "/api/v1/families/{family_id}/expenses-totals", None, 200, 200, 403),
]


@pytest.fixture
def ids(cast):
    """The ids every row needs: Mia, a pending invitation, and Lee, a lawyer whom Sam invited
    (so Sam consents) and Alex has not consented to yet — the member the consent and removal
    rows act on."""
    lawyer = UserFactory(email="lee@example.org", display_name="Lee")
    issued = services.invitation_create(
        access=cast.access(cast.sam),
        email=lawyer.email,
        role="professional",
        professional_kind="lawyer",
        send_email=False,
    )
    seat = services.invitation_accept(token=issued.token, user=lawyer)
    pending = services.invitation_create(
        access=cast.access(cast.alex), email="gran@example.org", role="viewer", send_email=False
    )
    # A conversation Alex started with Sam and Morgan the mediator, with a PDF attached.
    message = thread_start(
        access=cast.access(cast.alex),
        subject="Pickup",
        topic="school",
        body="Friday at 15:00?",
        include_professionals=[cast.mediator],
        attachments=[IncomingFile("plan.pdf", b"%PDF-1.4\n%%EOF\n")],
    )
    # A plan in force (Alex's, accepted by Sam) and Sam's change waiting for Alex's answer.
    first = plan_propose(access=cast.access(cast.alex), plan=PLAN, effective_from=date(2040, 1, 1))
    plan_accept(access=cast.access(cast.sam), version=first)
    change = plan_propose(
        access=cast.access(cast.sam),
        plan={**PLAN, "pattern": "alternating-weeks"},
        effective_from=date(2040, 6, 1),
    )
    # Mia's birthday party, which Alex added.
    party = event_add(
        access=cast.access(cast.alex),
        title="Mia's birthday party",
        kind="birthday_party",
        children=[cast.mia],
        timezone_name="Europe/Paris",
        all_day=True,
        start_date=date(2040, 6, 12),
    )
    # The agreement: a clause in force (Sam's, signed by Alex), one of Sam's waiting for Alex,
    # and one of Alex's own waiting for Sam.
    holidays = clause_propose(
        access=cast.access(cast.sam), topic="holidays", title="Holidays", body="Shared early."
    )
    clause_sign(access=cast.access(cast.alex), version=holidays)
    curb = clause_propose(
        access=cast.access(cast.sam), topic="boundaries", title="Curb", body="At the curb."
    )
    alexs = clause_propose(
        access=cast.access(cast.alex), topic="devices", title="Screens", body="None at meals."
    )
    january = datetime(2040, 1, 2, tzinfo=UTC)
    (first_exchange, *_later) = exchanges_between(
        cast.access(cast.alex), january, january + timedelta(days=10)
    )
    segments, _ = schedule_of(cast.access(cast.alex)).expand(january, january + timedelta(days=10))
    mine = next(s for s in segments if s.parent == "A")
    issued = pass_issue(
        access=cast.access(cast.alex),
        children=[cast.mia.pk],
        start=mine.start,
        end=mine.start + timedelta(hours=2),
    )
    # Sam asks Alex about a school evening for Mia.
    asked = request_make(
        access=cast.access(cast.sam), kind="school", title="Parents' evening", children=[cast.mia]
    )
    # The custody order Alex put in the family folder.
    order = document_add(
        access=cast.access(cast.alex),
        title="Custody order",
        dated=date(2026, 3, 2),
        category="court_order",
        children=[cast.mia.pk],
        file=IncomingFile("order.pdf", b"%PDF-1.4\n%%EOF\n"),
    )
    # An entry of Alex's journal, shared with Morgan the mediator.
    entry = entry_write(access=cast.access(cast.alex), text="Sam was late at the gate.")
    entry_share(access=cast.access(cast.alex), entry=entry, professional_id=cast.mediator.pk)
    # Alex's export of her journal, prepared by the worker (run here, at once).
    journal_job = journal_export(access=cast.access(cast.alex), file_format="json")
    assert run_journal_export.call(str(journal_job.pk)) == "done"
    # Alex's export of the family record, prepared the same way.
    record_job = record_export(access=cast.access(cast.alex), file_format="json")
    assert run_export_job.call(str(record_job.pk)) == "done"
    passport = item_add(
        access=cast.access(cast.alex),
        child=cast.mia,
        kind="identity",
        values={"document": "passport", "number": "NXC4PR7Q2", "country": "NL"},
    )
    # Alex's doctor's bill; Sam's shoes with Sam's request waiting for Alex; a payment Sam says
    # he sent Alex, waiting for Alex's confirmation.
    day = datetime.now(UTC).date() - timedelta(days=1)
    bill = {**EXPENSE, "spent_on": day, "children": [cast.mia.pk]}
    alexs_bill = expense_add(access=cast.access(cast.alex), **bill)
    sams_shoes = expense_add(access=cast.access(cast.sam), **{**bill, "description": "Shoes"})
    reimbursement = reimbursement_ask(access=cast.access(cast.sam), expense=sams_shoes)
    sams_payment = payment_record(
        access=cast.access(cast.sam),
        direction="sent",
        amount="10.00",
        currency="EUR",
        paid_on=day,
        method="transfer",
        confirm_overpayment=True,
    )
    # Cash Alex says he received: his own record, for him to correct or withdraw.
    alexs_payment = payment_record(
        access=cast.access(cast.alex),
        direction="received",
        amount="5.00",
        currency="EUR",
        paid_on=day,
        method="cash",
        confirm_overpayment=True,
    )
    monthly_fee = expense_add(
        access=cast.access(cast.sam),
        repeat_monthly=True,
        **{**bill, "category": "activities", "description": "Swimming club"},
    )
    return {
        "document_id": order.pk,
        "document_version_id": order.versions.get().pk,
        "entry_id": entry.pk,
        "job_id": journal_job.pk,
        "record_job_id": record_job.pk,
        "mediator_id": cast.mediator.pk,
        "item_id": passport.pk,
        "monthly_id": monthly_fee.pk,
        "expense_id": alexs_bill.pk,
        "reimbursement_id": reimbursement.pk,
        "payment_id": sams_payment.pk,
        "alexs_payment_id": alexs_payment.pk,
        "yesterday": day.isoformat(),
        "clause_id": holidays.clause_id,
        "clause_version_id": curb.pk,
        "own_clause_version_id": alexs.pk,
        "pass_id": issued.pk,
        "pass_window": (issued.starts_at.isoformat(), issued.ends_at.isoformat()),
        "key": first_exchange.key,
        "request_id": asked.pk,
        "event_id": party.pk,
        "version_id": change.pk,
        "family_id": cast.family.pk,
        "child_id": cast.mia.pk,
        "member_id": seat.pk,
        "invitation_id": pending.invitation.pk,
        "thread_id": message.thread_id,
        "attachment_id": message.attachments.get().pk,
    }


def _agreement_ids(template, ids):
    """The agreement's versions share the plans' `{version_id}`: Sam's clause waiting for Alex,
    or, to withdraw, Alex's own; so do a document's, the custody order's first. The expenses'
    reimbursement requests share the requests' `{request_id}` (Sam's reimbursement request
    waiting for Alex), stopping a monthly expense names Sam's swimming club fee, and correcting
    a payment the cash Alex recorded receiving."""
    if "/documents/" in template:
        return {**ids, "version_id": ids["document_version_id"]}
    if "/record/exports/" in template:
        return {**ids, "job_id": ids["record_job_id"]}
    if "/reimbursements/" in template:
        return {**ids, "request_id": ids["reimbursement_id"]}
    if template.endswith("/stop-repeating"):
        return {**ids, "expense_id": ids["monthly_id"]}
    if "/payments/" in template and template.endswith("/corrections"):
        return {**ids, "payment_id": ids["alexs_payment_id"]}
    if "/agreement/versions/" not in template:
        return ids
    own = template.endswith("/withdraw")
    return {**ids, "version_id": ids["own_clause_version_id" if own else "clause_version_id"]}


def _body(body, ids):
    """A body that names the setup's own rows, filled in."""
    if body is EVENT or body is REQUEST:
        return {**body, "children": [str(ids["child_id"])]}
    if body is JOURNAL_SHARE:
        return {"professional": str(ids["mediator_id"])}
    if body is not None and body.get("amount") and "direction" not in body:
        return {**body, "spent_on": ids["yesterday"], "children": [str(ids["child_id"])]}
    if body is not None and "direction" in body:
        return {**body, "paid_on": ids["yesterday"]}
    if body is PASS:
        start, end = ids["pass_window"]
        return {"children": [str(ids["child_id"])], "starts_at": start, "ends_at": end}
    return body


@pytest.mark.parametrize("row", FAMILY_OPERATIONS, ids=lambda r: f"{r[0]} {r[1]}")
@pytest.mark.parametrize("who", ["alex", "morgan", "vic"])
def test_each_role_gets_its_answer(cast, as_, ids, row, who):
    method, template, body, *_ = row
    ids = _agreement_ids(template, ids)
    body = _body(body, ids)
    if method == "DELETE" and template.endswith("/consent"):
        # Something to withdraw: Alex's own consent to the lawyer.
        lawyer = Membership.objects.get(pk=ids["member_id"])
        services.consent_give(access=cast.access(cast.alex), professional=lawyer)
    if template.endswith("{request_id}/withdraw"):
        # Something of Alex's own to withdraw: a request Alex made of Sam.
        own = request_make(
            access=cast.access(cast.alex), kind="other", title="Piano", children=[cast.mia]
        )
        ids = {**ids, "request_id": own.pk}
    elif template.endswith("/withdraw") and "/plans/" in template:
        # Something of Alex's own to withdraw: Sam takes his change back and Alex proposes one.
        change = PlanVersion.objects.get(pk=ids["version_id"])
        plan_withdraw(access=cast.access(cast.sam), version=change)
        mine = plan_propose(
            access=cast.access(cast.alex), plan=PLAN, effective_from=date(2040, 7, 1)
        )
        ids = {**ids, "version_id": mine.pk}
    response = as_(getattr(cast, who)).call(method, fill(template, **ids), body)
    assert response.status_code == row[ROLES[who]], response.content
    if response.status_code >= 400:
        assert response.json()["detail"]


@pytest.mark.parametrize("row", FAMILY_OPERATIONS, ids=lambda r: f"{r[0]} {r[1]}")
def test_olivia_finds_nothing_in_the_rivera_family(cast, as_, ids, row):
    method, template, body, *_ = row
    ids = _agreement_ids(template, ids)
    body = _body(body, ids)
    response = as_(cast.olivia).call(method, fill(template, **ids), body)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


@pytest.mark.parametrize("row", FAMILY_OPERATIONS, ids=lambda r: f"{r[0]} {r[1]}")
def test_a_family_that_does_not_exist_answers_the_same_404(cast, as_, ids, row):
    method, template, body, *_ = row
    ids = _agreement_ids(template, ids)
    body = _body(body, ids)
    response = as_(cast.alex).call(
        method, fill(template, **{**ids, "family_id": uuid.uuid4()}), body
    )
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_the_table_covers_every_family_operation():
    served = {op for op in operations() if op[1].startswith("/api/v1/families/{family_id}")}
    assert served == {(method, template) for method, template, *_ in FAMILY_OPERATIONS}
