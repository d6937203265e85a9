"""Exports of a family's record: the JSON proof for machines and the PDF for people.

The JSON is the ``coparent-record/1`` document that ``coparent verify`` (and the standalone
``verify.py``) checks offline. A selective export (some kinds, some dates) keeps the chain whole
by putting a stub - seq, kind, prev, hash - where an entry falls outside the scope, so a reader
still sees that nothing was dropped, only left out.

Before anything leaves the server every stored hash is recomputed: the database triggers stop
changes through the application, but an export must never sign over a chain that someone edited
behind its back (a restored old file, a hand-edited database). Used by the CLI and, later, by
the web pages and the API.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import hashlib
import io
import json
import logging
import subprocess
import sys
import tempfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from coparent.accounts.models import User
from coparent.core.paper import paper_for_zone
from coparent.core.record.chain import (
    GENESIS_PREV,
    entry_hash,
    format_at,
    key_fingerprint,
    public_key_text,
    seal_commitment,
    sign_head,
    stub_of,
)
from coparent.core.schedule import local_midnight
from coparent.core.when import DEFAULT_LOCALE, format_day, format_moment, zone_label
from coparent.core.zones import zone_or_utc
from coparent.families.models import Family, Membership
from coparent.families.selectors import FamilyAccess
from coparent.infra.keys import ensure_signing_key
from coparent.records.disclosure import (
    ADDRESS,
    AS_STORED,
    EntryView,
    entry_views,
    readable_data,
)
from coparent.records.models import Kind, RecordEntry
from coparent.records.report import (
    EVERY_ENTRY,
    RenderedSection,
    ReportScope,
    build_sections,
    period_of,
)
from coparent.records.summaries import SUMMARIES, summarize
from coparent.web.zones import reading_in

__all__ = ["SUMMARIES", "build_export", "render_pdf", "summarize"]

logger = logging.getLogger(__name__)

FORMAT = "coparent-record/1"
ALGORITHM = "Ed25519"


class ChainBroken(Exception):
    """The stored record does not hash up: entry ``seq`` is the first that fails."""

    def __init__(self, seq: int, reason: str) -> None:
        super().__init__(f"entry {seq}: {reason}")
        self.seq = seq
        self.reason = reason


def family_entries(family: Family) -> list[dict[str, Any]]:
    """Every entry of ``family``'s record, oldest first, exactly as it was hashed (one query)."""
    # Typed here: django-stubs reads the nullable actor_id as never None.
    rows: Iterator[tuple[int, str, str, int | None, Any, str, str]] = (
        RecordEntry.objects.filter(family=family)
        .order_by("seq")
        .values_list("seq", "at", "kind", "actor_id", "data", "prev", "hash")
        .iterator(chunk_size=2000)
    )
    return [
        {
            "seq": seq,
            "at": at,
            "kind": kind,
            "actor": None if actor_id is None else str(actor_id),
            "data": data,
            "prev": prev,
            "hash": digest,
        }
        for seq, at, kind, actor_id, data, prev, digest in rows
    ]


def check_chain(entries: Iterable[dict[str, Any]]) -> int:
    """Recompute every hash and link of a full record; return how many entries it has.

    Raises ``ChainBroken`` naming the first entry that is missing, out of place, not linked to
    the one before it, or whose contents no longer match its hash.
    """
    expected_prev, expected_seq = GENESIS_PREV, 1
    for entry in entries:
        seq = entry["seq"]
        if seq != expected_seq:
            raise ChainBroken(expected_seq, _("found entry %(seq)s in its place") % {"seq": seq})
        if entry["prev"] != expected_prev:
            raise ChainBroken(seq, _("its link to the entry before it does not match"))
        recomputed = entry_hash(
            seq=seq,
            at=entry["at"],
            kind=entry["kind"],
            actor=entry["actor"],
            data=entry["data"],
            prev=entry["prev"],
        )
        if recomputed != entry["hash"]:
            raise ChainBroken(seq, _("its contents do not match its stored hash"))
        expected_prev, expected_seq = entry["hash"], seq + 1
    return expected_seq - 1


