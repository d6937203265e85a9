"""Join the record's PDF from parts laid out one by one (records.export.render_pdf).

WeasyPrint lays a document out whole in memory, and its cost grows faster than the document:
a report of 10,000 messages as one HTML file took minutes and most of a gigabyte. The report is
therefore laid out in parts (the cover, each section, long sections in pieces, the proof), each
written to a PDF file by a child process (records.layout), and the parts are joined here with
pikepdf (qpdf): pypdf joined them too, but cloned the tens of thousands of tags in Python,
slower than laying the pages out and heavier than the rest of the export together.

A plain join keeps the pages and drops what makes the document accessible: the structure tree
(the tags a screen reader follows) lives in each part's catalog, not in its pages. So the join
carries the tags over itself: every part's ``Document`` element goes under one new structure
root, in order, each part's parent tree is renumbered after the parts before it, and each
page's ``/StructParents`` (and its annotations' ``/StructParent``) moves with it. The language,
the XMP metadata (which declares PDF/UA-1) and the viewer preferences come from the first part,
written with the same settings as every other.

The parts are read from files (render_pdf writes each one as soon as it is laid out), and each
is closed as soon as it is copied: the joined PDF then holds one copy of the tags, not two (the
part's own objects were nearly half the join's memory, some 200 MB at 10,000 messages). The
outline (bookmarks) WeasyPrint made in each part would point into that part alone, so the join
writes its own: one bookmark per section, given by the caller.
"""

from __future__ import annotations

import hashlib
import io
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name

# What the first part's catalog gives the whole document.
_CATALOG_KEYS = ("/Lang", "/MarkInfo", "/ViewerPreferences", "/Metadata")


@dataclass(frozen=True)
class Twin:
    """A file to attach inside the joined PDF (the record's JSON proof), already deflated: the
    8 MB JSON of 10,000 messages is some 1 MB so, and it is never held whole in memory."""

    name: str
    deflated: bytes  # zlib (FlateDecode)
    size: int  # of the file itself, as it is read back
    md5: bytes  # of the file itself: the embedded file's /CheckSum
    description: str

    @classmethod
    def of(cls, name: str, data: bytes, description: str) -> Twin:
        return cls(name, zlib.compress(data), len(data), hashlib.md5(data).digest(), description)  # noqa: S324 - the PDF's checksum, not a proof


@dataclass(frozen=True)
class Bookmark:
    """An entry of the joined PDF's outline: a title and the page (0-based) it opens at."""

    title: str
    page: int


def join_parts(
    parts: Iterable[bytes | Path],
    *,
    title: str,
    twin: Twin | None = None,
    bookmarks: Sequence[Bookmark] = (),
) -> bytes:
    """One PDF of `parts` (each a whole tagged PDF, as bytes or a file, in reading order), tags
    and all, with `twin` attached to the document as its source and `bookmarks` as its
    outline."""
    joined = pikepdf.new()
    root = joined.make_indirect(Dictionary(Type=Name.StructTreeRoot))
    documents, numbers = Array(), Array()
    offset = 0
    for index, source in enumerate(parts):
        # Closed as soon as it is copied (a `continue` too): everything needed is copied, and
        # the part's own objects go (tests/records/test_report_parts.py reads every message back).
        with pikepdf.open(source if isinstance(source, Path) else io.BytesIO(source)) as part:
            first_page = len(joined.pages)
            joined.pages.extend(part.pages)
            catalog = part.Root
            if index == 0:
                for name in _CATALOG_KEYS:
                    if name in catalog:
                        # Only an indirect object crosses from one PDF to another.
                        joined.Root[name] = joined.copy_foreign(part.make_indirect(catalog[name]))
            tree = catalog.get("/StructTreeRoot")
            if tree is None:
                continue
            kids = tree.get("/K")
            for element in kids if isinstance(kids, Array) else [kids] if kids is not None else []:
                # Copied in the same session as the pages: the elements mark the pages just added.
                # Their parent, the part's own root, is copied too but nothing refers to it once
                # /P is set, and qpdf writes only what is reachable.
                copy = joined.copy_foreign(element)
                copy.P = root
                documents.append(copy)
            pairs = list(_number_tree(tree.ParentTree))
            for key, value in pairs:
                numbers.append(key + offset)
                numbers.append(joined.copy_foreign(part.make_indirect(value)))
            for number, page in enumerate(part.pages):
                target = joined.pages[first_page + number].obj
                if "/StructParents" in page.obj:
                    target.StructParents = int(page.obj.StructParents) + offset
                for annotation in target.get("/Annots") or ():
                    if "/StructParent" in annotation:
                        annotation.StructParent = int(annotation.StructParent) + offset
            next_key = tree.get("/ParentTreeNextKey")
            last = max((key for key, _value in pairs), default=-1)
            offset += int(next_key) if next_key is not None else last + 1
    root.K = documents
    root.ParentTree = joined.make_indirect(Dictionary(Nums=numbers))
    root.ParentTreeNextKey = offset
    joined.Root.StructTreeRoot = root
    joined.docinfo.Title = title
    joined.docinfo.Producer = "Coparent (WeasyPrint, pikepdf)"
    if twin is not None:
        spec = pikepdf.AttachedFileSpec(
            joined,
            b"",
            description=twin.description,
            filename=twin.name,
            mime_type="application/json",
            relationship=Name.Source,
        )
        # The data goes in as it is stored, deflated; its size and checksum are the file's.
        stream = spec.obj.EF.F
        stream.write(twin.deflated, filter=Name.FlateDecode)
        stream.Params.Size = twin.size
        stream.Params.CheckSum = pikepdf.String(twin.md5)
        joined.attachments[twin.name] = spec
        # Listed as the document's associated file too, as WeasyPrint does for its attachments.
        joined.Root.AF = Array([joined.attachments[twin.name].obj])
    if bookmarks:
        with joined.open_outline() as outline:
            outline.root.extend(pikepdf.OutlineItem(b.title, b.page) for b in bookmarks)
        # A reader opens the bookmarks panel beside the first page.
        joined.Root.PageMode = Name.UseOutlines
    out = io.BytesIO()
    joined.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()


def _number_tree(node: pikepdf.Object) -> Iterator[tuple[int, pikepdf.Object]]:
    """The (key, value) pairs of a number tree, flat or in kids."""
    nums = node.get("/Nums")
    if nums is not None:
        for position in range(0, len(nums), 2):
            yield int(nums[position]), nums[position + 1]
    for kid in node.get("/Kids") or ():
        yield from _number_tree(kid)
