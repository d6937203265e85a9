"""Lay out the parts of the record's PDF in a child process of their own (records.export).

WeasyPrint keeps what it laid out in caches and in a heap fragmented by millions of small boxes:
in the process that made the export, the layout of a 10,000-message report stood some 75 MB
above what the export itself needed, and the join (records.pdfjoin) then added its own 120 MB
on top. So `render_pdf` asks this module, started as ``python -m coparent.records.layout``, to
lay each part out: it imports WeasyPrint alone (no Django, no database, nothing of the family
but the part's HTML, which the parent wrote to a file in its own temporary folder), reads one
request a line on its standard input and answers one line on its standard output:

    {"html": "/tmp/…/part-00001.html", "css": "@page {…}", "pdf": "/tmp/…/part-00001.pdf"}
    {"pages": 14, "rss": 98123776, "peak": 141033472}

``pdf`` null lays the part out to count its pages only (the cover, before the numbers it gives
are known). ``rss`` is the child's resident memory after the part, ``peak`` its highest since it
started (read from /proc: the kernel's own figure would also count the parent's pages the child
borrowed until it started Python): the parent ends the child and starts a fresh one when it
grows past `records.export.LAYOUT_CHILD_MAX_RSS`, so WeasyPrint's caches never pile up. A part
that fails answers ``{"error": "…"}`` and the parent raises it. Only one child runs at a time,
and the parent waits while it works: the export's memory is the parent's plus one child's.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any


def resident_bytes() -> int:
    """This process's resident memory now (Linux; 0 where /proc is not there)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")


def peak_bytes() -> int:
    """This process's highest resident memory since `_forget_peak` (Linux; 0 elsewhere)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _forget_peak() -> None:
    # Started from a big parent, the child's high-water mark begins at the parent's size (the
    # pages it borrowed until exec): 5 resets it to what this process holds (Linux).
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def lay_out(request: dict[str, Any]) -> dict[str, Any]:
    """One request: the part laid out, written to its PDF when asked, its page count."""
    import weasyprint  # imported in the child only

    html = Path(request["html"]).read_text(encoding="utf-8")
    document = weasyprint.HTML(string=html).render(
        stylesheets=[weasyprint.CSS(string=request["css"])]
    )
    pages = len(document.pages)
    if request.get("pdf"):
        document.write_pdf(request["pdf"], pdf_variant="pdf/ua-1")
    del document
    return {"pages": pages, "rss": resident_bytes(), "peak": peak_bytes()}


def main() -> int:
    _forget_peak()
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            reply = lay_out(json.loads(line))
        except Exception as error:  # noqa: BLE001 - reported to the parent, which raises it
            reply = {"error": f"{type(error).__name__}: {error}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