def _in_scope(
    entry: dict[str, Any], kinds: set[str] | None, low: str | None, high: str | None
) -> bool:
    if kinds is not None and entry["kind"] not in kinds:
        return False
    # `at` is always "YYYY-MM-DDTHH:MM:SS.ffffffZ" in UTC, fixed width, so it compares with the
    # same text of the scope's first and last instants exactly as the instants do.
    if low is not None and entry["at"] < low:
        return False
    return not (high is not None and entry["at"] >= high)


def build_export(
    *,
    family: Family,
    reader: User | None = None,
    kinds: Sequence[str] | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    through_seq: int | None = None,
    zone: ZoneInfo | None = None,
) -> dict[str, Any]:
    """The ``coparent-record/1`` document for ``family``, head signed with the server's key.

    ``kinds`` and the inclusive dates ``date_from``/``date_to`` (calendar days in ``zone``, UTC by
    default; the scope names it) narrow the scope; entries
    outside it become stubs. ``through_seq`` ends the export at that entry (a background export
    ends at the entry that recorded its request, whatever was appended since). Raises
    ``ChainBroken`` if the stored record does not verify, and ``ValueError`` if ``date_from`` is
    after ``date_to``.

    ``reader`` is the member the export is for (records.disclosure): an entry they may not read
    and that holds its content in clear becomes a stub too (listed in ``withheld``; those held
    back because they hold the home address of a parent in safe mode are also listed in
    ``withheld_address``, so the PDF can say why), and each
    in-scope sealed entry they may read has its content disclosed (``disclosures``), which the
    verifier checks against the entry's commitment. Without a reader (the operator's command),
    entries go out as stored and no seal is opened.
    """
    if date_from is not None and date_to is not None and date_from > date_to:
        raise ValueError(_("The start date is after the end date."))
    entries = family_entries(family)
    check_chain(entries)
    if through_seq is not None:
        # check_chain proved that seq runs 1..N, so the first `through_seq` are exactly those.
        entries = entries[:through_seq]
    kind_set = set(kinds) if kinds else None
    zone = zone or ZoneInfo("UTC")
    low = format_at(local_midnight(zone, date_from)) if date_from else None
    high = format_at(local_midnight(zone, date_to + timedelta(days=1))) if date_to else None
    views = entry_views(family, reader, [(e["seq"], e["kind"], e["data"]) for e in entries])
    exported: list[dict[str, Any]] = []
    withheld: list[int] = []
    withheld_address: list[int] = []
    disclosures: list[dict[str, Any]] = []
    for entry in entries:
        view = views.get(entry["seq"], AS_STORED)
        if not _in_scope(entry, kind_set, low, high):
            exported.append(stub_of(entry))
        elif view.withheld:
            exported.append(stub_of(entry))
            withheld.append(entry["seq"])
            if view.reason == ADDRESS:
                withheld_address.append(entry["seq"])
        else:
            exported.append(entry)
            if view.opened is not None:
                # Like every hash above, a seal is checked before it leaves: a content edited
                # behind the triggers' back must stop the export, not go out beside the proof.
                if seal_commitment(view.opened) != entry["data"].get("sealed"):
                    raise ChainBroken(entry["seq"], _("its sealed content does not match it"))
                disclosures.append({"seq": entry["seq"], "sealed": view.opened})
    head_seq = entries[-1]["seq"] if entries else 0
    head_hash = entries[-1]["hash"] if entries else GENESIS_PREV
    exported_at = format_at(timezone.now())
    key = ensure_signing_key(settings.DATA_DIR)
    return {
        "format": FORMAT,
        "family": {"id": str(family.pk), "name": family.name},
        "exported_at": exported_at,
        "scope": {
            "kinds": sorted(kind_set) if kind_set is not None else None,
            "from": date_from.isoformat() if date_from else None,
            "to": date_to.isoformat() if date_to else None,
            "timezone": zone.key,
        },
        "entries": exported,
        "withheld": withheld,
        "withheld_address": withheld_address,
        "disclosures": disclosures,
        "head": sign_head(key, family=str(family.pk), seq=head_seq, hash=head_hash, at=exported_at),
        "public_key": public_key_text(key.public_key()),
        "algorithm": ALGORITHM,
    }


# --- The PDF ------------------------------------------------------------------------------------


def _kind_label(kind: str) -> str:
    try:
        return str(Kind(kind).label)
    except ValueError:
        return kind


