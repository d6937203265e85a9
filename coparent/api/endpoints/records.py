"""The family record, page by page, exactly as it was hashed; its signed exports, prepared in the
background like the web's (the job is its asker's alone); and the verifier anyone may call."""

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, UploadedFile
from ninja.errors import HttpError
from ninja.responses import Status
from pydantic import AfterValidator, field_validator

from coparent.api.endpoints.families import family_access
from coparent.api.endpoints.messages import FORM_TYPES
from coparent.api.export_jobs import ExportJobOut, export_job_out, record_export_once
from coparent.api.idempotency import key_header, say_replayed
from coparent.api.schemas import (
    Day,
    ErrorOut,
    In,
    Offset,
    RecordEntryOut,
    RecordFilters,
    RecordPageOut,
    ValidationErrorOut,
    answers,
)
from coparent.infra import ratelimit
from coparent.records import jobs, verifier
from coparent.records.checkpoints import checkpoint_now
from coparent.records.disclosure import AS_STORED, entry_views
from coparent.records.forms import VerifyForm
from coparent.records.models import ExportJob, Kind
from coparent.records.report import section_choices
from coparent.records.selectors import get_export_job, record_entries
from coparent.web.zones import family_zone, request_locale

router = Router(tags=["record"])

MAX_PAGE = 500


class RecordPage(Schema):
    """`limit`/`offset` over `seq` order. The record only grows at its end, so a page once read
    never shifts: a client can resume from `offset = count` later."""

    limit: int = Field(100, ge=1, le=MAX_PAGE)
    offset: Offset = 0


@router.get(
    "/families/{uuid:family_id}/record",
    response=answers({200: RecordPageOut}, 403, 404, 422),
    summary="Family record entries in seq order (parents and professionals), paginated",
    description=(
        "Filters: `kind`, `actor` (user id), `from` and `to` (UTC dates, inclusive). Each item "
        "carries the fields its `hash` covers, so a client can verify the chain itself; a "
        "message's content is sealed, and opened only for the people in its conversation."
    ),
)
def record_list(
    request: HttpRequest,
    family_id: uuid.UUID,
    filters: Query[RecordFilters],
    page: Query[RecordPage],
) -> RecordPageOut:
    access = family_access(request, family_id)
    entries = record_entries(
        access,
        kind=filters.kind,
        actor_id=filters.actor,
        date_from=filters.date_from,
        date_to=filters.date_to,
    )
    count = entries.count()
    # The timeline reads newest first; the API pages in chain order, so a client can verify
    # each `prev` against the entry before it and resume where it stopped.
    rows = list(entries.order_by("seq")[page.offset : page.offset + page.limit])
    views = entry_views(
        access.family, access.membership.user, [(e.seq, e.kind, e.data) for e in rows]
    )
    items = []
    for entry in rows:
        view = views.get(entry.seq, AS_STORED)
        items.append(
            RecordEntryOut(
                seq=entry.seq,
                at=entry.at,
                kind=entry.kind,
                # The chain hashes the actor as the text of the user id, so that is what goes out.
                actor=None if entry.actor_id is None else str(entry.actor_id),
                data=None if view.withheld else entry.data,
                prev=entry.prev,
                hash=entry.hash,
                withheld=view.withheld,
                opened=view.opened,
            )
        )
    return RecordPageOut(items=items, count=count)


class CheckpointOut(Schema):
    seq: int = Field(..., description="How many entries the record held.")
    hash: str = Field(..., description="The hash of its last entry (64 zeros for none).")
    note: str = Field(
        ...,
        description=(
            "The signed checkpoint (transparency-log checkpoint form) to keep: "
            "`coparent verify EXPORT.json --checkpoint FILE` later proves the export extends it."
        ),
    )


@router.get(
    "/families/{uuid:family_id}/record/checkpoint",
    response=answers({200: CheckpointOut}, 403, 404),
    summary="A signed checkpoint of the record as it is now (parents and professionals)",
)
def record_checkpoint(request: HttpRequest, family_id: uuid.UUID) -> CheckpointOut:
    access = family_access(request, family_id)
    access.require_shared()
    signed = checkpoint_now(access.family)
    return CheckpointOut(seq=signed.seq, hash=signed.hash, note=signed.note)


# --- Exports: the record as a signed document, prepared in the background ---------------------


def _kind_item(value: str) -> str:
    if value not in Kind.values:
        raise ValueError(_("Choose one of the record's kinds (GET …/record lists them)."))
    return value


RecordKindName = Annotated[
    str,
    Field(max_length=64, json_schema_extra={"enum": list(Kind.values)}),
    AfterValidator(_kind_item),
]


