"""Plain-text emails show names exactly as people typed them (issue #8): "O'Brien & Sons", never
"O&#x27;Brien &amp; Sons". Every email is rendered in one place, coparent.infra.mail, through the
template engine that does not HTML-escape; this checks every email template of every app, and
the real emails of the cast with such names."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse

import coparent
from coparent.accounts.models import User
from coparent.events.models import ChildEvent
from coparent.families.models import Family, Invitation, Role
from coparent.families.services import invitation_create
from coparent.infra.mail import render_text, send_email
from coparent.journal.models import ExportJob as JournalExportJob
from coparent.records.models import Checkpoint, ExportJob
from tests.events.conftest import add_party
from tests.messaging.conftest import start

NAME = 'O\'Brien & Sons <Ltd> "Ché"'
ESCAPES = re.compile(r"&(#x?[0-9a-fA-F]+|amp|lt|gt|quot|apos);")
PACKAGE = Path(coparent.__file__).parent


def email_templates() -> set[str]:
    """Every email of every app, by the name coparent.infra.mail takes ("families/email/invitation"
    for families/templates/families/email/invitation.txt and ..._subject.txt)."""
    found = set()
    for path in PACKAGE.glob("*/templates/*/email/*.txt"):
        name = str(path.relative_to(path.parents[2]).with_suffix(""))
        found.add(name.removesuffix("_subject"))
    return found


def _user() -> User:
    return User(email="obrien@example.org", display_name=NAME)


def _event() -> ChildEvent:
    start_at = datetime(2027, 5, 2, 13, 0, tzinfo=coparent_tz())
    return ChildEvent(
        title=NAME,
        place=NAME,
        timezone="Europe/Dublin",
        starts_at=start_at,
        ends_at=start_at + timedelta(hours=2),
    )


def coparent_tz() -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo("Europe/Dublin")


# One row per email: the context its task builds, with NAME wherever a person's words go. A new
# email template without a row here fails test_every_email_template_has_a_row.
CONTEXTS: dict[str, Any] = {
    "accounts/email/confirm_email": lambda: {
        "user": _user(),
        "email": "o'brien@example.org",
        "is_change": True,
        "link": "https://c.example/confirm/x/",
        "days": 3,
    },
    "accounts/email/email_changed": lambda: {
        "old": "o'brien&co@example.org",
        "new": "new@example.org",
        "tokens_revoked": 2,
    },
    "accounts/email/email_taken": lambda: {"email": "o'brien&co@example.org"},
    "accounts/email/password_changed": lambda: {
        "user": _user(),
        "is_reset": False,
        "tokens_revoked": 2,
        "reset_link": "https://c.example/r/",
    },
    "accounts/email/password_reset": lambda: {
        "user": _user(),
        "email": "o'brien&co@example.org",
        "link": "https://c.example/accounts/password/reset/key/1-abc-123/",
    },
    "accounts/email/signup_existing": lambda: {
        "user": _user(),
        "login_link": "https://c.example/l/",
        "reset_link": "https://c.example/r/",
    },
    "families/email/invitation": lambda: {
        "invitation": Invitation(family=Family(name=NAME), role=Role.VIEWER),
        "inviter": NAME,
        "link": "https://c.example/invite/x/",
        "days": 14,
    },
    "events/email/notice": lambda: {
        "event": _event(),
        "recipient": _user(),
        "actor": NAME,
        "family": NAME,
        "children": NAME,
        "cancelled": True,
        "changes": [NAME],
        "reason": NAME,
        "link": "https://c.example/e/",
    },
    "messaging/email/new_message": lambda: {
        "recipient": _user(),
        "sender": NAME,
        "family": NAME,
        "subject": NAME,
        "body": NAME,
        "link": "https://c.example/m/",
    },
    "notifications/email/notice": lambda: {
        "recipient": _user(),
        "title": NAME,
        "body": NAME,
        "family": NAME,
        "link": "https://c.example/n/",
        "preferences": "https://c.example/notifications/settings/",
    },
    "records/email/checkpoint": lambda: {
        "family": Family(name=NAME),
        "checkpoint": Checkpoint(
            seq=412,
            hash="ab" * 32,
            note="coparent-record/1/f\n412\nq80=\n\n— coparent-record-key x\n",
            week="2027-W11",
        ),
        "name": NAME,
        "link": "https://c.example/record/export/",
    },
    "records/email/export_ready": lambda: {
        "family": Family(name=NAME),
        "job": ExportJob(created_at=datetime(2027, 3, 14, 15, 5, tzinfo=coparent_tz())),
        "name": NAME,
        "link": "https://c.example/record/export/1/",
    },
    "journal/email/export_ready": lambda: {
        "family": Family(name=NAME),
        "job": JournalExportJob(created_at=datetime(2027, 3, 14, 15, 5, tzinfo=coparent_tz())),
        "name": NAME,
        "link": "https://c.example/journal/exports/1/",
    },
    "messaging/email/digest": lambda: {
        "recipient": _user(),
        "items": [
            {"sender": NAME, "family": NAME, "subject": NAME, "body": NAME, "link": "https://x/"}
        ],
        "count": 1,
    },
}


def test_every_email_template_has_a_row():
    assert email_templates() == set(CONTEXTS) == set(SHOWN)


# What each email must show as typed (beyond "no HTML escape anywhere").
SHOWN = {
    "accounts/email/confirm_email": [NAME, "o'brien@example.org"],
    "accounts/email/email_changed": ["o'brien&co@example.org", "Its 2 API tokens were revoked."],
    "accounts/email/email_taken": ["o'brien&co@example.org"],
    "accounts/email/password_changed": [NAME, "Your 2 API tokens were revoked"],
    "accounts/email/password_reset": ["https://c.example/accounts/password/reset/key/1-abc-123/"],
    "accounts/email/signup_existing": [NAME],
    "families/email/invitation": [NAME],
    "events/email/notice": [NAME],
    "messaging/email/new_message": [NAME],
    "messaging/email/digest": [NAME],
    "notifications/email/notice": [NAME],
    "records/email/checkpoint": [NAME, "412:" + "ab" * 32, "coparent verify EXPORT.json"],
    "records/email/export_ready": [NAME, "https://c.example/record/export/1/"],
    "journal/email/export_ready": [NAME, "https://c.example/journal/exports/1/"],
}


@pytest.mark.parametrize("template", sorted(CONTEXTS))
def test_every_text_email_shows_names_as_typed(template, db):
    send_email(template=template, context=CONTEXTS[template](), to="x@example.org")

    (sent,) = mail.outbox
    for part in (sent.subject, sent.body):
        assert not ESCAPES.search(part), (template, part)
    for typed in SHOWN[template]:
        assert typed in sent.subject + sent.body, (template, typed, sent.body)
    assert "\n" not in sent.subject  # one line, whatever a name holds


def test_a_name_in_a_subject_that_carries_one_is_kept_whole(db):
    for template in ("messaging/email/new_message", "families/email/invitation"):
        subject = render_text(f"{template}_subject.txt", CONTEXTS[template]())
        assert NAME in subject, subject


def test_html_pages_still_escape(client, db):
    """The text engine is for emails only: pages keep escaping what people typed."""
    from django.template.loader import render_to_string

    html = render_to_string("accounts/check_email.html", {"signup_email": NAME, "days": 3})
    assert "O&#x27;Brien &amp; Sons &lt;Ltd&gt;" in html


def test_every_email_is_sent_through_the_one_renderer():
    """Nobody renders or sends an email another way, where escaping could come back."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path.relative_to(PACKAGE).as_posix() == "infra/mail.py":
            continue
        text = path.read_text()
        if re.search(
            r"(?<!def )\bsend_mail\(|\bEmailMessage\(|\bsend_mass_mail\(", text
        ) or re.search(r"render_to_string\([^)]*email", text):
            offenders.append(str(path.relative_to(PACKAGE)))
    assert offenders == []


