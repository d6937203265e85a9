"""The verifier page's work: check an export someone uploads — the JSON, or the PDF with its
JSON twin attached — and, if they give one, a checkpoint they kept, with the same Django-free
verifier a court's expert runs (coparent.core.record.verify). Nothing uploaded is stored."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _

from coparent.core.record.chain import public_key_text
from coparent.core.record.verify import (
    FORMAT,
    Verdict,
    check_bytes,
    checkpoint_problem,
    key_fingerprint,
)
from coparent.core.zones import zone_or_utc
from coparent.infra.errors import DomainError
from coparent.infra.keys import ensure_signing_key

# The largest upload the page checks: a busy family's year is a few megabytes of JSON; larger
# files are for `coparent verify`, offline, which has no limit.
MAX_UPLOAD_BYTES = 64 * 1024 * 1024
ATTACHMENT_PREFIX = "coparent-record-"


class UploadProblem(DomainError):
    """The upload is not something the verifier can check (named on the form's field)."""


@dataclass(frozen=True)
class Checked:
    verdict: Verdict
    family_name: str
    family_id: str
    head_seq: int
    signed_at: datetime | None  # when the server signed the head
    zone: ZoneInfo  # the export's own zone (its scope's), to read that time in
    fingerprint: str
    this_server: bool  # signed by this server's key
    from_pdf: bool
    checkpoint_given: bool
    checkpoint_problem: str | None  # None: extends the checkpoint (or none given)


def _json_in_pdf(raw: bytes) -> bytes:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        attachments = PdfReader(io.BytesIO(raw)).attachments
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise UploadProblem(
            _("This PDF cannot be read (%(why)s).") % {"why": exc}, field="file"
        ) from None
    for name, contents in attachments.items():
        if name.startswith(ATTACHMENT_PREFIX) and name.endswith(".json") and contents:
            return contents[0]
    raise UploadProblem(
        _("This PDF carries no Coparent record inside it: upload the record's PDF or JSON."),
        field="file",
    )


def _instant(text: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00")) if text else None
    except ValueError:
        return None


def too_large() -> str:
    return _("The file is larger than %(mb)s MB. Check it offline with coparent verify.") % {
        "mb": MAX_UPLOAD_BYTES // (1024 * 1024)
    }


def check_upload(raw: bytes, checkpoint: str = "") -> Checked:
    """Verify an uploaded export (and a checkpoint). Raises UploadProblem when the file is not
    a Coparent record export at all; a record that fails a check is a verdict, not an error."""
    if len(raw) > MAX_UPLOAD_BYTES:
        raise UploadProblem(too_large(), field="file")
    from_pdf = raw.startswith(b"%PDF-")
    if from_pdf:
        raw = _json_in_pdf(raw)
    verdict, doc = check_bytes(raw)
    if not isinstance(doc, dict):
        raise UploadProblem(
            _("This is neither a Coparent record export (JSON) nor its PDF."), field="file"
        )
    if doc.get("format") != FORMAT:
        raise UploadProblem(
            _("This JSON file is not a Coparent record export (%(format)s).") % {"format": FORMAT},
            field="file",
        )
    problem = None
    if verdict.ok and checkpoint.strip():
        problem = checkpoint_problem(doc, checkpoint)
    ours = public_key_text(ensure_signing_key(settings.DATA_DIR).public_key())
    head: Any = doc.get("head") if isinstance(doc.get("head"), dict) else {}
    family: Any = doc.get("family") if isinstance(doc.get("family"), dict) else {}
    scope: Any = doc.get("scope") if isinstance(doc.get("scope"), dict) else {}
    key = doc.get("public_key")
    try:
        fingerprint = key_fingerprint(key) if isinstance(key, str) else ""
    except ValueError:
        fingerprint = ""
    return Checked(
        verdict=verdict,
        family_name=str(family.get("name", "")),
        family_id=str(family.get("id", "")),
        head_seq=head.get("seq") if isinstance(head.get("seq"), int) else 0,
        signed_at=_instant(head.get("at")),
        zone=zone_or_utc(str(scope.get("timezone") or "UTC")),
        fingerprint=fingerprint,
        this_server=key == ours,
        from_pdf=from_pdf,
        checkpoint_given=bool(checkpoint.strip()),
        checkpoint_problem=problem,
    )
