"""Report figures for `make bench` (issue #16): the record of a family with a year of
everything (the first demo family) and 10,000 more messages, exported as its PDF report (the
sections printed by default: all but the technical list of every entry) and as JSON, in a
child process whose peak memory is measured (targets: ≤ 60 s, peak ≤ 300 MB), then the
verification of that JSON (target ≤ 2 s).

The export lays its PDF out in processes of its own (records.layout, one at a time), so the
peak is that of the whole process tree: this process samples, every 20 ms, the sum of the
resident memory (RSS) of the export's process and of all its descendants, and takes the highest
sum. The kernel's own peaks (VmHWM of the export's process, and ru_maxrss of the largest of
the processes it waited for) are a floor under that figure, since a sample can fall between two
peaks: the figure printed is the highest of the three. Not ru_maxrss for the export's process:
Linux carries the launching process's peak across exec into it, and the launcher here is
bench/run.py, grown by the benches before this one (395 MB after the 50,000-message one), so
ru_maxrss would report the bench's size, not the export's. VmHWM is the peak of the export's
own address space, which starts at exec. A sum of RSS counts shared library pages
once per process, so it is if anything above the memory really used.

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
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

# How often the export's process tree is sampled for its memory (seconds).
SAMPLE_EVERY = 0.02
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
    # The peak resident memory of this process's own address space since exec (kB), unlike
    # ru_maxrss, which starts at the launcher's peak (see the module's docstring).
    status = Path("/proc/self/status").read_text()
    hwm_kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
    # The layout processes this one started and waited for (records.layout).
    waited = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        json.dumps(
            {
                "entries": len(document["entries"]),
                "json_s": built - began,
                "pdf_s": done - built,
                "pdf_bytes": len(pdf),
                "self_peak_mb": hwm_kb / 1024,
                # Printed beside it, not counted: it includes the launcher's peak.
                "self_maxrss_mb": usage.ru_maxrss / 1024,  # KB on Linux
                # The largest of the waited-for children's peaks (not their sum): a floor. The
                # layout processes (records.layout), and any other child (ctypes runs ldconfig).
                # It may include what a child borrowed from this process until it started
                # Python, so it can overstate that child, never the tree.
                "child_peak_mb": waited.ru_maxrss / 1024,
                # The processor time of the whole export (imports and layout processes
                # included): on shared cores the wall-clock time above also counts the time
                # other processes had them.
                "cpu_s": usage.ru_utime + usage.ru_stime + waited.ru_utime + waited.ru_stime,
            }
        )
    )


def _run_sampled(command: list[str]) -> tuple[subprocess.CompletedProcess[str], int, int]:
    """`command` run to its end while its process tree's resident memory is sampled: its
    result, the highest sum of RSS over the tree, and how many samples were taken."""
    import psutil

    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        # Our own interpreter on our own script, with ids we just created: no outside input.
        process = subprocess.Popen(  # noqa: S603
            command, stdout=out, stderr=err, text=True, env=os.environ.copy()
        )
        root = psutil.Process(process.pid)
        peak = samples = 0
        while process.poll() is None:
            total = 0
            try:
                tree = [root, *root.children(recursive=True)]
            except psutil.Error:
                tree = []
            for member in tree:
                try:
                    total += member.memory_info().rss
                except psutil.Error:
                    pass  # ended between the listing and the reading
            peak, samples = max(peak, total), samples + 1
            time.sleep(SAMPLE_EVERY)
        out.seek(0)
        err.seek(0)
        result = subprocess.CompletedProcess(command, process.returncode, out.read(), err.read())
    return result, peak, samples


def report(line: Callable[[str, str, str, bool], None]) -> list[bool]:
    from coparent.core.record.verify import check_bytes

    began = time.perf_counter()
    family_id, user_id = _build()
    made = time.perf_counter() - began
    line(f"report family: demo year + {MESSAGES:,} messages made", f"{made:,.0f} s", "none", True)
    out = str(Path(os.environ["COPARENT_DATA_DIR"]) / "report-bench.json")
    load = os.getloadavg()
    child, sampled, samples = _run_sampled(
        [sys.executable, __file__, "child", family_id, str(user_id), out]
    )
    if child.returncode != 0:
        print(child.stderr[-2000:])
        line("export to PDF and JSON", "failed", "≤ 60 s", False)
        return [False]
    figures = json.loads(child.stdout.strip().splitlines()[-1])
    total = figures["json_s"] + figures["pdf_s"]
    sampled_mb = sampled / 2**20
    peak_mb = max(sampled_mb, figures["self_peak_mb"], figures["child_peak_mb"])
    results = [total <= 60, peak_mb <= 300]
    entries = f"{figures['entries']:,} entries"
    line(f"export {entries} to JSON and PDF report", f"{total:,.1f} s", "≤ 60 s", results[0])
    line("  of which JSON (built, checked, signed)", f"{figures['json_s']:,.1f} s", "none", True)
    line("  of which PDF (the default sections)", f"{figures['pdf_s']:,.1f} s", "none", True)
    line("  processor time of that export", f"{figures['cpu_s']:,.1f} s", "none", True)
    # The machine's load (1-minute average) as the export began and ended: on shared cores the
    # wall-clock time depends on it more than on the export.
    end_load = os.getloadavg()[0]
    line("  load average as it began → ended", f"{load[0]:.1f} → {end_load:.1f}", "none", True)
    line("peak memory of that export (process tree)", f"{peak_mb:,.0f} MB", "≤ 300 MB", results[1])
    line(
        f"  highest sum of RSS over the tree ({samples:,} samples)",
        f"{sampled_mb:,.0f} MB",
        "none",
        True,
    )
    line("  VmHWM of the export's process", f"{figures['self_peak_mb']:,.0f} MB", "none", True)
    line(
        "  its ru_maxrss (with the launcher's peak; not counted)",
        f"{figures['self_maxrss_mb']:,.0f} MB",
        "none",
        True,
    )
    line(
        "  ru_maxrss of its largest child process",
        f"{figures['child_peak_mb']:,.0f} MB",
        "none",
        True,
    )

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
