"""Serving a kept file (a message's attachment, a note's photo) after the access check: the
original as a download, never cached, and a photo's thumbnail, revalidated on each showing so
the access check runs every time (a 304 while the photo, which never changes, is the same)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.http import FileResponse, Http404, HttpRequest, HttpResponseNotModified
from django.http.response import HttpResponseBase
from django.utils.http import parse_etags


def download(path: Path, *, filename: str, content_type: str) -> FileResponse:
    if not path.exists():
        raise Http404("No such file.")
    response = FileResponse(
        path.open("rb"), as_attachment=True, filename=filename, content_type=content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response


def thumbnail(
    request: HttpRequest,
    *,
    etag: str,
    make: Callable[[], Path | None],
    content_type: str,
    filename: str | None = None,
) -> HttpResponseBase:
    """`etag` names the photo and the thumbnail's size; `make` finds or makes the thumbnail
    (None when it cannot be made: a 404)."""
    response: HttpResponseBase
    if etag in parse_etags(request.headers.get("If-None-Match", "")):
        response = HttpResponseNotModified()
    else:
        path = make()
        if path is None:
            raise Http404("No thumbnail for this file.")
        response = FileResponse(path.open("rb"), filename=filename or "", content_type=content_type)
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response
