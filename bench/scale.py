"""`make scale`: one family's pages and API cost the same with 10,000 families as with 10.

PostgreSQL only (DATABASE_URL=postgres://…): the question is whether every family-owned query
finds its family's rows through an index that starts with `family_id`, which SQLite's planner
and a laptop's single family never show. On SQLite it prints why it is skipped and stops.

1. Makes a scratch database beside DATABASE_URL's (dropped afterwards; SCALE_KEEP=1 keeps it)
   and fills it with SCALE_SMALL (10) synthetic families (`coparent generate`'s builder).
2. Times each page and API call below for the first family: the median of SCALE_REPEAT (20)
   requests after a warm-up, in this process through Django's test client (no network).
3. Adds families up to SCALE_FAMILIES (10,000), VACUUM ANALYZE and CHECKPOINT (so neither
   autovacuum nor the checkpoint the bulk insert calls for runs during the second measurement),
   collects the filler's garbage, and times the same calls again.
4. Prints both times and their ratio beside the target (within 20 %), after /healthz's two
   times (no database work: how much busier the machine was for the second measurement, as
   other work comes and goes on a shared machine). Then
   asks PostgreSQL to EXPLAIN every query those calls made and lists any that reads a
   family-owned table of 1,000 rows or more by a sequential scan (target: none).

Separate from `make bench` because filling 10,000 families takes minutes (about three on a
quiet two-core machine).
"""

from __future__ import annotations

import gc
import json
import os
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

TARGET_RATIO = 1.2
BIG_TABLE_ROWS = 1000


def _line(label: str, value: str, target: str, ok: bool) -> None:
    mark = "ok" if ok else "MISSED"
    print(f"{label:<44} {value:>26}   (target {target}) {mark}")


