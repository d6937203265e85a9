"""The monthly statement as a PDF, rendered the way the agreement's is (WeasyPrint, HTML and
CSS; coparent.agreements.document), in the family's zone (the view has set it)."""

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


def statement_pdf(request: HttpRequest, **context: Any) -> bytes:
    """The statement of one month, and the balance as it stands, as a PDF."""
    import weasyprint  # imported here: it loads Pango, which only PDF rendering needs

    # Rendered without the request's context processors: the document fetches nothing.
    html = render_to_string(
        "expenses/statement_document.html",
        {**context, "generated_at": timezone.now(), "request": request},
    )
    document = weasyprint.HTML(string=html).render(
        stylesheets=[weasyprint.CSS(string=stylesheet())]
    )
    pdf: bytes | None = document.write_pdf()
    assert pdf is not None  # noqa: S101 - write_pdf without a target always returns the bytes
    return pdf