class RecordExportIn(In):
    """What the web's export form takes (coparent.records.forms.ExportForm), as JSON."""

    file_format: ExportJob.Format = Field(
        ExportJob.Format.JSON,
        description="`json`: the signed coparent-record/1 document; `pdf`: it for people, "
        "with the JSON attached inside.",
    )
    kinds: list[RecordKindName] = Field(
        default_factory=list,
        max_length=len(Kind.values),
        description="Only these kinds; empty for the whole record. Entries left out stay in "
        "the chain as stubs, so the export still proves that nothing was removed.",
    )
    date_from: Day | None = Field(None, description="First day, in the family's zone.")
    date_to: Day | None = Field(None, description="Last day, in the family's zone.")
    sections: list[Annotated[str, Field(max_length=64)]] = Field(
        default_factory=list,
        max_length=50,
        description="The PDF's readable sections (the web form's keys); empty for every one.",
    )

    @field_validator("sections")
    @classmethod
    def _known_sections(cls, value: list[str]) -> list[str]:
        known = {key for key, _title in section_choices()}
        unknown = [s for s in value if s not in known]
        if unknown:
            raise ValueError(
                _("Unknown sections: %(names)s.") % {"names": ", ".join(sorted(unknown))}
            )
        return value


class RecordExportOut(ExportJobOut):
    """One of your record exports (its own name in the API's schema)."""


def _export_url(job: ExportJob, tail: str = "") -> str:
    return f"/api/v1/families/{job.family_id}/record/exports/{job.pk}{tail}"


def _export_out(job: ExportJob) -> RecordExportOut:
    return export_job_out(RecordExportOut, job, _export_url(job))


@router.post(
    "/families/{uuid:family_id}/record/exports",
    response=answers({202: RecordExportOut}, 400, 403, 404, 409, 422),
    summary="Export the record, signed, built in the background (parents and professionals)",
    description=(
        "The same export as the web's Export page: the request is itself recorded at once "
        "(`record.exported`, seen by the other parent), and the document is built up to that "
        "entry. Answers 202 with the job and its `status_url` (also in `Location`); poll it "
        "until `finished`, then GET its `download_url`. The asker is emailed a link when it is "
        "ready. Only the asker sees the job. An end date before the start date answers 400 "
        "with the error under `date_to`, and records nothing. With an `Idempotency-Key`, a "
        "retry of the same export answers the first job (202, the same `Location`, "
        "`Idempotent-Replayed: true`) and records nothing more."
    ),
)
def record_export_start(
    request: HttpRequest,
    family_id: uuid.UUID,
    payload: RecordExportIn,
    response: HttpResponse,
    idempotency_key: str | None = key_header("the first job", status=202),
) -> Status[RecordExportOut]:
    access = family_access(request, family_id)
    started = record_export_once(
        access=access,
        idempotency_key=idempotency_key,
        file_format=payload.file_format,
        kinds=payload.kinds or None,
        date_from=payload.date_from,
        date_to=payload.date_to,
        zone=family_zone(access.family),
        locale=request_locale(request),
        sections=payload.sections or None,
    )
    response["Location"] = _export_url(started.made)
    say_replayed(response, started.replayed)
    return Status(202, _export_out(started.made))


@router.get(
    "/families/{uuid:family_id}/record/exports/{uuid:job_id}",
    response=answers({200: RecordExportOut}, 403, 404),
    summary="One of your record exports: its status and progress (parents and professionals)",
)
def record_export_status(
    request: HttpRequest, family_id: uuid.UUID, job_id: uuid.UUID
) -> RecordExportOut:
    access = family_access(request, family_id)
    return _export_out(get_export_job(access, job_id))


@router.get(
    "/families/{uuid:family_id}/record/exports/{uuid:job_id}/download",
    response=answers({200: dict[str, Any]}, 403, 404),
    summary="A finished record export's file: the signed JSON document, or the PDF",
    description=(
        "The coparent-record/1 document (check it: POST /api/v1/record/verify, or offline "
        "`coparent verify`) for a JSON export, the PDF for a PDF one. 404 while it is not "
        "ready, once it has expired, and for another member's export."
    ),
)
def record_export_download(
    request: HttpRequest, family_id: uuid.UUID, job_id: uuid.UUID
) -> FileResponse:
    access = family_access(request, family_id)
    job = get_export_job(access, job_id)
    # The web download's name: the job's instant in the family's zone (20271130-1854).
    stamp = job.created_at.astimezone(family_zone(access.family)).strftime("%Y%m%d-%H%M")
    return jobs.download(job, f"coparent-record-{stamp}.{job.file_format}")


# --- The verifier: anyone holding an export checks it -----------------------------------------


class VerifyFamilyOut(Schema):
    id: str = Field(..., description="As the export names it (empty if it names none).")
    name: str


