"""`coparent export` (a family's record as signed JSON, and a PDF) and `coparent verify` (an
export checked offline by the standalone verifier, with no Django at all)."""

from __future__ import annotations

import argparse
import json
import uuid
from datetime import date
from pathlib import Path

from coparent.cli.common import fail, setup


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2027-03-14") from None


def export(ns: argparse.Namespace) -> int:
    setup()
    from coparent.core.record.chain import key_fingerprint
    from coparent.families.models import Family
    from coparent.records.export import ChainBroken, build_export, render_pdf
    from coparent.records.models import Kind

    try:
        family_id = uuid.UUID(ns.family)
    except ValueError:
        return fail(f"{ns.family!r} is not a family id (a UUID).")
    # The operator's command acts with the server's own authority, not a member's, so it
    # fetches the family directly rather than through a member's access path.
    family = Family.objects.filter(pk=family_id).first()
    if family is None:
        return fail(f"there is no family with id {family_id}.")
    unknown = sorted(set(ns.kinds or []) - set(Kind.values))
    if unknown:
        return fail(f"unknown kind {', '.join(unknown)}; the kinds are: {', '.join(Kind.values)}.")
    try:
        export = build_export(
            family=family, kinds=ns.kinds, date_from=ns.date_from, date_to=ns.date_to
        )
    except ChainBroken as exc:
        return fail(
            f"refusing to export: the stored record of {family.name} is broken at entry "
            f"{exc.seq} ({exc.reason}). Restore a backup, or have the database examined."
        )
    except ValueError as exc:
        return fail(str(exc))
    out = Path(ns.out)
    out.write_text(json.dumps(export, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    entries = export["entries"]
    stubs = sum(1 for entry in entries if "at" not in entry)
    head = export["head"]
    print(
        f"Exported {len(entries)} entries of {family.name} to {out}"
        + (f" ({stubs} outside the scope, kept as stubs)." if stubs else ".")
    )
    print(
        f"Head: entry {head['seq']}, hash {head['hash']}, signed by key "
        f"{key_fingerprint(export['public_key'])}."
    )
    if ns.pdf:
        Path(ns.pdf).write_bytes(render_pdf(export, family=family))
        print(f"PDF: {ns.pdf}")
    print(f"Check it with: coparent verify {out}")
    return 0


def _json_twin(pdf: Path, folder: str) -> Path | None:
    """The record's JSON attached inside its PDF, saved beside nothing else in `folder`."""
    from pypdf import PdfReader

    for name, contents in PdfReader(pdf).attachments.items():
        if name.startswith("coparent-record-") and name.endswith(".json") and contents:
            twin = Path(folder) / name
            twin.write_bytes(contents[0])
            return twin
    return None


def verify(ns: argparse.Namespace) -> int:
    # Deliberately no Django: the standalone verifiers alone decide (a journal export goes to
    # verify_journal, anything else to the family record's verify). A PDF is checked through
    # the JSON twin attached inside it.
    import tempfile

    from coparent.core.record.verify_journal import main as verify_main

    checkpoint = ["--checkpoint", ns.checkpoint] if ns.checkpoint else []
    path = Path(ns.file)
    try:
        is_pdf = path.read_bytes()[:5] == b"%PDF-"
    except OSError:
        is_pdf = False
    if not is_pdf:
        return verify_main([ns.file, *checkpoint])
    with tempfile.TemporaryDirectory() as folder:
        try:
            twin = _json_twin(path, folder)
        except Exception as exc:  # noqa: BLE001 - any unreadable PDF is one clear answer
            print(f"INVALID: the PDF cannot be read ({exc})")
            return 1
        if twin is None:
            print("INVALID: the PDF carries no Coparent record inside it")
            return 1
        print(f"Checking {twin.name}, attached inside {path.name}:")
        return verify_main([str(twin), *checkpoint])


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "export", help="export a family's record as signed JSON (and a PDF)"
    )
    parser.add_argument("--family", required=True, metavar="ID", help="the family's id")
    parser.add_argument("--out", required=True, metavar="FILE.json")
    parser.add_argument("--pdf", metavar="FILE.pdf", help="also write a PDF for people")
    parser.add_argument(
        "--kind",
        dest="kinds",
        action="append",
        metavar="KIND",
        help="only entries of this kind (repeatable); others become stubs",
    )
    parser.add_argument("--from", dest="date_from", type=_date, metavar="YYYY-MM-DD")
    parser.add_argument("--to", dest="date_to", type=_date, metavar="YYYY-MM-DD")
    parser.set_defaults(handler=export)

    parser = commands.add_parser("verify", help="check an export file offline")
    parser.add_argument("file", metavar="FILE.json|FILE.pdf")
    parser.add_argument(
        "--checkpoint",
        metavar="SEQ:HASH|FILE",
        help="also prove the export extends a checkpoint you kept (nothing up to it changed)",
    )
    parser.set_defaults(handler=verify)