def _human_at(at: str, zone: ZoneInfo, locale: str) -> str:
    """``2027-03-14T15:05:09.123456Z`` as people read it in the family's zone ("Mar 15, 2027,
    4:05 AM" in en-US, "15 Mar 2027, 04:05" in en-GB); the proof keeps the text as signed."""
    return format_moment(datetime.fromisoformat(at), zone, locale)


def _scope_day(text: object, locale: str) -> str:
    return format_day(date.fromisoformat(text), locale) if isinstance(text, str) else ""


@dataclass(frozen=True)
class PdfRow:
    seq: int
    stub: bool
    at: str = ""
    kind: str = ""
    actor: str = ""
    summary: str = ""
    # A stub that stands for an entry kept from this reader, not one outside the scope.
    withheld: bool = False
    # Kept from them because it holds the home address of a parent in safe mode (not because
    # it belongs to a conversation they are not part of).
    private_address: bool = False
    # A message's text, disclosed to this reader (its seal opened).
    text: str = ""


# The agreement's clauses are the family's shared rules: the PDF prints what was proposed and
# signed word for word, as it prints a message's text, so the document carries the agreement.
_CLAUSE_TEXT_KINDS = frozenset({Kind.AGREEMENT_CLAUSE_PROPOSED, Kind.AGREEMENT_CLAUSE_SIGNED})


def _clause_text(entry: dict[str, Any]) -> str:
    body = entry["data"].get("body") if entry["kind"] in _CLAUSE_TEXT_KINDS else None
    return body if isinstance(body, str) else ""


def _actor_names(family: Family) -> dict[str, str]:
    # Everyone who ever held a seat (ended ones too): actors of old entries may have left.
    members = Membership.objects.filter(family=family).select_related("user")
    return {str(m.user_id): m.user.display_name or m.user.email for m in members}


def export_html(
    export: dict[str, Any],
    *,
    family: Family,
    locale: str = DEFAULT_LOCALE,
    access: FamilyAccess | None = None,
    sections: Sequence[str] | None = None,
) -> str:
    """The HTML the PDF is made from: a cover page, the contents, the readable sections chosen
    (records.report; only for a member's export, `access`: the command's has none), every entry
    in a table, and how to check the proof. Times are in the family's zone, named once on the
    cover, written the way `locale` writes them."""
    zone = zone_or_utc(family.timezone)
    names = _actor_names(family)
    with reading_in(zone, locale):
        return _export_html(export, family, locale, zone, names, access, sections)


def _report(
    export: dict[str, Any],
    family: Family,
    locale: str,
    zone: ZoneInfo,
    names: dict[str, str],
    access: FamilyAccess | None,
    keys: Sequence[str] | None,
) -> tuple[dict[str, Any], list[PdfRow]]:
    """The report's context (cover, sections, proof) and the rows of its table of entries."""
    built: list[RenderedSection] = []
    first = stop = None
    if access is not None:
        first, stop = period_of(export, zone)
        report_scope = ReportScope(
            access=access,
            zone=zone,
            locale=locale,
            first=first,
            stop=stop,
            export=export,
            names=names,
        )
        built = build_sections(report_scope, keys)
    # The command's PDF (no sections) is the table of entries and the proof, as before.
    every_entry = not built or any(s.key == EVERY_ENTRY for s in built)
    withheld = set(export.get("withheld", ()))
    for_address = set(export.get("withheld_address", ()))
    opened = {item["seq"]: item["sealed"] for item in export.get("disclosures", ())}
    rows: list[PdfRow] = []
    for entry in export["entries"] if every_entry else ():
        seq = entry["seq"]
        if "at" not in entry:
            kind = _kind_label(entry["kind"])
            rows.append(
                PdfRow(
                    seq=seq,
                    stub=True,
                    kind=kind,
                    withheld=seq in withheld,
                    private_address=seq in for_address,
                )
            )
            continue
        actor = entry["actor"]
        view = EntryView(opened=opened[seq]) if seq in opened else AS_STORED
        body = view.opened.get("body") if view.opened else None
        rows.append(
            PdfRow(
                seq=seq,
                stub=False,
                at=_human_at(entry["at"], zone, locale),
                kind=_kind_label(entry["kind"]),
                actor=_("the system") if actor is None else names.get(actor, f"#{actor}"),
                summary=summarize(entry["kind"], readable_data(entry["kind"], entry["data"], view)),
                text=body if isinstance(body, str) else _clause_text(entry),
            )
        )
    # The first and the last full entries, without a copy of the list (it can be 10,000 long).
    full = (entry for entry in export["entries"] if "at" in entry)
    first_full = next(full, None)
    last_full = next((e for e in reversed(export["entries"]) if "at" in e), None)
    full_count = sum(1 for entry in export["entries"] if "at" in entry)
    scope = export["scope"]
    context = {
        "export": export,
        "sections": built,
        "every_entry": every_entry,
        "entry_count": len(export["entries"]),
        "exported_by": names.get(str(access.membership.user_id), "") if access else "",
        "period_first": format_day(first, locale) if first else "",
        "period_last": format_day(stop - timedelta(days=1), locale) if stop else "",
        "stubs": len(export["entries"]) - full_count - len(withheld),
        "withheld": len(withheld) - len(for_address),
        "withheld_address": len(for_address),
        "first_at": _human_at(first_full["at"], zone, locale) if first_full else "",
        "last_at": _human_at(last_full["at"], zone, locale) if last_full else "",
        "zone": zone_label(zone, timezone.now()),
        "scope_zone": scope.get("timezone") or "UTC",
        "scope_from": _scope_day(scope.get("from"), locale),
        "scope_to": _scope_day(scope.get("to"), locale),
        "kind_labels": [_kind_label(k) for k in scope["kinds"]] if scope["kinds"] else None,
        "exported_at": _human_at(export["exported_at"], zone, locale),
        "fingerprint": key_fingerprint(export["public_key"]),
        "attachment": attachment_name(export),
        "qr_svg": proof_qr_svg(export),
        "lang": locale.replace("_", "-"),
        "contents": [(s.anchor, s.title, None) for s in built],
    }
    return context, rows