def _scratch_url(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def _admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(_scratch_url(url, "postgres"), autocommit=True) as conn:
        conn.execute(sql)


def main() -> int:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        print(
            "scale: skipped — it measures PostgreSQL's plans; run it with "
            "DATABASE_URL=postgres://user@host:5432/db make scale"
        )
        return 0
    name = f"coparent_scale_{secrets.token_hex(4)}"
    _admin(url, f'CREATE DATABASE "{name}"')
    data_dir = tempfile.mkdtemp(prefix="coparent-scale-")
    os.environ.update(
        DATABASE_URL=_scratch_url(url, name),
        COPARENT_DATA_DIR=data_dir,
        DJANGO_SETTINGS_MODULE="coparent.settings",
    )
    try:
        return _run(name)
    finally:
        from django.db import connections

        connections.close_all()
        if os.environ.get("SCALE_KEEP"):
            print(f"Kept the database {name}")
        else:
            _admin(url, f'DROP DATABASE IF EXISTS "{name}"')
        shutil.rmtree(data_dir, ignore_errors=True)


def _calls(family: str, thread: str) -> list[tuple[str, str]]:
    """(what, path): the pages a parent opens most and the API calls the app makes most."""
    f = f"/families/{family}"
    api = f"/api/v1/families/{family}"
    return [
        ("page: family home", f"{f}/"),
        ("page: calendar (month)", f"{f}/schedule/"),
        ("page: inbox", f"{f}/messages/"),
        ("page: conversation", f"{f}/messages/threads/{thread}/"),
        ("page: expenses", f"{f}/expenses/"),
        ("page: record timeline", f"{f}/record/"),
        ("API: calendar (4 weeks)", f"{api}/calendar"),
        ("API: conversations", f"{api}/threads"),
        ("API: messages of a conversation", f"{api}/threads/{thread}/messages"),
        ("API: expenses", f"{api}/expenses"),
        ("API: exchanges", f"{api}/exchanges"),
        ("API: record", f"{api}/record"),
    ]


def _median_ms(action: Callable[[], Any], repeat: int) -> float:
    action()  # warm-up: caches, prepared plans
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _run(name: str) -> int:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import DatabaseError, connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from coparent.accounts.models import User
    from coparent.accounts.services import token_create
    from coparent.cli.common import migrate_quietly
    from coparent.cli.synthetic import generate_families
    from coparent.messaging.models import Thread

    small = int(os.environ.get("SCALE_SMALL", "10"))
    large = int(os.environ.get("SCALE_FAMILIES", "10000"))
    repeat = int(os.environ.get("SCALE_REPEAT", "20"))
    migrate_quietly()
    call_command("collectstatic", interactive=False, verbosity=0)  # the pages' manifest
    print(f"Scale on PostgreSQL (scratch database {name}): {small:,} families, then {large:,}")
    made = generate_families(small)
    target = made[0]
    user = User.objects.get(email=target.parents[0])
    _, token = token_create(user=user, name="scale bench")
    thread = str(Thread.objects.filter(family_id=target.family_id).values_list("pk", flat=True)[0])
    host = next(h for h in settings.ALLOWED_HOSTS if h not in ("*",) and not h.startswith("."))
    client = Client(HTTP_HOST=host)
    client.force_login(user)
    api_headers = {"Authorization": f"Bearer {token}"}

    def request(path: str) -> Callable[[], Any]:
        headers = api_headers if path.startswith("/api/") else {}

        def call() -> None:
            response = client.get(path, headers=headers, secure=True)
            if response.status_code != 200:
                raise SystemExit(f"{path} answered {response.status_code}")

        return call

    calls = _calls(str(target.family_id), thread)
    gc.collect()
    alive_before = len(gc.get_objects())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    before = {label: _median_ms(request(path), repeat) for label, path in calls}
    # The machine's own speed between the two measurements (other work on a shared machine):
    # /healthz does no database work, so it costs the same whatever the families.
    speed_before = _median_ms(request("/healthz"), repeat * 10)

    start = time.perf_counter()
    generate_families(large - small, progress=True)
    with connection.cursor() as cursor:
        # VACUUM too: after a bulk insert autovacuum would otherwise vacuum the big tables in
        # the background while the second measurement runs (on two cores it slowed even
        # /healthz by 40 %), and a server's database is settled, not freshly filled.
        cursor.execute("VACUUM ANALYZE")
        # And write the filler's pages out now: the checkpoint the bulk insert's WAL calls for
        # would otherwise land in the second measurement (CHECKPOINT needs a superuser or
        # pg_checkpoint; without it the figures say so by /healthz's line).
        try:
            with transaction.atomic():
                cursor.execute("CHECKPOINT")
        except DatabaseError:
            print("(CHECKPOINT not allowed for this role: the second measurement shares the disk)")
    # The filler runs in this process; what it leaves behind is no server's. Collect it, and
    # print how many objects are still alive, since a cache that grows with families would be.
    gc.collect()
    print(f"objects alive before filling {alive_before:,}, after {len(gc.get_objects()):,}")
    print(f"Filled {large - small:,} more families in {time.perf_counter() - start:,.0f} s")
    after = {label: _median_ms(request(path), repeat) for label, path in calls}
    speed_after = _median_ms(request("/healthz"), repeat * 10)
    # Printed to read the figures by, not used to correct them: a sub-millisecond request is
    # too noisy to scale the others with.
    print(
        f"/healthz {speed_before:.2f} → {speed_after:.2f} ms (how much busier the machine was "
        "for the second measurement; compare the ratios below with it)"
    )

    results = []
    for label, _path in calls:
        ratio = after[label] / before[label]
        # Under a millisecond apart is noise on a shared machine, whatever the ratio.
        ok = ratio <= TARGET_RATIO or after[label] - before[label] < 1.0
        results.append(ok)
        value = f"{before[label]:6.1f} → {after[label]:6.1f} ms (×{ratio:.2f})"
        _line(label, value, f"≤ ×{TARGET_RATIO}", ok)

    # Every query of those calls, explained with the 10,000 families' statistics.
    with CaptureQueriesContext(connection) as captured:
        for _label, path in calls:
            request(path)()
    seq_scans = []
    with connection.cursor() as cursor:
        # A sequential scan of a table of a few rows is the planner's right choice (the
        # synthetic families have no receipts, views, events…): only the tables that hold
        # many families' rows count.
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relkind = 'r' AND reltuples >= %s",
            [BIG_TABLE_ROWS],
        )
        family_tables = _family_tables() & {row[0] for row in cursor.fetchall()}
        for query in captured.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
            plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            for node in _nodes(plan[0]["Plan"]):
                if (
                    node.get("Node Type") == "Seq Scan"
                    and node.get("Relation Name") in family_tables
                ):
                    seq_scans.append((node["Relation Name"], sql[:160]))
    results.append(not seq_scans)
    _line(
        "queries scanning a family-owned table",
        f"{len(seq_scans)} of {len(captured.captured_queries)}",
        "0",
        not seq_scans,
    )
    for table, sql in seq_scans:
        print(f"    {table}: {sql}")
    missed = results.count(False)
    print("every target met" if not missed else f"{missed} target(s) missed")
    return 0


def _family_tables() -> set[str]:
    from django.apps import apps

    from coparent.families.models import Family

    return {
        m._meta.db_table
        for m in apps.get_models()
        if any(f.is_relation and f.related_model is Family for f in m._meta.concrete_fields)
    }


def _nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    found = [plan]
    for child in plan.get("Plans", []):
        found += _nodes(child)
    return found


if __name__ == "__main__":
    sys.exit(main())