def test_the_cast_with_such_names_gets_their_emails_as_typed(
    cast, settings, django_capture_on_commit_callbacks
):
    """The real emails, from the real tasks, when the family and the people have such names."""
    Family.objects.filter(pk=cast.family.pk).update(name="O'Brien & Sons")
    User.objects.filter(pk=cast.alex.pk).update(display_name="Zoë O'Brien & Co")
    User.objects.filter(pk=cast.sam.pk).update(display_name="Sam D'Arcy")
    cast.alex.refresh_from_db()
    cast.sam.refresh_from_db()
    cast.family.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(access=cast.access(cast.alex), email="gran@example.org", role=Role.VIEWER)
        start(cast, cast.alex, subject='Mia\'s "big" day & party', body="See you <there>")
        add_party(cast, by=cast.alex, title="Mia's party & cake", place="Café O'Neill's")
    client = cast.client_for(None)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": cast.sam.email}, secure=True)

    kinds = {m.subject for m in mail.outbox}
    assert len(mail.outbox) >= 4, kinds
    for sent in mail.outbox:
        assert not ESCAPES.search(sent.subject + sent.body), (sent.subject, sent.body)
    text = "\n".join(m.subject + "\n" + m.body for m in mail.outbox)
    for typed in (
        "O'Brien & Sons",
        "Zoë O'Brien & Co",
        "Sam D'Arcy",
        "Mia's party & cake",
        "Café O'Neill's",
    ):
        assert typed in text, typed
