"""Report figures for `make bench` (issue #16): the record of a family with a year of
everything (the first demo family) and 10,000 more messages, exported as its PDF report (the
sections printed by default: all but the technical list of every entry) and as JSON, in a
child process whose peak memory is measured (targets: ≤ 60 s, peak ≤ 300 MB), then the
verification of that JSON (target ≤ 2 s).

Run by bench/run.py inside its temporary data folder (Django already set up and migrated); the
messages are sent through the messaging service, so each is a sealed record entry like in real
use. `BENCH_REPORT_MESSAGES` changes the count for a quick try.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

MESSAGES = int(os.environ.get("BENCH_REPORT_MESSAGES", "10000"))
PER_THREAD = 50
BATCH = 500
WORDS = "pickup school dentist weekend swap coat homework birthday trip football".split()


def _build() -> tuple[str, int]:
    """The first demo family with MESSAGES more messages; its id and a parent's user id."""
    from django.db import transaction

    from coparent.cli.demo_data import build_demo
    from coparent.families.models import Role
    from coparent.families.selectors import get_family_access
    from coparent.infra.notifications import notifications_off
    from coparent.messaging.services import message_send, thread_start

    demo = build_demo()[0]
    alex, sam = [u.user for u in demo.users if u.role == Role.PARENT][:2]
    family = demo.family
    access = {u.pk: get_family_access(u, family.pk) for u in (alex, sam)}
    thread = None
    with notifications_off():
        for start in range(0, MESSAGES, BATCH):
            with transaction.atomic():
                for i in range(start, min(start + BATCH, MESSAGES)):
                    sender = alex if i % 2 == 0 else sam
                    body = f"Message {i} about the {WORDS[i % len(WORDS)]}: see you at six."
                    if i % PER_THREAD == 0 or thread is None:
                        thread = thread_start(
                            access=access[sender.pk],
                            subject=f"Bench conversation {i // PER_THREAD}",
                            topic="other",
                            body=body,
                        ).thread
                    else:
                        message_send(access=access[sender.pk], thread=thread, body=body)
    return str(family.pk), alex.pk


def _child(family_id: str, user_id: int, out: str) -> None:
    """In its own process: export the record to JSON and to the PDF report, print the times
    and this process's peak memory."""
    import django

    django.setup()
    from coparent.accounts.models import User
    from coparent.families.selectors import get_family_access
    from coparent.records.export import build_export, export_json, render_pdf

    user = User.objects.get(pk=user_id)
    access = get_family_access(user, family_id)
    began = time.perf_counter()
    document = build_export(family=access.family, reader=user)
    Path(out).write_text(export_json(document))
    built = time.perf_counter()
    pdf = render_pdf(document, family=access.family, access=access)
    done = time.perf_counter()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak_kb = usage.ru_maxrss  # KB on Linux
    print(
        json.dumps(
            {
                "entries": len(document["entries"]),
                "json_s": built - began,
                "pdf_s": done - built,
                "pdf_bytes": len(pdf),
                "peak_mb": peak_kb / 1024,
                # The processor time of the whole child (imports included): on shared cores
                # the wall-clock time above also counts the time other processes had them.
                "cpu_s": usage.ru_utime + usage.ru_stime,
            }
        )
    )


def report(line: Callable[[str, str, str, bool], None]) -> list[bool]:
    from coparent.core.record.verify import check_bytes

    began = time.perf_counter()
    family_id, user_id = _build()
    made = time.perf_counter() - began
    line(f"report family: demo year + {MESSAGES:,} messages made", f"{made:,.0f} s", "none", True)
    out = str(Path(os.environ["COPARENT_DATA_DIR"]) / "report-bench.json")
    # Our own interpreter on our own script, with ids we just created: no outside input.
    child = subprocess.run(  # noqa: S603
        [sys.executable, __file__, "child", family_id, str(user_id), out],
        capture_output=True,
        text=True,
        check=False,
        env=os.environ.copy(),
    )
    if child.returncode != 0:
        print(child.stderr[-2000:])
        line("export to PDF and JSON", "failed", "≤ 60 s", False)
        return [False]
    figures = json.loads(child.stdout.strip().splitlines()[-1])
    total = figures["json_s"] + figures["pdf_s"]
    results = [total <= 60, figures["peak_mb"] <= 300]
    entries = f"{figures['entries']:,} entries"
    line(f"export {entries} to JSON and PDF report", f"{total:,.1f} s", "≤ 60 s", results[0])
    line("  of which JSON (built, checked, signed)", f"{figures['json_s']:,.1f} s", "none", True)
    line("  of which PDF (the default sections)", f"{figures['pdf_s']:,.1f} s", "none", True)
    line("  processor time of that export", f"{figures['cpu_s']:,.1f} s", "none", True)
    line("peak memory of that export", f"{figures['peak_mb']:,.0f} MB", "≤ 300 MB", results[1])

    def verify() -> None:
        # As `coparent verify FILE.json` does: read, parse (refusing duplicate keys), check.
        verdict, _doc = check_bytes(Path(out).read_bytes())
        assert verdict.ok, verdict

    start = time.perf_counter()
    verify()
    seconds = time.perf_counter() - start
    results.append(seconds <= 2)
    line(f"verify that JSON ({entries})", f"{seconds:,.2f} s", "≤ 2 s", results[-1])
    return results


if __name__ == "__main__" and sys.argv[1:2] == ["child"]:
    _child(sys.argv[2], int(sys.argv[3]), sys.argv[4])
