"""The monthly statement and the year per child as PDFs, rendered the way the agreement's is
(WeasyPrint, HTML and CSS; coparent.agreements.document), in the family's zone (the view has
set it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

STYLESHEET = "expenses/statement.css"


def stylesheet() -> str:
    found = finders.find(STYLESHEET)
    if not isinstance(found, str):
        raise FileNotFoundError(STYLESHEET)
    return Path(found).read_text(encoding="utf-8")


def _pdf(template: str, request: HttpRequest, context: dict[str, Any]) -> bytes:
    import weasyprint  # imported here: it loads Pango, which only PDF rendering needs

    # Rendered without the request's context processors: the document fetches nothing.
    html = render_to_string(
        template, {**context, "generated_at": timezone.now(), "request": request}
    )
    document = weasyprint.HTML(string=html).render(
        stylesheets=[weasyprint.CSS(string=stylesheet())]
    )
    pdf: bytes | None = document.write_pdf()
    assert pdf is not None  # noqa: S101 - write_pdf without a target always returns the bytes
    return pdf


def statement_pdf(request: HttpRequest, **context: Any) -> bytes:
    """The statement of one month, and the balance as it stands, as a PDF."""
    return _pdf("expenses/statement_document.html", request, context)


def year_pdf(request: HttpRequest, **context: Any) -> bytes:
    """The year per child for tax time: each child's expenses and totals by category."""
    return _pdf("expenses/year_document.html", request, context)
