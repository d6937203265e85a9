"""Message figures for `make bench`: a family with 50,000 messages on SQLite — inbox page time
and query count, thread page time, search p95 (target ≤ 50 ms) over whole words, phrases
and beginnings of words.

Run by bench/run.py inside its temporary data folder (Django already set up and migrated).
Rows are bulk-created for speed: the figures are about reading, and the full-text index is
filled by its insert trigger exactly as for messages sent one by one.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

MESSAGES = 50_000
THREADS = 1_000
SEARCHES = 100
WORDS = [
    "pickup", "school", "dentist", "weekend", "swap", "coat", "homework", "birthday", "trip",
    "football", "allergy", "teacher", "holiday", "gate", "friday", "doctor", "piano", "bus",
]  # fmt: skip


def _build() -> tuple[object, object, object]:
    from django.db import transaction

    from coparent.accounts.models import User
    from coparent.families.models import Membership, Role
    from coparent.families.selectors import get_family_access
    from coparent.families.services import family_create
    from coparent.messaging.models import Message, MessageDelivery, Thread, ThreadParticipant

    alex = User.objects.create(email="alex.bench@example.org", display_name="Alex")
    sam = User.objects.create(email="sam.bench@example.org", display_name="Sam")
    family = family_create(user=alex, name="Fifty thousand messages")
    Membership.objects.create(family=family, user=sam, role=Role.PARENT)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    per_thread = MESSAGES // THREADS
    with transaction.atomic():
        threads = Thread.objects.bulk_create(
            Thread(
                family=family,
                subject=f"Conversation {i}",
                topic=["children", "schedule", "school", "health", "money", "other"][i % 6],
                created_by=alex,
                created_at=start + timedelta(hours=i * 8),
                last_message_at=start + timedelta(hours=i * 8 + per_thread),
            )
            for i in range(THREADS)
        )
        ThreadParticipant.objects.bulk_create(
            ThreadParticipant(family=family, thread=t, user=u) for t in threads for u in (alex, sam)
        )
        rows = []
        for i in range(MESSAGES):
            thread = threads[i // per_thread]
            words = " ".join(WORDS[(i * k) % len(WORDS)] for k in (1, 3, 7))
            rows.append(
                Message(
                    family=family,
                    thread=thread,
                    sender=alex if i % 2 else sam,
                    body=f"Message {i}: about the {words} plan, see you then.",
                    body_sha256="0" * 64,
                    created_at=thread.created_at + timedelta(hours=i % per_thread),
                )
            )
        Message.objects.bulk_create(rows, batch_size=2000)
        ids = Message.objects.filter(family=family).values_list("pk", "thread_id", "sender_id")
        MessageDelivery.objects.bulk_create(
            (
                MessageDelivery(
                    family=family,
                    thread_id=tid,
                    message_id=mid,
                    recipient_id=sam.pk if sid == alex.pk else alex.pk,
                )
                for mid, tid, sid in ids.iterator()
            ),
            batch_size=2000,
        )
    return get_family_access(alex, family.pk), alex, threads[-1]


def _view(user: object, path: str, query: str = "") -> tuple[float, int]:
    from django.db import connection
    from django.http import QueryDict
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext
    from django.urls import resolve

    request = RequestFactory().get(path, QueryDict(query), secure=True)
    request.user = user
    match = resolve(path)
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = match.func(request, *match.args, **match.kwargs)
        elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.status_code
    return elapsed * 1000, len(queries)


def _rendered(user: object, path: str) -> tuple[float, int]:
    """The page as the first request after a change gets it: its kept body forgotten."""
    from django.core.cache import caches

    caches["fragments"].clear()
    return _view(user, path)


def run() -> list[tuple[str, str, str]]:
    from django.test.utils import override_settings
    from django.urls import reverse

    from coparent.messaging.selectors import search_messages

    access, alex, thread = _build()
    family_id = access.family.pk  # type: ignore[attr-defined]
    inbox = reverse("messaging:inbox", kwargs={"family_id": family_id})
    thread_url = reverse(
        "messaging:thread", kwargs={"family_id": family_id, "thread_id": thread.pk}
    )  # type: ignore[attr-defined]
    # The pages render their {% static %} links without a collected manifest here.
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        _view(alex, inbox)  # warm-up
        # The inbox keeps its rendered body until something it shows changes (docs/operations.md,
        # "The inbox, cached"): measure it rendered, as after every change, and kept.
        inbox_ms, inbox_queries = min(_rendered(alex, inbox) for _ in range(5))
        kept_ms, kept_queries = min(_view(alex, inbox) for _ in range(5))
        _view(alex, thread_url)  # the first open records the first views
        thread_ms = min(_view(alex, thread_url)[0] for _ in range(5))
    timings = []
    for i in range(SEARCHES):
        query = f"{WORDS[i % len(WORDS)]} {WORDS[(i * 5 + 1) % len(WORDS)]}"
        if i % 4 == 0:
            query = f'"the {WORDS[i % len(WORDS)]}"'
        elif i % 4 == 1:  # half-typed words, as on a phone: "denti", "pick"
            query = f"{WORDS[i % len(WORDS)][:4]} {WORDS[(i * 5 + 1) % len(WORDS)][:3]}"
        started = time.perf_counter()
        search_messages(access, query)  # type: ignore[arg-type]
        timings.append((time.perf_counter() - started) * 1000)
    p95 = statistics.quantiles(timings, n=20)[18]
    n = f"{MESSAGES:,} messages"
    return [
        (f"messages: inbox page, {n}", f"{inbox_ms:,.0f} ms / {inbox_queries} q", "5 queries"),
        (f"messages: inbox page kept, {n}", f"{kept_ms:,.0f} ms / {kept_queries} q", "3 queries"),
        (f"messages: thread page, {n}", f"{thread_ms:,.0f} ms", "none yet"),
        (f"messages: search p95, {n}", f"{p95:,.1f} ms", "≤ 50 ms"),
    ]


def report(line: Callable[[str, str, str, bool], None]) -> list[bool]:
    """Print each row with bench/run.py's `line`; only the search p95 has a firm target."""
    met = []
    for label, value, target in run():
        ok = True
        if target.startswith("≤"):
            ok = float(value.split()[0].replace(",", "")) <= float(target.split()[1])
        elif target.endswith("queries"):
            ok = value.endswith(f"/ {target.split()[0]} q")
        line(label, value, target, ok)
        met.append(ok)
    return met
