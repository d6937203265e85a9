"""The agreement as a document: one template for the print-friendly page and the PDF, rendered
to PDF the way the record's export is (WeasyPrint, HTML and CSS; coparent.records.export), in
the family's zone (the view has set it, coparent.web.zones)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

STYLESHEET = "agreements/document.css"


def stylesheet() -> str:
    found = finders.find(STYLESHEET)
    if not isinstance(found, str):
        raise FileNotFoundError(STYLESHEET)
    return Path(found).read_text(encoding="utf-8")


def agreement_html(request: HttpRequest, **context: Any) -> str:
    # Rendered without the request's context processors: the document holds only the
    # agreement (no header, no notification count), and its PDF fetches nothing.
    return render_to_string(
        "agreements/document.html",
        {**context, "pdf": True, "generated_at": timezone.now(), "request": request},
    )


def agreement_pdf(request: HttpRequest, **context: Any) -> bytes:
    """The agreement in force and the clauses waiting, as a PDF."""
    import weasyprint  # imported here: it loads Pango, which only PDF rendering needs

    html = agreement_html(request, **context)
    document = weasyprint.HTML(string=html).render(
        stylesheets=[weasyprint.CSS(string=stylesheet())]
    )
    pdf: bytes | None = document.write_pdf()
    assert pdf is not None  # noqa: S101 - write_pdf without a target always returns the bytes
    return pdf
