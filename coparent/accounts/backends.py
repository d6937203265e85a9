"""The authentication backend: Django's, with the session's user read by SQL written once.

Every signed-in page asks the backend for the session's user (`django.contrib.auth.get_user`);
Django's `ModelBackend` builds and compiles `User.objects.get(pk=…)` for it each time, which
cost more processor time than the database's answer (issue #17, "The cost of a request").
Everything else is Django's: authenticating a password, permissions, and the rule that an
inactive person is not signed in. Django's `get_user` still checks the session's hash against
the row's password afterwards, so a password change still ends every other session.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend as DjangoModelBackend

from coparent.accounts.models import User
from coparent.accounts.selectors import user_by_id

# Sessions signed in before this backend existed name Django's; the session store reads them as
# this one (sessions.SessionStore.load), so nobody is signed out by the change.
DJANGO_MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
MODEL_BACKEND = "coparent.accounts.backends.ModelBackend"


class ModelBackend(DjangoModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        user = user_by_id(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
