"""Writes to the journal: an entry, a correction (a new version), a share and its withdrawal.

Only the author writes their journal, and nothing is told to anyone: no record entry, no
notification, no count. Each version is appended to its author's hash chain in the same
transaction (coparent.core.record.journal), under the family row's lock as the record's appends
are, so two writes cannot both extend the same head.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from coparent.core.limits import FIRST_DATE
from coparent.core.record.chain import GENESIS_PREV, format_at
from coparent.core.record.journal import make_version
from coparent.core.when import DEFAULT_LOCALE
from coparent.families.models import Family
from coparent.families.selectors import FamilyAccess
from coparent.infra.errors import DomainError
from coparent.infra.labels import label_problem
from coparent.journal.models import (
    MAX_TAGS,
    TAG_MAX_CHARS,
    TEXT_MAX_CHARS,
    Entry,
    ExportJob,
    File,
    Link,
    LinkKind,
    Share,
    Version,
)
from coparent.journal.selectors import (
    get_own_entry,
    get_own_export_job,
    link_target,
    share_state,
    shareable_professionals,
    shared_entries,
)
from coparent.messaging import attachments as files
from coparent.messaging import idempotency
from coparent.messaging.attachments import IncomingFile
from coparent.web.zones import family_zone


class JournalProblem(DomainError):
    """A journal entry, correction or share that cannot be kept as given."""


@dataclass(frozen=True)
class Written:
    """What a write made; `replayed` when an Idempotency-Key named an earlier one."""

    entry: Entry
    replayed: bool = False


def _text(text: str) -> str:
    clean = (text or "").strip()
    if not clean:
        raise JournalProblem(_("Write what you want to keep."), field="text")
    if len(clean) > TEXT_MAX_CHARS:
        raise JournalProblem(
            _("At most %(n)s characters (this entry has %(m)s).")
            % {"n": f"{TEXT_MAX_CHARS:,}", "m": f"{len(clean):,}"},
            field="text",
        )
    return clean


def parse_tags(tags: str | Sequence[str]) -> list[str]:
    """Tags as a person types them ("school, health") or as a list: lower case, each once."""
    items = tags.split(",") if isinstance(tags, str) else list(tags)
    found: list[str] = []
    for item in items:
        tag = " ".join(str(item).split()).lower().replace("|", "")
        if tag and tag not in found:
            found.append(tag)
    if len(found) > MAX_TAGS:
        raise JournalProblem(_("At most %(n)d tags.") % {"n": MAX_TAGS}, field="tags")
    for tag in found:
        # A tag is a label, like a title: no invisible characters (infra.labels); the text of
        # an entry keeps them, as a message does, and the pages show them as marks.
        if (problem := label_problem(tag)) is not None:
            raise JournalProblem(problem, field="tags")
        if len(tag) > TAG_MAX_CHARS:
            raise JournalProblem(
                _("A tag has at most %(n)d characters.") % {"n": TAG_MAX_CHARS}, field="tags"
            )
    return found


def _day(access: FamilyAccess, happened_on: date | None, now: datetime) -> date:
    today = timezone.localtime(now, family_zone(access.family)).date()
    day = happened_on or today
    if day > today:
        raise JournalProblem(_("The day cannot be in the future."), field="happened_on")
    if day < FIRST_DATE:
        raise JournalProblem(_("Enter a real date."), field="happened_on")
    return day


def _link(access: FamilyAccess, kind: str, target: object) -> dict[str, str] | None:
    if not kind and target in (None, ""):
        return None
    if kind not in LinkKind.values:
        raise JournalProblem(_("Choose what the entry is about."), field="link_kind")
    try:
        found = link_target(access, kind, target)
    except (Http404, PermissionDenied):  # the same answer for missing, hidden, not allowed
        raise JournalProblem(
            _("That is not something of this family you can see."), field="link_id"
        ) from None
    return {"kind": found.kind, "id": found.id, "label": found.label}


def _prepared(uploads: Sequence[IncomingFile]) -> list[files.PreparedFile]:
    try:
        files.check_count(len(uploads))
        return files.prepare_all(list(uploads))
    except ValidationError as error:
        raise JournalProblem([("files", message) for message in error.messages]) from None


def _append(
    access: FamilyAccess,
    entry: Entry,
    *,
    text: str,
    happened_on: date,
    tags: list[str],
    link: dict[str, str] | None,
    stored: list[tuple[files.PreparedFile, str]],
    now: datetime,
) -> Version:
    """One version and its link of the chain; inside the caller's transaction."""
    author = access.membership.user
    Family.objects.select_for_update().filter(pk=access.family.pk).values_list("pk").first()
    last = (
        Link.objects.filter(family=access.family, author=author)
        .order_by("-seq")
        .values_list("seq", "hash")
        .first()
    )
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS_PREV)
    number = entry.versions.count() + 1
    at_text = format_at(now)
    version = Version.objects.create(
        family=access.family,
        entry=entry,
        number=number,
        at=at_text,
        written_at=now,
        happened_on=happened_on,
        text=text,
        tags=tags,
        tag_line="|" + "|".join(tags) + "|" if tags else "",
        link=link,
    )
    made = File.objects.bulk_create(
        File(
            family=access.family,
            version=version,
            name=item.name,
            content_type=item.content_type,
            size=len(item.data),
            sha256=item.sha256,
            stored_name=stored_name,
            position=position,
        )
        for position, (item, stored_name) in enumerate(stored)
    )
    body = version_body(version, made, seq=seq, prev=prev)
    Link.objects.create(
        family=access.family,
        author=author,
        seq=seq,
        version=version,
        prev=prev,
        hash=body["hash"],
    )
    return version


