"""The author's export of their journal: a signed ``coparent-journal/1`` JSON document that
``coparent verify`` checks offline, and a PDF of it for people (WeasyPrint, as the record's and
the agreement's are), its times in the family's zone.

The export carries each version as stored and each link's hash as stored when it was written:
a version changed behind the app's back no longer matches its hash, and the verifier says which.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone

from coparent.accounts.models import User
from coparent.core.paper import paper_for_zone
from coparent.core.record.chain import GENESIS_PREV, format_at, key_fingerprint, public_key_text
from coparent.core.record.journal import FORMAT, VERSION_KEYS, make_version, sign_head
from coparent.families.selectors import FamilyAccess
from coparent.infra.keys import ensure_signing_key
from coparent.journal.models import Anchor, File, Link
from coparent.journal.selectors import own_entries, shared_entries

ALGORITHM = "Ed25519"


def _body(link: Link, files: list[File]) -> dict[str, Any]:
    """The version of `link` as stored, with the hash its link kept (not one made again)."""
    version = link.version
    body = make_version(
        prev_hash=None if link.seq == 1 else link.prev,
        seq=link.seq,
        at=version.at,
        entry=str(version.entry_id),
        version=version.number,
        happened_on=version.happened_on.isoformat(),
        text=version.text,
        tags=list(version.tags),
        files=[
            {"name": f.name, "content_type": f.content_type, "size": f.size, "sha256": f.sha256}
            for f in files
        ],
        link=version.link,
    )
    body["prev"] = link.prev
    body["hash"] = link.hash
    return {key: body[key] for key in (*VERSION_KEYS, "hash")}


def build_journal(access: FamilyAccess) -> dict[str, Any]:
    """The reader's own journal in this family, head signed with the server's key (4 queries)."""
    author = access.membership.user
    links = list(
        Link.objects.filter(
            family=access.family, author=author, version__entry__in=own_entries(access)
        )
        .select_related("version")
        .order_by("seq")
    )
    return _document(access, author, links, shown=None)


def build_shared_journal(access: FamilyAccess, author_id: int) -> dict[str, Any]:
    """What one parent shared with the reading professional, as a journal export they can
    verify: every link of the author's chain (so the shared versions prove their place in it)
    but only the shared entries' versions; the other links are listed in "withheld", their
    content absent. Another author, or nothing shared by this one: 404, like a missing page."""
    shared = set(shared_entries(access).filter(author_id=author_id).values_list("pk", flat=True))
    if not shared:
        raise Http404("Nothing of this parent's journal is shared with you.")
    author = User.objects.get(pk=author_id)
    links = list(
        Link.objects.filter(family=access.family, author_id=author_id)
        .select_related("version")
        .order_by("seq")
    )
    return _document(access, author, links, shown=shared)


def _document(
    access: FamilyAccess, author: User, links: list[Link], *, shown: set[Any] | None
) -> dict[str, Any]:
    """The signed document over the author's `links`; with `shown`, only the versions of those
    entries go out and the other links are withheld (a professional's export)."""
    withheld = [] if shown is None else [k.seq for k in links if k.version.entry_id not in shown]
    visible = [link for link in links if link.seq not in set(withheld)]
    files: dict[object, list[File]] = {}
    for item in File.objects.filter(version__in=[link.version_id for link in visible]).order_by(
        "position"
    ):
        files.setdefault(item.version_id, []).append(item)
    entries: dict[str, list[dict[str, Any]]] = {}
    for link in visible:
        body = _body(link, files.get(link.version_id, []))
        entries.setdefault(body["entry"], []).append(body)
    exported_at = format_at(timezone.now())
    head_seq = links[-1].seq if links else 0
    head_hash = links[-1].hash if links else GENESIS_PREV
    key = ensure_signing_key(settings.DATA_DIR)
    return {
        "format": FORMAT,
        "family": {"id": str(access.family.pk), "name": access.family.name},
        "author": {"id": str(author.pk), "name": author.display_name},
        "exported_at": exported_at,
        "entries": [
            {"id": entry_id, "versions": sorted(versions, key=lambda v: v["version"])}
            for entry_id, versions in entries.items()
        ],
        "chain": [{"seq": link.seq, "prev": link.prev, "hash": link.hash} for link in links],
        "head": sign_head(
            key,
            family=str(access.family.pk),
            author=str(author.pk),
            seq=head_seq,
            hash=head_hash,
            at=exported_at,
        ),
        "public_key": public_key_text(key.public_key()),
        "algorithm": ALGORITHM,
        "withheld": withheld,
        # The weekly seals (coparent.journal.anchor): the record entry `record_seq` of the
        # family's record holds `commitment` = sha256(salt || head_hash) among its commitments.
        "anchors": [
            {
                "record_seq": a.record_seq,
                "salt": a.salt,
                "head_seq": a.head_seq,
                "head_hash": a.head_hash,
                "commitment": a.commitment,
            }
            for a in Anchor.objects.filter(family=access.family, author=author).order_by(
                "record_seq"
            )
            # The seals are the author's proof of time, not the professional's to hold.
            if shown is None
        ],
    }


def journal_html(document: dict[str, Any]) -> str:
    """The journal for people: each entry with every version (the page is in the family's zone,
    set by the view)."""
    from datetime import datetime

    entries = []
    for item in document["entries"]:
        versions = [
            {**v, "moment": datetime.fromisoformat(v["at"].replace("Z", "+00:00"))}
            for v in item["versions"]
        ]
        entries.append({"id": item["id"], "versions": versions, "current": versions[-1]})
    entries.sort(key=lambda e: e["current"]["happened_on"], reverse=True)
    return render_to_string(
        "journal/export.html",
        {
            "document": document,
            "entries": entries,
            "fingerprint": key_fingerprint(document["public_key"]),
            "generated_at": timezone.now(),
        },
    )


def journal_pdf(document: dict[str, Any], *, zone_name: str) -> bytes:
    """The journal as a PDF, on the paper of the family's country, like the record's."""
    import weasyprint  # imported here: it loads Pango, which only PDF rendering needs

    css = render_to_string("records/export/record.css", {"paper": paper_for_zone(zone_name)})
    rendered = weasyprint.HTML(string=journal_html(document)).render(
        stylesheets=[weasyprint.CSS(string=css)]
    )
    pdf: bytes | None = rendered.write_pdf()
    assert pdf is not None  # noqa: S101 - write_pdf without a target always returns the bytes
    return pdf
