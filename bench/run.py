"""`make bench`: Coparent's benchmark figures, each printed beside its target.

Runs on a fresh SQLite database in a temporary data folder (deleted afterwards), with the same
settings as production: WAL and synchronous=FULL, so every commit reaches the disk.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable

APPENDS_ONE_BY_ONE = 500
RECORD_SIZE = 2000


def _line(label: str, value: str, target: str, ok: bool) -> None:
    mark = "ok" if ok else "MISSED"
    print(f"{label:<52} {value:>14}   (target {target}) {mark}")


def _timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> int:
    data_dir = tempfile.mkdtemp(prefix="coparent-bench-")
    os.environ["COPARENT_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)  # always the default: SQLite in the data folder
    os.environ["DJANGO_SETTINGS_MODULE"] = "coparent.settings"
    try:
        return _run(data_dir)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def _run(data_dir: str) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from coparent.accounts.models import User
    from coparent.core.record.verify import verify_document
    from coparent.families.services import family_create
    from coparent.records.export import build_export, render_pdf
    from coparent.records.models import Kind
    from coparent.records.services import record_append

    call_command("migrate", interactive=False, verbosity=0)
    user = User.objects.create(email="bench@example.org", display_name="Bench")

    def data(i: int) -> dict[str, str]:
        return {"child": str(uuid.uuid4()), "name": f"Child {i}", "date_of_birth": "2019-09-14"}

    print(f"Coparent benchmarks (SQLite in {data_dir}, synchronous=FULL)")
    results = []

    # Each fact commits on its own in real use, so each append here is its own transaction.
    family = family_create(user=user, name="One by one")

    def append_one_by_one() -> None:
        for i in range(APPENDS_ONE_BY_ONE):
            with transaction.atomic():
                record_append(family=family, kind=Kind.CHILD_ADDED, actor=user, data=data(i))

    rate = APPENDS_ONE_BY_ONE / _timed(append_one_by_one)
    results.append(rate >= 500)
    _line(
        "record append, one transaction per entry", f"{rate:,.0f} entries/s", "≥ 500/s", results[-1]
    )

    big = family_create(user=user, name="Two thousand")  # entries 1 and 2

    def append_in_one_transaction() -> None:
        with transaction.atomic():
            for i in range(RECORD_SIZE - 2):
                record_append(family=big, kind=Kind.CHILD_ADDED, actor=user, data=data(i))

    rate = (RECORD_SIZE - 2) / _timed(append_in_one_transaction)
    _line("record append, many in one transaction", f"{rate:,.0f} entries/s", "none yet", True)

    def export_and_verify() -> None:
        text = json.dumps(build_export(family=big))
        verdict = verify_document(json.loads(text))
        assert verdict.ok and verdict.entries == RECORD_SIZE, verdict

    ms = _timed(export_and_verify) * 1000
    results.append(ms <= 2000)
    _line(f"export + verify of {RECORD_SIZE:,} entries", f"{ms:,.0f} ms", "≤ 2,000 ms", results[-1])

    export = build_export(family=big)
    ms = _timed(lambda: render_pdf(export, family=big)) * 1000
    _line(f"PDF of {RECORD_SIZE:,} entries", f"{ms:,.0f} ms", "none yet", True)

    import schedule  # bench/schedule.py, beside this file: the schedule engine's figures

    results += schedule.report(_line)

    import plan_api  # bench/plan_api.py: (c) a year's calendar from the API

    results += plan_api.report(_line)

    import feed  # bench/feed.py: (f) a year's calendar file, (g) the served feed

    results += feed.report(_line)

    import messages  # bench/messages.py: inbox, thread and search over 50,000 messages

    results += messages.report(_line)

    import tone  # bench/tone.py: the tone coach on its evaluation set

    results += tone.report(_line)

    import request_cost  # bench/request_cost.py: an API list and a page against /healthz

    results += request_cost.report(_line)

    import report  # bench/report.py: a busy family's year exported to PDF and JSON, verified

    results += report.report(_line)

    import crash  # bench/crash.py: 10,000 writes while `coparent serve` is killed (SIGKILL)

    results += crash.report(_line)

    missed = results.count(False)
    print("every target met" if not missed else f"{missed} target(s) missed")
    return 0  # figures to read, not a gate: a slow disk must not fail `make bench`


if __name__ == "__main__":
    sys.exit(main())