def version_body(version: Version, made: Sequence[File], *, seq: int, prev: str) -> dict[str, Any]:
    """A version as its chain hashes it (and the export carries it), with its hash."""
    return make_version(
        prev_hash=None if seq == 1 else prev,
        seq=seq,
        at=version.at,
        entry=str(version.entry_id),
        version=version.number,
        happened_on=version.happened_on.isoformat(),
        text=version.text,
        tags=list(version.tags),
        files=[
            {"name": f.name, "content_type": f.content_type, "size": f.size, "sha256": f.sha256}
            for f in made
        ],
        link=version.link,
    )


def _with_files(
    uploads: Sequence[IncomingFile], write: Callable[[list[tuple[files.PreparedFile, str]]], Any]
) -> Any:
    """Check and store the files first (slow, outside the transaction); remove them again if
    the write fails."""
    prepared = _prepared(uploads)
    stored: list[tuple[files.PreparedFile, str]] = []
    try:
        for item in prepared:
            stored.append((item, files.store(item)))
        return write(stored)
    except BaseException:
        files.remove([name for _item, name in stored])
        raise


def entry_write(
    *,
    access: FamilyAccess,
    text: str,
    happened_on: date | None = None,
    tags: str | Sequence[str] = (),
    link_kind: str = "",
    link_id: object = None,
    files: Sequence[IncomingFile] = (),
    at: datetime | None = None,
) -> Entry:
    """A parent writes a new entry in their own journal."""
    access.require_parent()
    now = at or timezone.now()
    clean, day, tag_list = _text(text), _day(access, happened_on, now), parse_tags(tags)
    link = _link(access, link_kind, link_id)

    def write(stored: list[tuple[Any, str]]) -> Entry:
        with transaction.atomic():
            entry = Entry.objects.create(
                family=access.family, author=access.membership.user, created_at=now
            )
            _append(
                access,
                entry,
                text=clean,
                happened_on=day,
                tags=tag_list,
                link=link,
                stored=stored,
                now=now,
            )
        return entry

    result: Entry = _with_files(files, write)
    return result


def entry_write_once(
    *, access: FamilyAccess, idempotency_key: str | None, **fields: Any
) -> Written:
    """`entry_write` with an Idempotency-Key, as messages and agreements take one: a retry with
    the same key and content returns the first entry and writes nothing."""
    access.require_parent()
    uploads: Sequence[IncomingFile] = fields.get("files", ())
    described = {k: str(v) for k, v in fields.items() if k not in ("files", "at")}
    done = idempotency.once(
        access=access,
        key=idempotency_key,
        operation="journal.entry",
        fields=described,
        files=uploads,
    ).run(lambda: entry_write(access=access, **fields), lambda pk: get_own_entry(access, pk))
    return Written(done.made, replayed=done.replayed)


def entry_correct(
    *,
    access: FamilyAccess,
    entry: Entry,
    text: str,
    happened_on: date | None = None,
    tags: str | Sequence[str] | None = None,
    link_kind: str | None = None,
    link_id: object = None,
    files: Sequence[IncomingFile] = (),
    at: datetime | None = None,
) -> Version:
    """The author corrects an entry: a new version; every earlier one stays. What is not given
    (the day, the tags, the link) stays as the current version has it."""
    access.require_parent()
    if entry.author_id != access.membership.user.pk or entry.family_id != access.family.pk:
        raise JournalProblem(_("Only the author corrects an entry."), field="entry")
    current = entry.versions.order_by("-number").first()
    assert current is not None  # noqa: S101 - an entry is written with its first version
    now = at or timezone.now()
    clean = _text(text)
    day = _day(access, happened_on or current.happened_on, now)
    tag_list = list(current.tags) if tags is None else parse_tags(tags)
    link = current.link if link_kind is None else _link(access, link_kind, link_id)

    def write(stored: list[tuple[Any, str]]) -> Version:
        with transaction.atomic():
            return _append(
                access,
                entry,
                text=clean,
                happened_on=day,
                tags=tag_list,
                link=link,
                stored=stored,
                now=now,
            )

    result: Version = _with_files(files, write)
    return result