def _export_html(
    export: dict[str, Any],
    family: Family,
    locale: str,
    zone: ZoneInfo,
    names: dict[str, str],
    access: FamilyAccess | None,
    keys: Sequence[str] | None,
) -> str:
    context, rows = _report(export, family, locale, zone, names, access, keys)
    return render_to_string("records/export/record.html", {**context, "rows": rows})


def export_json(export: dict[str, Any]) -> str:
    """The JSON file of an export, as the page, the API and the PDF's attachment give it."""
    return export_json_bytes(export).decode()


def export_json_bytes(export: dict[str, Any]) -> bytes:
    """`export_json`, UTF-8 encoded, written piece by piece: `json.dumps` with an indent builds
    a list of every small piece before joining them, several times the size of the file (70 MB
    of pieces for the 8 MB export of 10,000 messages)."""
    out = io.BytesIO()
    for chunk in json.JSONEncoder(ensure_ascii=False, indent=1).iterencode(export):
        out.write(chunk.encode())
    return out.getvalue()


def export_json_deflated(export: dict[str, Any]) -> tuple[bytes, int, bytes]:
    """`export_json_bytes` deflated (zlib) as it is written, with the size and the MD5 of the
    file itself: the PDF carries its twin so, and the whole file is never in memory."""
    packer = zlib.compressobj(9)
    digest = hashlib.md5()  # noqa: S324 - the embedded file's checksum (PDF), not a proof
    out, size = io.BytesIO(), 0
    for chunk in json.JSONEncoder(ensure_ascii=False, indent=1).iterencode(export):
        data = chunk.encode()
        size += len(data)
        digest.update(data)
        out.write(packer.compress(data))
    out.write(packer.flush())
    return out.getvalue(), size, digest.digest()


def attachment_name(export: dict[str, Any]) -> str:
    """The file name of the JSON twin inside the PDF: the family and the head it proves."""
    return f"coparent-record-{export['family']['id']}-{export['head']['seq']}.json"


def proof_qr_svg(export: dict[str, Any]) -> str:
    """A QR code of the proof's checkpoint line ("coparent-record/1 <family> <seq> <hash>"):
    a phone reads the head off the paper copy, to compare with a checkpoint it holds."""
    import qrcode
    import qrcode.image.svg

    head = export["head"]
    text = f"{FORMAT} {export['family']['id']} {head['seq']} {head['hash']}"
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    svg: str = image.to_string(encoding="unicode")
    return svg


