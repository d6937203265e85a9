"""The session store: Django's database sessions, with the one read every signed-in request
makes written once by hand.

Every page with a session reads it by its key first; the ORM's building and compiling of that
query cost more processor time than the database's answer (issue #17, "The cost of a
request"). Everything else is Django's store: the same table, the same expiry rule, the same
encoding, saving and deleting, and the same answer when the key is unknown or expired.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.db import connections, router
from django.utils import timezone

from coparent.accounts.backends import DJANGO_MODEL_BACKEND, MODEL_BACKEND
from coparent.infra.rows import db_value


@cache
def _session_sql() -> str:
    """Session.objects.get(session_key=…, expire_date__gt=now), as SQL."""
    return (
        f"SELECT session_data FROM {Session._meta.db_table}"  # noqa: S608 - the model's table, values as parameters
        " WHERE session_key = %s AND expire_date > %s"
    )


class SessionStore(db.SessionStore):
    """Django's database session store, reading a session without the ORM."""

    def _get_session_from_db(self) -> Any:
        key = self.session_key
        if key is None:
            return None
        using = router.db_for_read(Session)
        expire = Session._meta.get_field("expire_date")
        with connections[using].cursor() as cursor:
            cursor.execute(_session_sql(), [key, db_value(expire, timezone.now(), using)])
            row = cursor.fetchone()
        if row is None:
            # As Django's store: an unknown or expired key is forgotten, so a new one is made.
            self._session_key = None
            return None
        return Session(session_key=key, session_data=row[0])

    def load(self) -> dict[str, Any]:
        data: dict[str, Any] = super().load()
        # Signed in before Coparent's backend (accounts.backends) took Django's place: the same
        # rules, so the session stays signed in and is read by the new one.
        if data.get(BACKEND_SESSION_KEY) == DJANGO_MODEL_BACKEND:
            data[BACKEND_SESSION_KEY] = MODEL_BACKEND
        return data
