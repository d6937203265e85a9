"""The invitation link: the one thing both the services (which issue it) and the task that emails
it need, kept in a leaf module so neither has to import the other."""

from __future__ import annotations

INVITATION_PURPOSE = "invitation"


def invitation_path(token: str) -> str:
    return f"/invite/{token}/"