class RecordVerifyOut(Schema):
    valid: bool = Field(
        ..., description="The record is intact, and extends the checkpoint if one was given."
    )
    verdict: Literal["valid", "invalid"]
    summary: str = Field(..., description="The verifier page's answer, in plain words.")
    reason: str = Field(..., description="Why it is not valid; empty when valid.")
    first_bad_entry: int | None = Field(
        ..., description="The seq of the first entry that gives it away, when one does."
    )
    entries: int = Field(..., description="Entries in the export, stubs included.")
    stubs: int = Field(..., description="Entries outside the export's scope (number and kind).")
    checkpoint_given: bool
    extends_checkpoint: bool | None = Field(
        ...,
        description="Whether the export extends the checkpoint; null when none was given "
        "or the record itself fails.",
    )
    family: VerifyFamilyOut
    head_seq: int = Field(..., description="The last entry the server signed.")
    signed_at: datetime | None
    key_fingerprint: str
    this_server_key: bool = Field(
        ..., description="Signed with this server's key (GET /api/v1/record-key)."
    )
    from_pdf: bool = Field(..., description="Checked from the JSON attached inside a PDF.")


def _verdict_out(checked: verifier.Checked) -> RecordVerifyOut:
    """The verifier page's answer (records/verify.html), in the same words and translations."""
    verdict = checked.verdict
    valid = verdict.ok and checked.checkpoint_problem is None
    if valid:
        reason = ""
        said = [_("Valid") + ".", _("The record of “%(name)s” is intact.")]
        said[1] %= {"name": checked.family_name}
    elif verdict.ok:
        reason = str(checked.checkpoint_problem)
        said = [_("Not valid") + ".", _("The record does not extend your checkpoint.")]
        said.append(capfirst(reason) + ".")
    else:
        reason = verdict.reason
        said = [_("Not valid") + ".", _("The record fails the check.")]
        if verdict.bad_seq:
            said.append(
                _("The first entry that gives it away is entry %(seq)s:") % {"seq": verdict.bad_seq}
            )
        said.append(reason + ".")
    summary = " ".join(said)
    return RecordVerifyOut(
        valid=valid,
        verdict="valid" if valid else "invalid",
        summary=summary,
        reason=reason,
        first_bad_entry=None if verdict.ok else verdict.bad_seq,
        entries=verdict.entries,
        stubs=verdict.stubs,
        checkpoint_given=checked.checkpoint_given,
        extends_checkpoint=(
            checked.checkpoint_problem is None if checked.checkpoint_given and verdict.ok else None
        ),
        family=VerifyFamilyOut(id=checked.family_id, name=checked.family_name),
        head_seq=checked.head_seq,
        signed_at=checked.signed_at,
        key_fingerprint=checked.fingerprint,
        this_server_key=checked.this_server,
        from_pdf=checked.from_pdf,
    )


@router.post(
    "/record/verify",
    # No 401: anyone may call it, like the page (and GET /record-key).
    response={
        200: RecordVerifyOut,
        400: ErrorOut,
        415: ErrorOut,
        422: ValidationErrorOut,
        429: ErrorOut,
    },
    auth=None,
    summary="Check a record export (anyone; multipart/form-data)",
    description=(
        "The verifier page (/verify/) for scripts, with the same checks as `coparent verify`: "
        "a `file` part (the export's JSON, or its PDF with the JSON inside) and, optionally, "
        "a checkpoint kept earlier, as `checkpoint` text (the signed note, or `SEQ:HASH`) or a "
        "`checkpoint_file` part. A record that fails a check is a 200 with `valid` false and "
        "why; a file that is not a Coparent record export (not JSON, another format, a PDF "
        "without the record inside, over 64 MB) answers 400 with the error under `file`. "
        "Public like the page, nothing is stored, and limited to 30 checks an hour per client "
        "(429)."
    ),
)
def record_verify(
    request: HttpRequest,
    file: Annotated[
        UploadedFile | None, File(None, description="The export's JSON or PDF.")
    ] = None,
    checkpoint: Annotated[str, Form("", max_length=2000)] = "",
    checkpoint_file: Annotated[UploadedFile | None, File(None)] = None,
) -> RecordVerifyOut:
    if request.content_type not in FORM_TYPES:
        raise HttpError(415, _("Send multipart/form-data here (a `file` part)."))
    ratelimit.hit(request, "record_verify")
    # The page's own form and checks (coparent.records.views.verify_page).
    form = VerifyForm(request.POST, request.FILES)
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    upload = form.cleaned_data["file"]
    if upload.size > verifier.MAX_UPLOAD_BYTES:
        raise verifier.UploadProblem(verifier.too_large(), field="file")
    return _verdict_out(verifier.check_upload(upload.read(), form.checkpoint_text()))