def entry_share(
    *, access: FamilyAccess, entry: Entry, professional_id: object, at: datetime | None = None
) -> Share:
    """The author lets one professional of the family, whom every parent consents to, read this
    entry (and only this one). Sharing with another professional replaces the first."""
    access.require_parent()
    if entry.author_id != access.membership.user.pk or entry.family_id != access.family.pk:
        raise JournalProblem(_("Only the author shares an entry."), field="entry")
    chosen = next(
        (m for m in shareable_professionals(access) if str(m.pk) == str(professional_id)), None
    )
    if chosen is None:
        raise JournalProblem(
            _("Share only with a professional of this family whom every parent has consented to."),
            field="professional",
        )
    with transaction.atomic():
        return Share.objects.create(
            family=access.family, entry=entry, professional=chosen, at=at or timezone.now()
        )


def entry_unshare(*, access: FamilyAccess, entry: Entry, at: datetime | None = None) -> Share:
    """The author withdraws the share: from now on only they read the entry."""
    access.require_parent()
    if entry.author_id != access.membership.user.pk or entry.family_id != access.family.pk:
        raise JournalProblem(_("Only the author shares an entry."), field="entry")
    if share_state(access, entry).professional is None:
        raise JournalProblem(_("This entry is not shared."), field="professional")
    with transaction.atomic():
        return Share.objects.create(
            family=access.family, entry=entry, professional=None, at=at or timezone.now()
        )


# --- exports -----------------------------------------------------------------------------------


def _queue(**fields: Any) -> ExportJob:
    """Create the job; the task worker hears of it only once it commits (records.jobs builds
    it and emails its asker a link when it is ready). Nothing is recorded: the journal is
    private, and so is the fact that anyone exported it."""
    # Imported here: the task module reads the journal through this one (anchor, export).
    from coparent.journal.tasks import run_journal_export

    with transaction.atomic():
        job = ExportJob.objects.create(**fields)
        job_id = str(job.pk)
        transaction.on_commit(lambda: run_journal_export.enqueue(job_id))
    return job


def journal_export(
    *, access: FamilyAccess, file_format: str, locale: str = DEFAULT_LOCALE
) -> ExportJob:
    """A parent asks for an export of their own journal (JSON or PDF), built in the background
    (a PDF of a long journal takes many seconds)."""
    access.require_parent()
    if file_format not in ExportJob.Format.values:
        raise ValidationError({"file_format": [_("Choose PDF or JSON.")]})
    return _queue(
        family=access.family,
        requested_by=access.membership.user,
        file_format=file_format,
        locale=locale,
    )


def journal_export_once(
    *,
    access: FamilyAccess,
    file_format: str,
    locale: str = DEFAULT_LOCALE,
    idempotency_key: str | None = None,
) -> idempotency.Outcome[ExportJob]:
    """`journal_export` with an Idempotency-Key (coparent.messaging.idempotency), as the entry's
    write takes one: a retry with the same key and format returns the first job (whatever
    became of it since) and queues nothing, so a script's retry is not a second file built and
    a second email sent. The format is the request; the locale is how the caller's browser
    writes dates, not what it asked for."""
    access.require_parent()
    return idempotency.once(
        access=access,
        key=idempotency_key,
        operation="journal.export",
        fields={"file_format": file_format},
    ).run(
        lambda: journal_export(access=access, file_format=file_format, locale=locale),
        lambda pk: get_own_export_job(access, pk),
    )


def journal_shared_export(
    *, access: FamilyAccess, author_id: int, locale: str = DEFAULT_LOCALE
) -> ExportJob:
    """A professional asks for what one parent shared with them, as a JSON journal export they
    can verify (journal.export.build_shared_journal), built in the background like the author's.
    Another author, or nothing shared by this one: 404, like a missing page; the worker checks
    again when it builds (a share withdrawn meanwhile fails the job, nothing leaks)."""
    if not access.is_professional:
        raise PermissionDenied("Only professionals have entries shared with them.")
    if not shared_entries(access).filter(author_id=author_id).exists():
        raise Http404("Nothing of this parent's journal is shared with you.")
    return _queue(
        family=access.family,
        requested_by=access.membership.user,
        shared_author_id=author_id,
        file_format=ExportJob.Format.JSON,
        locale=locale,
    )