# The layout child (records.layout) is started afresh once its memory passes this after a part.
LAYOUT_CHILD_MAX_RSS = 160 * 1024 * 1024
# Rows of the table of every entry laid out per part: a part of a few dozen pages lays out in
# a second or two and its memory is freed before the next (see render_pdf).
ENTRY_ROWS_PER_PART = 300
# The cover's page numbers before they are known: as wide as any real one, so the cover laid
# out with them takes as many pages as with the real numbers.
_PLACEHOLDER_PAGE = 99999


def _give_back_memory() -> None:
    """What is no longer referred to freed, and the C heap's free pages given back to the
    system (glibc keeps them otherwise, and they count in the export's peak)."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # pragma: no cover - not glibc
        pass


@dataclass(frozen=True)
class _Part:
    body: str
    # The anchor of the section (or "proof") this part opens, whose page the contents give.
    opens: str = ""


def _parts(context: dict[str, Any], rows: list[PdfRow]) -> Iterator[_Part]:
    """The report after its cover, piece by piece, in reading order: each section's pieces,
    the table of entries by ENTRY_ROWS_PER_PART rows, then the proof."""
    for section in context["sections"]:
        if section.key == EVERY_ENTRY:
            continue
        for index, html in enumerate(section.parts or ("",)):
            piece = {"anchor": section.anchor, "title": section.title, "html": html}
            body = render_to_string("records/export/_section.html", {**piece, "continued": index})
            yield _Part(body, "" if index else section.anchor)
    if context["every_entry"]:
        starts = range(0, len(rows), ENTRY_ROWS_PER_PART) if rows else range(1)
        for start in starts:
            piece = {**context, "continued": start}
            piece["rows"] = rows[start : start + ENTRY_ROWS_PER_PART]
            body = render_to_string("records/export/_entry_table.html", piece)
            yield _Part(body, "" if start else "section-entries")
    yield _Part(render_to_string("records/export/_proof.html", context), "proof")


class _LayoutChild:
    """The child process that lays the parts out (`records.layout`), one at a time, started
    again when its memory grows past LAYOUT_CHILD_MAX_RSS; ended with the report."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[str] | None = None

    def lay_out(self, html: Path, css: str, pdf: Path | None) -> int:
        """The part in `html` laid out with `css` (written to `pdf` unless None): its pages."""
        process = self._process
        if process is None:
            # Our own interpreter on our own module; the request names files in our folder.
            process = self._process = subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "coparent.records.layout"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                encoding="utf-8",
            )
        stdin, stdout = _pipes(process)
        request = {"html": str(html), "css": css, "pdf": str(pdf) if pdf else None}
        try:
            stdin.write(json.dumps(request) + "\n")
            stdin.flush()
            line = stdout.readline()
        except BrokenPipeError:
            line = ""
        if not line:
            self.close()
            raise RuntimeError("the PDF layout process ended before laying the part out")
        reply = json.loads(line)
        if "error" in reply:
            self.close()
            raise RuntimeError(f"the PDF layout failed: {reply['error']}")
        logger.debug("laid out %s: %s", html.name, reply)
        if reply["rss"] > LAYOUT_CHILD_MAX_RSS:
            self.close()  # a fresh child for the next part: WeasyPrint's caches go with it
        return int(reply["pages"])

    def close(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        stdin, stdout = _pipes(process)
        with contextlib.suppress(BrokenPipeError):
            stdin.close()  # the child's end of input: it exits
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:  # pragma: no cover - a child stuck in its layout
            process.kill()
            process.wait()
        stdout.close()


def _pipes(process: subprocess.Popen[str]) -> tuple[IO[str], IO[str]]:
    if process.stdin is None or process.stdout is None:  # pragma: no cover - opened with PIPE
        raise RuntimeError("the PDF layout process has no pipes")
    return process.stdin, process.stdout


def render_pdf(
    export: dict[str, Any],
    *,
    family: Family,
    locale: str = DEFAULT_LOCALE,
    progress: Callable[[int], None] | None = None,
    access: FamilyAccess | None = None,
    sections: Sequence[str] | None = None,
) -> bytes:
    """The export as a PDF for people, on the paper of the family's country (Letter or A4,
    `coparent.core.paper`), tagged for screen readers (PDF/UA-1), with the JSON twin attached
    inside it, so the PDF alone is enough to verify.

    Laid out in parts (WeasyPrint's time and memory grow faster than the document when it is
    laid out whole): the cover, each section (long ones in the pieces their builders give), the
    table of entries a few hundred rows at a time, and the proof. Each part's HTML is written to
    a file, laid out to PDF by a child process (`records.layout`: WeasyPrint's memory stays out
    of this one), then the parts are joined with their tags (`records.pdfjoin`). Page numbers
    run on from part to part; the cover, laid out last, gives each section's first page and the
    total.

    ``progress`` hears a percentage after each part is laid out.
    """
    from coparent.records.pdfjoin import Bookmark, Twin, join_parts

    report = progress or (lambda percent: None)
    zone = zone_or_utc(family.timezone)
    names = _actor_names(family)
    paper = paper_for_zone(family.timezone or "UTC")
    child = _LayoutChild()

    def write_part(body: str, name: str) -> Path:
        html = Path(folder) / f"{name}.html"
        html.write_text(
            render_to_string("records/export/part.html", {**context, "body": body}),
            encoding="utf-8",
        )
        return html

    def lay_out(html: Path, first_page: int, pdf: Path | None) -> int:
        css = render_to_string(
            "records/export/record.css", {"paper": paper, "first_page": first_page}
        )
        pages = child.lay_out(html, css, pdf)
        html.unlink()
        return pages

    def cover(pages: dict[str, int], total: int, pdf: Path | None) -> int:
        contents = [(a, t, pages.get(a, total)) for a, t, _page in context["contents"]]
        numbered = {
            **context,
            "contents": contents,
            "proof_page": pages.get("proof", total),
            "total_pages": total,
        }
        body = render_to_string("records/export/_cover.html", numbered)
        return lay_out(write_part(body, "cover"), 1, pdf)

    # Each part's HTML and PDF go to files, and the join reads the parts from there, one at a
    # time: nothing waits in memory for the last part. The folder goes with the PDF, made or
    # failed, and so does the child.
    with (
        reading_in(zone, locale),
        tempfile.TemporaryDirectory(prefix="coparent-pdf-") as folder,
        contextlib.closing(child),
    ):
        context, rows = _report(export, family, locale, zone, names, access, sections)
        parts = [
            (write_part(part.body, f"part-{index:05d}"), part.opens)
            for index, part in enumerate(_parts(context, rows), start=1)
        ]
        del rows
        # The sections' HTML is in the files now; the cover and the proof need their titles.
        context["sections"] = [replace(s, parts=()) for s in context["sections"]]
        _give_back_memory()
        report(5)
        cover_pages = cover({}, _PLACEHOLDER_PAGE, None)
        laid_out: list[Path] = []
        first_pages: dict[str, int] = {}
        page = cover_pages + 1
        count = len(parts)
        for index, (html, opens) in enumerate(parts, start=1):
            laid_out.append(html.with_suffix(".pdf"))
            if opens:
                first_pages[opens] = page
            page += lay_out(html, page, laid_out[-1])
            report(5 + 85 * index // count)
        laid_out.insert(0, Path(folder) / "part-00000.pdf")
        if cover(first_pages, page - 1, laid_out[0]) != cover_pages:  # pragma: no cover
            raise RuntimeError("the cover's page count changed with its page numbers")
        child.close()
        title = str(_("Family record: %(name)s") % {"name": family.name})
        deflated, size, md5 = export_json_deflated(export)
        twin = Twin(
            name=attachment_name(export),
            deflated=deflated,
            size=size,
            md5=md5,
            description=str(
                _("The JSON proof of this record (coparent-record/1): coparent verify FILE")
            ),
        )
        # One bookmark per section, and the proof, at the page the contents give (0-based);
        # the command's PDF has no contents but its table of entries gets one too.
        headings = [(anchor, str(heading)) for anchor, heading, _page in context["contents"]]
        if not headings and "section-entries" in first_pages:
            headings.append(("section-entries", str(_("Entries"))))
        headings.append(("proof", str(_("Proof"))))
        bookmarks = [Bookmark(h, first_pages[a] - 1) for a, h in headings if a in first_pages]
        # What the report's HTML left (the sections' lines, which refer to each other) is freed
        # before the join, whose memory grows with the document.
        context.clear()
        _give_back_memory()
        pdf = join_parts(laid_out, title=title, twin=twin, bookmarks=bookmarks)
    report(100)
    return pdf
