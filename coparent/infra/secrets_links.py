"""Single-use link tokens that never sit in the database.

A link token is an HMAC of the object's random id under the server's secret key. The database
keeps only the token's SHA-256, and the background worker re-derives the token from the id when
it writes the email, so neither a database dump nor the task queue reveals a working link.
"""

from __future__ import annotations

import hashlib

from django.utils.crypto import salted_hmac


def link_token(purpose: str, object_id: object) -> str:
    return salted_hmac(f"coparent.link.{purpose}", str(object_id), algorithm="sha256").hexdigest()


def hash_link_token(raw: str) -> str:
    return hashlib.sha256((raw or "").encode()).hexdigest()
