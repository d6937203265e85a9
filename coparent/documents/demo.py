"""The documents chapter of the demo stories (coparent/cli/demo_data.py): over the year a
family's folder fills the way a real one does — the court order (and its corrected copy), a
school report, a vaccination record, a doctor's letter — uploaded through the same service a
parent uses, so each is in the record with its SHA-256.

The files are real one-page PDFs, written here in a few hundred bytes (no renderer: the demo
stays quick), that pass the attachment checks like any upload.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from coparent.documents.models import Category, Document
from coparent.documents.services import document_add, version_add
from coparent.families.models import Child
from coparent.families.selectors import FamilyAccess
from coparent.messaging.attachments import IncomingFile


def _escaped(text: str) -> bytes:
    plain = text.encode("latin-1", "replace")
    return plain.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def one_page_pdf(title: str, lines: Sequence[str]) -> bytes:
    """A valid one-page PDF (Letter, Helvetica) with a title and lines of text, its cross
    reference table at the right offsets, and nothing active in it."""
    drawing = [b"BT", b"/F1 16 Tf", b"72 720 Td", b"(" + _escaped(title) + b") Tj", b"/F1 11 Tf"]
    drawing.append(b"0 -28 Td")
    for line in lines:
        drawing += [b"(" + _escaped(line) + b") Tj", b"0 -16 Td"]
    drawing.append(b"ET")
    stream = b"\n".join(drawing)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    table = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        table,
    )
    return bytes(out)


def _add(
    access: FamilyAccess,
    *,
    title: str,
    category: Category,
    dated: date,
    children: Sequence[Child],
    file_name: str,
    lines: Sequence[str],
    at: datetime,
) -> Document:
    return document_add(
        access=access,
        title=title,
        dated=dated,
        category=category,
        children=[c.pk for c in children],
        file=IncomingFile(file_name, one_page_pdf(title, lines)),
        at=at,
    )


def court_order(
    access: FamilyAccess,
    children: Sequence[Child],
    *,
    court: str,
    at: datetime,
    corrected_at: datetime,
) -> Document:
    """The parenting order, uploaded soon after it was made, then again as the court's
    corrected copy (a name misspelt in the first): two versions, both kept."""
    names = ", ".join(c.name for c in children)
    title = "Parenting order"
    lines = [court, f"Children: {names}", "Shared parenting as in the agreed plan."]
    order = _add(
        access,
        title=title,
        category=Category.COURT_ORDER,
        dated=(at.date().replace(day=1)),
        children=children,
        file_name="parenting-order.pdf",
        lines=lines,
        at=at,
    )
    version_add(
        access=access,
        document=order,
        file=IncomingFile(
            "parenting-order-corrected.pdf",
            one_page_pdf(title, [*lines, "Corrected copy: the spelling of a name amended."]),
        ),
        at=corrected_at,
    )
    return order


def school_report(
    access: FamilyAccess, child: Child, *, school: str, term: str, at: datetime
) -> Document:
    return _add(
        access,
        title=f"{child.name}'s {term} report",
        category=Category.SCHOOL_REPORT,
        dated=at.date(),
        children=[child],
        file_name=f"{child.name.lower()}-{term.lower().replace(' ', '-')}-report.pdf",
        lines=[school, f"Pupil: {child.name}", "Reading: secure. Maths: working towards."],
        at=at,
    )


def vaccination_record(access: FamilyAccess, child: Child, *, at: datetime) -> Document:
    return _add(
        access,
        title=f"{child.name}'s vaccination record",
        category=Category.VACCINATION_RECORD,
        dated=at.date(),
        children=[child],
        file_name="vaccinations.pdf",
        lines=[f"Patient: {child.name}", "MMR: 2 doses. DTaP: up to date. Flu: this season."],
        at=at,
    )


def medical_letter(access: FamilyAccess, child: Child, *, doctor: str, at: datetime) -> Document:
    return _add(
        access,
        title=f"Letter from {doctor}",
        category=Category.MEDICAL_LETTER,
        dated=at.date(),
        children=[child],
        file_name="doctor-letter.pdf",
        lines=[doctor, f"Re: {child.name}", "Mild asthma; inhaler before sport, as needed."],
        at=at,
    )
