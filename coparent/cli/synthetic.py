"""Synthetic families for load and scale tests (`coparent generate`, `make load`, bench/scale.py).

The demo (demo_data.py) tells two families' stories through the real services, a few seconds
each: right for people trying the app, far too slow for ten thousand families. This builds
plainer families in bulk instead, a few hundred per transaction with `bulk_create`: two parents,
two children, an accepted 2-2-3 plan, a few conversations and expenses over the past months.

Every family's record is still a valid chain: the entries are made in memory with the record
chain's own functions (`entry_hash`, `seal`, `format_at`), in time order, with the data each
service would have written, then inserted in one go. What `record_append` does besides — the
hooks that notify members — is left out: a synthetic family has no news waiting.

Imported once Django is set up (like demo_data.py).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from coparent.accounts.models import User
from coparent.core.record.chain import GENESIS_PREV, entry_hash, format_at, seal
from coparent.expenses.models import Expense, ExpenseChild
from coparent.families.models import Child, Family, Membership, Role
from coparent.messaging.models import Message, MessageDelivery, Thread, ThreadParticipant
from coparent.records.models import Kind, RecordEntry, RecordSeal
from coparent.schedule.models import PlanStatus, PlanVersion
from coparent.schedule.plans import check_plan

SYNTHETIC_PASSWORD = "synthetic-harbour-2027"  # noqa: S105 - generated test accounts only
ZONE = "America/Chicago"
TOPICS = ["children", "schedule", "school", "health", "money", "other"]
SUBJECTS = ["Pickup on Friday", "Dentist", "School trip", "Summer plans", "Football kit"]
CATEGORIES = ["medical", "school", "activities", "clothing", "childcare"]


@dataclass(frozen=True)
class SyntheticFamily:
    family_id: uuid.UUID
    parents: tuple[str, str]  # the two parents' email addresses (log-in names)


@dataclass
class _Record:
    """One family's record, built in memory in time order."""

    family: Family
    parents: tuple[User, User]
    entries: list[RecordEntry] = field(default_factory=list)
    seals: list[RecordSeal] = field(default_factory=list)

    def append(
        self,
        *,
        kind: str,
        actor: User,
        at: datetime,
        data: dict[str, Any],
        sealed: dict[str, Any] | None = None,
    ) -> None:
        opened = None
        if sealed is not None:
            opened, commitment = seal(sealed)
            data = {**data, "sealed": commitment}
        # The ids of the people and messages are known only once they are inserted: the links
        # and hashes are computed then (_rehash).
        entry = RecordEntry(
            family=self.family,
            seq=len(self.entries) + 1,
            at=format_at(at),
            kind=kind,
            actor=actor,
            data=data,
        )
        self.entries.append(entry)
        if opened is not None:
            self.seals.append(RecordSeal(family=self.family, entry=entry, opened=opened))


def _plan(names: tuple[str, str], start: date) -> dict[str, Any]:
    plan = {
        "timezone": ZONE,
        "parents": list(names),
        "start": start.isoformat(),
        "exchange_time": "18:00",
        "pattern": "2-2-3",
        "exchange_place": "School gate",
    }
    check_plan(plan)  # the same check plan_propose makes
    return plan


@dataclass
class _Rows:
    users: list[User] = field(default_factory=list)
    addresses: list[EmailAddress] = field(default_factory=list)
    families: list[Family] = field(default_factory=list)
    memberships: list[Membership] = field(default_factory=list)
    children: list[Child] = field(default_factory=list)
    plans: list[PlanVersion] = field(default_factory=list)
    threads: list[Thread] = field(default_factory=list)
    participants: list[ThreadParticipant] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    deliveries: list[MessageDelivery] = field(default_factory=list)
    expenses: list[Expense] = field(default_factory=list)
    expense_children: list[ExpenseChild] = field(default_factory=list)
    records: list[_Record] = field(default_factory=list)


