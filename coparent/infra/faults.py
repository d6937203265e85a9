"""What a request answers when the database cannot be reached (issue #17, "Fault handling").

A database that is down, restarting, out of connections or (SQLite) locked past its busy
timeout raises `OperationalError` or `InterfaceError` from wherever the request first touched
it: the session, the token lookup, the view. That is not a bug in the request, and the person
can do nothing but wait, so the answer is **503 Service Unavailable** with `Retry-After`, the
same short message on the pages (coparent.web.views.server_error, Django's handler500) and in
the API (coparent.api.errors): no stack trace, no SQL, no setting. The traceback goes to the
server's log as a warning, once per request.
"""

from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext as _

logger = logging.getLogger("coparent.faults")

#: Errors that say "the database is not answering now", not "this request is wrong".
DATABASE_UNAVAILABLE: tuple[type[Exception], ...] = (OperationalError, InterfaceError)

#: Seconds a client is asked to wait before trying again.
RETRY_AFTER = 30


def is_database_unavailable(exc: BaseException | None) -> bool:
    return isinstance(exc, DATABASE_UNAVAILABLE)


def unavailable_message() -> str:
    return _(
        "Coparent cannot reach its database just now, so nothing was read or saved. "
        "Try again in a minute."
    )


def log_unavailable(method: str, path: str, exc: BaseException) -> None:
    logger.warning("Database unavailable in %s %s: %s", method, path, exc, exc_info=exc)
