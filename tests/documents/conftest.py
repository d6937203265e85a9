"""The documents folder's helpers: small real files and an upload as a parent makes it."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from coparent.documents.models import Document
from coparent.documents.services import document_add
from coparent.messaging import attachments
from coparent.messaging.attachments import IncomingFile
from tests.messaging.conftest import PDF_BYTES, jpeg_with_gps

CORRECTED_PDF = PDF_BYTES.replace(b"%%EOF", b"% corrected\n%%EOF")
PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00 This program cannot be run in DOS mode."

__all__ = ["CORRECTED_PDF", "PDF_BYTES", "PROGRAM", "jpeg_with_gps"]


@pytest.fixture(autouse=True)
def _own_uploads(settings, tmp_path):
    """Files go to a folder of this test's own: the suite's workers share one data folder, and
    "nothing was stored" must not see another test's upload."""
    settings.MEDIA_ROOT = tmp_path / "uploads"


def court_order(cast: Any, *, by: Any = None, **changes: Any) -> Document:
    """Alex puts the custody order, for Mia and Leo, in the family folder."""
    arguments: dict[str, Any] = {
        "title": "Custody order",
        "dated": date(2026, 3, 2),
        "category": "court_order",
        "children": [cast.mia.pk, cast.leo.pk],
        "file": IncomingFile("order.pdf", PDF_BYTES),
    }
    arguments.update(changes)
    return document_add(access=cast.access(by or cast.alex), **arguments)


def stored_files() -> set[str]:
    folder: Path = attachments.storage_dir()
    return {p.name for p in folder.iterdir()} if folder.exists() else set()
