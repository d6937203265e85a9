"""Writes to the family's documents folder: a document with its first file, and a newer file
for it that keeps the earlier (a new version).

Only parents upload. Each upload is one transaction with its record entry, which names the
document (title, category, date, children) and the file (name, size, type, SHA-256), so the
family's exports list every document and prove each file's bytes. A file is checked and made
safe (coparent.messaging.attachments: type from the bytes, photos redrawn, PDFs scanned, size
limit) before the transaction opens, written before it, and removed if it does not commit: a
refused upload leaves no row, no file and no record entry.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coparent.accounts.models import User
from coparent.core.limits import date_in_range
from coparent.documents.models import (
    TITLE_MAX_CHARS,
    Category,
    Document,
    DocumentChild,
    DocumentVersion,
)
from coparent.families.models import Child
from coparent.families.selectors import FamilyAccess, children_of
from coparent.infra.errors import DomainError, Problem
from coparent.infra.labels import label_problem
from coparent.messaging import attachments as files
from coparent.messaging import idempotency
from coparent.messaging.attachments import IncomingFile, PreparedFile
from coparent.records.models import Kind
from coparent.records.services import record_append


class DocumentProblem(DomainError):
    """A document or a version that cannot be kept as given."""


def _name(user: User) -> str:
    return user.display_name or user.email


def _title(value: str, problems: list[Problem]) -> str:
    text = (value or "").strip()
    if not text:
        problems.append(("title", _("Give the document a title.")))
    elif (hidden := label_problem(text)) is not None:
        problems.append(("title", hidden))
    elif len(text) > TITLE_MAX_CHARS:
        problems.append(
            (
                "title",
                _("At most %(limit)d characters (this has %(n)d).")
                % {"limit": TITLE_MAX_CHARS, "n": len(text)},
            )
        )
    return text


def _children(
    access: FamilyAccess, values: Sequence[object], problems: list[Problem]
) -> list[Child]:
    """The family's children named by `values` (ids or children); any other is a problem."""
    ids: list[uuid.UUID] = []
    for value in values:
        raw = value.pk if isinstance(value, Child) else value
        try:
            ids.append(uuid.UUID(str(raw)))
        except ValueError:
            problems.append(("children", _("Choose among the family's children.")))
            return []
    wanted = list(dict.fromkeys(ids))
    found = {c.pk: c for c in children_of(access).filter(pk__in=wanted)} if wanted else {}
    if len(found) != len(wanted):
        problems.append(("children", _("Choose among the family's children.")))
        return []
    return [found[pk] for pk in wanted]


def _prepare(file: IncomingFile | None, problems: list[Problem]) -> PreparedFile | None:
    """The file checked and made safe, or None with its problem under "file"."""
    if file is None or (not file.name and not file.data):
        problems.append(("file", _("Choose the file to upload (a PDF or a photo).")))
        return None
    try:
        return files.prepare(file)
    except ValidationError as error:
        problems.extend(("file", message) for message in error.messages)
        return None


def _file_data(version: DocumentVersion) -> dict[str, object]:
    return {
        "version_id": str(version.pk),
        "name": version.name,
        "size": version.size,
        "content_type": version.content_type,
        # The SHA-256 fixes the file's bytes: the record proves what was uploaded.
        "sha256": version.sha256,
    }


def _entry_data(
    document: Document, children: Sequence[Child], version: DocumentVersion
) -> dict[str, object]:
    return {
        "document": str(document.pk),
        "version": version.number,
        "name": _name(version.uploaded_by),
        "title": document.title,
        "category": document.category,
        "date": document.dated.isoformat(),
        "children": [{"child": str(c.pk), "name": c.name} for c in children],
        "file": _file_data(version),
    }