def _family(
    rows: _Rows,
    *,
    tag: str,
    number: int,
    password_hash: str,
    now: datetime,
    threads: int,
    messages: int,
    expenses: int,
) -> SyntheticFamily:
    start = now - timedelta(days=180)
    parents = []
    for letter, first in (("a", "Alex"), ("b", "Sam")):
        email = f"gen-{tag}-{number}-{letter}@example.org"
        user = User(
            email=email,
            display_name=f"{first} {number}",
            password=password_hash,
            email_confirmed_at=start,
            date_joined=start,
        )
        parents.append(user)
    rows.users += parents
    a, b = parents
    family = Family(
        id=uuid.uuid4(), name=f"Family {number}", created_by=a, created_at=start, timezone=ZONE
    )
    rows.families.append(family)
    record = _Record(family=family, parents=(a, b))
    rows.records.append(record)
    record.append(
        kind=Kind.FAMILY_CREATED,
        actor=a,
        at=start,
        data={"family": str(family.pk), "name": family.name, "timezone": ZONE},
    )
    for i, user in enumerate(parents):
        joined = start + timedelta(minutes=i)
        membership = Membership(
            id=uuid.uuid4(), family=family, user=user, role=Role.PARENT, joined_at=joined
        )
        rows.memberships.append(membership)
        record.append(
            kind=Kind.MEMBER_JOINED,
            actor=user,
            at=joined,
            data={
                "member": str(membership.pk),
                "user": "",  # filled in once the users have their ids (below)
                "name": user.display_name,
                "role": Role.PARENT,
            },
        )
    kids = []
    for i, (name, born) in enumerate((("Mia", date(2017, 5, 2)), ("Leo", date(2020, 9, 14)))):
        child = Child(
            id=uuid.uuid4(),
            family=family,
            name=name,
            date_of_birth=born,
            created_at=start + timedelta(minutes=5 + i),
        )
        kids.append(child)
        record.append(
            kind=Kind.CHILD_ADDED,
            actor=a,
            at=child.created_at,
            data={"child": str(child.pk), "name": name, "date_of_birth": born.isoformat()},
        )
    rows.children += kids
    moment = start + timedelta(minutes=10)
    version = PlanVersion(
        id=uuid.uuid4(),
        family=family,
        number=1,
        plan=_plan((a.display_name, b.display_name), start.date()),
        effective_from=start.date(),
        status=PlanStatus.ACCEPTED,
        proposed_by=a,
        proposed_at=moment,
        answered_by=b,
        answered_at=moment + timedelta(hours=2),
        accepted_at=moment + timedelta(hours=2),
    )
    rows.plans.append(version)
    record.append(
        kind=Kind.PLAN_PROPOSED,
        actor=a,
        at=moment,
        data={
            "version": 1,
            "id": str(version.id),
            "effective_from": start.date().isoformat(),
            "pattern": "2-2-3",
            "rotation": "AABBAAABBAABBB",
            "timezone": ZONE,
            "exchange_time": "18:00",
            "exchange_place": "School gate",
            "holidays": [],
            "school_breaks": [],
            "birthdays": [],
            "note": "",
        },
    )
    record.append(
        kind=Kind.PLAN_ACCEPTED,
        actor=b,
        at=moment + timedelta(hours=2),
        data={
            "version": 1,
            "id": str(version.id),
            "effective_from": start.date().isoformat(),
            "automatic": False,
        },
    )
    # Conversations and expenses spread over the months since, merged in time order so the
    # record tells them in the order they happened.
    events: list[tuple[datetime, int, int]] = []
    span = (now - timedelta(hours=1) - moment).total_seconds()
    for t in range(threads):
        for m in range(messages):
            offset = span * (t * messages + m + 1) / (threads * messages + 1)
            events.append((moment + timedelta(seconds=offset), 0, t * messages + m))
    for e in range(expenses):
        offset = span * (e + 0.5) / expenses
        events.append((moment + timedelta(seconds=offset), 1, e))
    events.sort()
    made_threads: dict[int, Thread] = {}
    for at, what, index in events:
        if what == 0:
            t, m = divmod(index, messages)
            sender, recipient = (a, b) if m % 2 == 0 else (b, a)
            thread = made_threads.get(t)
            if thread is None:
                thread = Thread(
                    id=uuid.uuid4(),
                    family=family,
                    subject=SUBJECTS[(number + t) % len(SUBJECTS)],
                    topic=TOPICS[(number + t) % len(TOPICS)],
                    created_by=sender,
                    created_at=at,
                )
                made_threads[t] = thread
                rows.threads.append(thread)
                rows.participants += [
                    ThreadParticipant(family=family, thread=thread, user=u, added_at=at)
                    for u in parents
                ]
            thread.last_message_at = at
            body = f"Message {m + 1} about {thread.subject.lower()}: see you at six."
            message = Message(
                family=family,
                thread=thread,
                sender=sender,
                body=body,
                body_sha256=hashlib.sha256(body.encode("utf-8")).hexdigest(),
                created_at=at,
            )
            rows.messages.append(message)
            rows.deliveries.append(
                MessageDelivery(
                    family=family,
                    thread=thread,
                    message=message,
                    recipient=recipient,
                    delivered_at=at,
                )
            )
            record.append(
                kind=Kind.MESSAGE_SENT,
                actor=sender,
                at=at,
                data={"thread": str(thread.pk), "message": "", "sender": "", "recipients": []},
                sealed={
                    "subject": thread.subject,
                    "topic": thread.topic,
                    "body": body,
                    "attachments": [],
                },
            )
        else:
            payer = a if index % 2 == 0 else b
            amount = Decimal(20 + (number * 7 + index * 13) % 180)
            expense_id = uuid.uuid4()
            expense = Expense(
                id=expense_id,
                family=family,
                spent_on=at.date(),
                amount=amount,
                currency="USD",
                category=CATEGORIES[index % len(CATEGORIES)],
                description=f"Synthetic expense {index + 1}",
                paid_by=payer,
                recorded_by=payer,
                percent_a=Decimal(50),
                chain_id=expense_id,
                at=at,
            )
            rows.expenses.append(expense)
            child = kids[index % len(kids)]
            rows.expense_children.append(ExpenseChild(family=family, expense=expense, child=child))
            half = str((amount / 2).quantize(Decimal("0.01")))
            record.append(
                kind=Kind.EXPENSE_ADDED,
                actor=payer,
                at=at,
                data={
                    "expense": str(expense_id),
                    "chain": str(expense_id),
                    "corrects": None,
                    "void": False,
                    "reason": "",
                    "name": payer.display_name,
                    "spent_on": expense.spent_on.isoformat(),
                    "amount": f"{amount:.2f}",
                    "currency": "USD",
                    "category": expense.category,
                    "description": expense.description,
                    "children": [child.name],
                    "percent_a": "50.00",
                    "split_source": "default",
                    "split_reason": "",
                    "share_a": half,
                    "share_b": half,
                    "repeats_monthly": False,
                    "recurring": None,
                    "receipts": [],
                },
            )
    return SyntheticFamily(family_id=family.pk, parents=(a.email, b.email))


def _rehash(record: _Record, sent: list[Message]) -> None:
    """Fill in the ids known only once the users and messages are inserted (member.joined's
    user; message.sent's message, sender and recipient) and compute the chain again from the
    start, exactly as record_append would have."""
    prev = GENESIS_PREV
    messages = iter(sent)
    for entry in record.entries:
        entry.actor_id = entry.actor.pk if entry.actor is not None else None
        data = entry.data
        if entry.kind == Kind.MEMBER_JOINED:
            data["user"] = str(entry.actor_id)
        elif entry.kind == Kind.MESSAGE_SENT:
            message = next(messages)
            data = entry.data = {
                "thread": data["thread"],
                "message": str(message.pk),
                "sender": str(message.sender.pk),
                "sender_name": message.sender.display_name,
                "recipients": [str(u.pk) for u in record.parents if u.pk != message.sender.pk],
                "sealed": data["sealed"],
            }
        entry.prev = prev
        entry.hash = entry_hash(
            seq=entry.seq,
            at=entry.at,
            kind=entry.kind,
            actor=str(entry.actor_id),
            data=data,
            prev=prev,
        )
        prev = entry.hash


def generate_families(
    count: int,
    *,
    batch: int = 250,
    threads: int = 4,
    messages: int = 6,
    expenses: int = 6,
    now: datetime | None = None,
    progress: bool = False,
) -> list[SyntheticFamily]:
    """Insert `count` synthetic families (two parents each, every one with the password
    SYNTHETIC_PASSWORD) and return them. Each run uses new addresses, so it can run again on a
    database that already holds families."""
    now = now or timezone.now()
    tag = secrets.token_hex(3)
    password_hash = make_password(SYNTHETIC_PASSWORD)
    made: list[SyntheticFamily] = []
    for first in range(0, count, batch):
        rows = _Rows()
        for number in range(first, min(count, first + batch)):
            made.append(
                _family(
                    rows,
                    tag=tag,
                    number=number + 1,
                    password_hash=password_hash,
                    now=now,
                    threads=threads,
                    messages=messages,
                    expenses=expenses,
                )
            )
        _insert(rows)
        if progress:
            print(f"  {len(made):,} of {count:,} families", flush=True)
    return made


def _insert(rows: _Rows) -> None:
    with transaction.atomic():
        User.objects.bulk_create(rows.users)
        # bulk_create sets the ids on PostgreSQL and SQLite 3.35+ (RETURNING); look them up
        # otherwise.
        if any(u.pk is None for u in rows.users):
            ids = dict(
                User.objects.filter(email__in=[u.email for u in rows.users]).values_list(
                    "email", "pk"
                )
            )
            for user in rows.users:
                user.pk = ids[user.email]
        EmailAddress.objects.bulk_create(
            EmailAddress(user=u, email=u.email, primary=True, verified=True) for u in rows.users
        )
        # Each object was given its parent before the parent had an id; bulk_create takes the
        # id from the parent object now that it has one.
        Family.objects.bulk_create(rows.families)
        Membership.objects.bulk_create(rows.memberships)
        Child.objects.bulk_create(rows.children)
        PlanVersion.objects.bulk_create(rows.plans)
        Thread.objects.bulk_create(rows.threads)
        ThreadParticipant.objects.bulk_create(rows.participants)
        Message.objects.bulk_create(rows.messages)
        MessageDelivery.objects.bulk_create(rows.deliveries)
        Expense.objects.bulk_create(rows.expenses)
        ExpenseChild.objects.bulk_create(rows.expense_children)
        # message.sent names the message, its sender and recipient: ids known only now.
        by_family: dict[uuid.UUID, list[Message]] = {}
        for message in rows.messages:
            by_family.setdefault(message.family_id, []).append(message)
        entries: list[RecordEntry] = []
        seals: list[RecordSeal] = []
        for record in rows.records:
            _rehash(record, by_family.get(record.family.pk, []))
            entries += record.entries
            seals += record.seals
        RecordEntry.objects.bulk_create(entries, batch_size=2000)
        RecordSeal.objects.bulk_create(seals, batch_size=2000)