def document_add(
    *,
    access: FamilyAccess,
    title: str,
    dated: date | None,
    category: str,
    children: Sequence[object] = (),
    file: IncomingFile | None,
    at: datetime | None = None,
    idempotency_key: str | None = None,
) -> Document:
    """A parent puts a document in the family folder with its first file. With an
    `idempotency_key` a retry returns the first document and keeps nothing new."""
    access.require_parent()
    once = idempotency.once(
        access=access,
        key=idempotency_key,
        operation="document_create",
        fields={
            "title": title,
            "date": dated.isoformat() if dated else None,
            "category": category,
            "children": sorted(str(getattr(c, "pk", c)) for c in children),
        },
        files=[file] if file is not None else [],
    )

    def work() -> Document:
        problems: list[Problem] = []
        clean_title = _title(title, problems)
        if dated is None:
            problems.append(("date", _("Enter the document's date.")))
        elif not date_in_range(dated):
            problems.append(("date", _("Enter a date between 1901 and 2198.")))
        if category not in Category.values:
            problems.append(("category", _("Choose a category.")))
        kids = _children(access, children, problems)
        prepared = _prepare(file, problems)
        if problems or prepared is None or dated is None:
            raise DocumentProblem(problems)
        now = at or timezone.now()
        user = access.membership.user
        stored_name = files.store(prepared)
        try:
            with transaction.atomic():
                document = Document.objects.create(
                    family=access.family,
                    title=clean_title,
                    dated=dated,
                    category=category,
                    created_by=user,
                    created_at=now,
                )
                DocumentChild.objects.bulk_create(
                    DocumentChild(family=access.family, document=document, child=c) for c in kids
                )
                version = _version_row(access, document, 1, prepared, stored_name, now)
                record_append(
                    family=access.family,
                    kind=Kind.DOCUMENT_ADDED,
                    actor=user,
                    at=now,
                    data=_entry_data(document, kids, version),
                )
                once.remember(document.pk)
        except BaseException:
            files.remove([stored_name])
            raise
        return document

    # A twin request with the same key, at the same instant, gets the first document.
    return once.attempt(work, lambda pk: Document.objects.get(family=access.family, pk=pk)).made


def _version_row(
    access: FamilyAccess,
    document: Document,
    number: int,
    prepared: PreparedFile,
    stored_name: str,
    now: datetime,
) -> DocumentVersion:
    return DocumentVersion.objects.create(
        family=access.family,
        document=document,
        number=number,
        uploaded_by=access.membership.user,
        name=prepared.name,
        content_type=prepared.content_type,
        size=len(prepared.data),
        sha256=prepared.sha256,
        stored_name=stored_name,
        created_at=now,
    )


def version_add(
    *,
    access: FamilyAccess,
    document: Document,
    file: IncomingFile | None,
    at: datetime | None = None,
) -> DocumentVersion:
    """A parent uploads a newer file for a document (a corrected order, this term's report);
    every earlier version stays as it was."""
    access.require_parent()
    if document.family_id != access.family.pk:
        raise DocumentProblem(_("This document is not in the family's folder."), field="document")
    problems: list[Problem] = []
    prepared = _prepare(file, problems)
    if problems or prepared is None:
        raise DocumentProblem(problems)
    now = at or timezone.now()
    stored_name = files.store(prepared)
    try:
        with transaction.atomic():
            last = (
                DocumentVersion.objects.filter(document=document)
                .order_by("-number")
                .values_list("number", flat=True)
                .first()
            )
            # Two uploads at once both read the same last number: the unique constraint makes
            # the second fail (its file goes, and it is told) rather than share a number.
            version = _version_row(access, document, (last or 0) + 1, prepared, stored_name, now)
            kids = list(document.children.order_by("date_of_birth", "name"))
            record_append(
                family=access.family,
                kind=Kind.DOCUMENT_VERSION_ADDED,
                actor=access.membership.user,
                at=now,
                data=_entry_data(document, kids, version),
            )
    except IntegrityError:
        files.remove([stored_name])
        # Another upload took this number in the same instant (the unique constraint).
        raise DocumentProblem(
            _("Another version was uploaded at the same moment. Look at the document again."),
            field="file",
            reason="conflict",
        ) from None
    except BaseException:
        files.remove([stored_name])
        raise
    return version
