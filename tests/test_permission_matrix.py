"""The permission matrix: every URL pattern and every API operation, for every member of the
fixed cast (STYLE.md 11). A URL or operation without a row fails `test_every_route_has_a_row`,
so each new feature must say here who may use it.

Roles: anonymous; alex (parent); morgan (mediator, consented by both parents); vic (viewer);
olivia (parent of another family — the outsider, who must get 404 exactly like a missing object).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from coparent.accounts.models import ApiToken
from coparent.accounts.services import token_create
from coparent.families import services
from coparent.families.models import Invitation
from tests.accounts.conftest import fresh_reauth
from tests.accounts.test_passkeys import add_passkey
from tests.factories import PASSWORD

ROLES = ("anonymous", "alex", "morgan", "vic", "olivia")
LOGIN = 302  # an anonymous visitor is sent to the login page


def expect(anonymous: int, alex: int, morgan: int, vic: int, olivia: int) -> dict[str, int]:
    return dict(zip(ROLES, (anonymous, alex, morgan, vic, olivia), strict=True))


# Recurring shapes of access.
PUBLIC = expect(200, 200, 200, 200, 200)
ACCOUNT_PAGE = expect(LOGIN, 200, 200, 200, 200)
ANY_MEMBER_PAGE = expect(LOGIN, 200, 200, 200, 404)
SHARED_PAGE = expect(LOGIN, 200, 200, 403, 404)
# A record export was made for the member who asked (Alex): nobody else reads it.
OWN_EXPORT_PAGE = expect(LOGIN, 200, 404, 403, 404)
PARENT_PAGE = expect(LOGIN, 200, 403, 403, 404)
PARENT_ACTION = expect(LOGIN, 302, 403, 403, 404)


@dataclass
class Row:
    method: str
    path: Callable[[Any], str]
    expected: dict[str, int]
    # Or a function of the cast, for a body that names the cast's own rows.
    data: dict[str, Any] | Callable[[Any], dict[str, Any]] = field(default_factory=dict)


def _fam(c: Any) -> str:
    return f"/families/{c.family.pk}"


def _thread(c: Any) -> Any:
    """A conversation Alex started with Sam and Morgan the mediator, with a PDF attached."""
    if not hasattr(c, "thread"):
        from coparent.messaging.attachments import IncomingFile
        from coparent.messaging.services import thread_start

        c.message = thread_start(
            access=c.access(c.alex),
            subject="Pickup",
            topic="school",
            body="Friday at 15:00?",
            include_professionals=[c.mediator],
            attachments=[IncomingFile("plan.pdf", b"%PDF-1.4\n%%EOF\n")],
        )
        c.thread = c.message.thread
        c.attachment = c.message.attachments.get()
    return c.thread


def _photo(c: Any) -> Any:
    """A photo Alex sent in the same conversation (Sam, Morgan), for its thumbnail."""
    if not hasattr(c, "photo"):
        import io

        from PIL import Image

        from coparent.messaging.attachments import IncomingFile
        from coparent.messaging.services import message_send

        out = io.BytesIO()
        Image.new("RGB", (64, 48), (200, 120, 40)).save(out, "JPEG")
        message = message_send(
            access=c.access(c.alex),
            thread=_thread(c),
            body="Mia at the zoo",
            attachments=[IncomingFile("zoo.jpg", out.getvalue())],
        )
        c.photo = message.attachments.get()
    return c.photo


def _msg(c: Any, suffix: str) -> str:
    return f"{_fam(c)}/messages/{suffix}"


def _pending_invitation(c: Any) -> Invitation:
    issued = services.invitation_create(
        access=c.access(c.alex), email="grandma@example.org", role="viewer", send_email=False
    )
    c.invitation_token = issued.token
    return issued.invitation


def _event(c: Any) -> Any:
    """Mia's birthday party, added by Alex, a month ahead (so it can still be answered)."""
    if not hasattr(c, "event"):
        from datetime import timedelta

        from django.utils import timezone

        from coparent.events.services import event_add

        start = timezone.now() + timedelta(days=30)
        c.event = event_add(
            access=c.access(c.alex),
            title="Mia's birthday party",
            kind="birthday_party",
            children=[c.mia],
            timezone_name="Europe/Paris",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
        )
    return c.event


def _export_job(c: Any, suffix: str = "") -> str:
    """A JSON export Alex asked for, already prepared by the worker (run at once in tests)."""
    if not hasattr(c, "export_job"):
        from django.test import TestCase

        from coparent.records.services import record_export

        with TestCase.captureOnCommitCallbacks(execute=True):
            c.export_job = record_export(access=c.access(c.alex), file_format="json")
    return f"{_fam(c)}/record/export/{c.export_job.pk}/{suffix}"


def _weekly_checkpoint(c: Any) -> str:
    """This week's checkpoint of the Riveras' record, as the worker issues it."""
    if not hasattr(c, "checkpoint"):
        from coparent.records.checkpoints import checkpoint_issue

        c.checkpoint = checkpoint_issue(c.family, timezone.now())
    return f"{_fam(c)}/record/checkpoint/{c.checkpoint.pk}/"


def _ev(c: Any, suffix: str) -> str:
    return f"{_fam(c)}/events/{suffix}"


def _plan_in_force(c: Any) -> None:
    """A 2-2-3 plan Alex proposed and Sam accepted, in force from far ahead."""
    if not hasattr(c, "plan_version"):
        from datetime import date

        from coparent.schedule.services import plan_accept, plan_propose

        c.plan_version = plan_propose(
            access=c.access(c.alex), plan=PLAN, effective_from=date(2040, 1, 1)
        )
        plan_accept(access=c.access(c.sam), version=c.plan_version)


def _exchange_key(c: Any) -> str:
    """The first exchange of the plan in force (January 2040), as its URL names it."""
    if not hasattr(c, "exchange_key"):
        from datetime import UTC, datetime

        from coparent.exchanges.selectors import exchanges_between

        _plan_in_force(c)
        start = datetime(2040, 1, 2, tzinfo=UTC)
        c.exchange_key = exchanges_between(c.access(c.alex), start, start.replace(day=12))[0].key
    return str(c.exchange_key)


def _pass(c: Any) -> Any:
    """A pickup pass Alex issued for the first stretch the 2040 plan gives him."""
    if not hasattr(c, "pickup_pass"):
        from datetime import UTC, datetime, timedelta

        from coparent.exchanges.services import pass_issue
        from coparent.schedule.selectors import schedule_of

        _plan_in_force(c)
        start = datetime(2040, 1, 2, tzinfo=UTC)
        segments, _ = schedule_of(c.access(c.alex)).expand(start, start + timedelta(days=10))
        mine = next(s for s in segments if s.parent == "A")
        c.pickup_pass = pass_issue(
            access=c.access(c.alex),
            children=[c.mia.pk],
            start=mine.start,
            end=mine.start + timedelta(hours=2),
        )
    return c.pickup_pass


def _pass_body(c: Any) -> dict[str, Any]:
    """A pass for Mia in the stretch of Alex's that the cast's pass also covers."""
    issued = _pass(c)
    return {
        "children": [str(c.mia.pk)],
        "starts_at": issued.starts_at.isoformat(),
        "ends_at": issued.ends_at.isoformat(),
    }


def _note_photo(c: Any) -> Any:
    """A photo Sam added with a note on the plan's first exchange (January 2040)."""
    if not hasattr(c, "note_photo"):
        from coparent.exchanges.selectors import parse_key
        from coparent.exchanges.services import note_add
        from coparent.messaging.attachments import IncomingFile
        from tests.messaging.conftest import jpeg_with_gps

        planned = parse_key(_exchange_key(c))
        assert planned is not None
        note = note_add(
            access=c.access(c.sam),
            planned_at=planned,
            text="The gate was locked.",
            photos=[IncomingFile("gate.jpg", jpeg_with_gps())],
            at=planned,
        )
        c.note_photo = note.photos.get()
    return c.note_photo


def _journal_entry(c: Any) -> Any:
    """An entry of Alex's private journal, with a PDF, shared with Morgan the mediator."""
    if not hasattr(c, "journal_entry"):
        from coparent.journal.services import entry_share, entry_write
        from coparent.messaging.attachments import IncomingFile

        c.journal_entry = entry_write(
            access=c.access(c.alex),
            text="Sam was late at the gate.",
            files=[IncomingFile("note.pdf", b"%PDF-1.4\n%%EOF\n")],
        )
        entry_share(access=c.access(c.alex), entry=c.journal_entry, professional_id=c.mediator.pk)
    return c.journal_entry


def _jou(c: Any, rest: str) -> str:
    return f"{_fam(c)}/journal/{rest}"


def _journal_file(c: Any) -> str:
    return _jou(c, f"files/{_journal_entry(c).versions.get().files.get().pk}/")


def _journal_export(c: Any, suffix: str = "") -> str:
    """A JSON export of Alex's own journal, prepared by the worker (run at once in tests): hers
    alone (Sam's 404 for it is in tests/journal)."""
    if not hasattr(c, "journal_export"):
        from django.test import TestCase

        from coparent.journal.services import journal_export

        _journal_entry(c)
        with TestCase.captureOnCommitCallbacks(execute=True):
            c.journal_export = journal_export(access=c.access(c.alex), file_format="json")
    return _jou(c, f"exports/{c.journal_export.pk}/{suffix}")


def _shared_journal_export(c: Any, suffix: str = "") -> str:
    """Morgan's export of what Alex shared with them, prepared by the worker (run at once in
    tests): Morgan's alone."""
    if not hasattr(c, "shared_journal_export"):
        from django.test import TestCase

        from coparent.journal.services import journal_shared_export

        _journal_entry(c)
        with TestCase.captureOnCommitCallbacks(execute=True):
            c.shared_journal_export = journal_shared_export(
                access=c.access(c.morgan), author_id=c.alex.pk
            )
    return _jou(c, f"shared/exports/{c.shared_journal_export.pk}/{suffix}")


# Only professionals have entries shared with them: a parent keeps a journal instead.
SHARED_WITH_PROFESSIONAL = expect(LOGIN, 403, 200, 403, 404)


def _exc(c: Any, rest: str) -> str:
    return f"{_fam(c)}/exchanges/{rest}"


def _document(c: Any) -> Any:
    """The custody order Alex put in the family folder, with its PDF."""
    if not hasattr(c, "document"):
        from datetime import date

        from coparent.documents.services import document_add
        from coparent.messaging.attachments import IncomingFile

        c.document = document_add(
            access=c.access(c.alex),
            title="Custody order",
            dated=date(2026, 3, 2),
            category="court_order",
            children=[c.mia.pk],
            file=IncomingFile("order.pdf", b"%PDF-1.4\n%%EOF\n"),
        )
        c.document_version = c.document.versions.get()
    return c.document


def _doc(c: Any, rest: str) -> str:
    return f"{_fam(c)}/documents/{rest}"


def _proposal(c: Any, by: str = "sam") -> Any:
    """A change waiting for an answer: Sam's (for Alex to answer) or Alex's (to withdraw)."""
    if not hasattr(c, "proposal"):
        from datetime import date

        from coparent.schedule.services import plan_propose

        _plan_in_force(c)
        c.proposal = plan_propose(
            access=c.access(getattr(c, by)),
            plan={**PLAN, "pattern": "alternating-weeks"},
            effective_from=date(2040, 6, 1),
        )
    return c.proposal


def _feed_path(c: Any) -> str:
    from coparent.schedule.services import feed_create, feed_token_of

    _plan_in_force(c)
    return f"/feeds/{feed_token_of(feed_create(access=c.access(c.alex)))}.ics"


def _info_item(c: Any) -> Any:
    """Mia's passport, added by Alex (its number masked; a parent may reveal it)."""
    if not hasattr(c, "info_item"):
        from coparent.infobank.services import item_add

        c.info_item = item_add(
            access=c.access(c.alex),
            child=c.mia,
            kind="identity",
            values={"document": "passport", "number": "NXC4PR7Q2", "country": "NL"},
        )
    return c.info_item


def _info(c: Any, rest: str) -> str:
    return f"{_fam(c)}/info/{rest}"


def _sch(c: Any, suffix: str) -> str:
    return f"{_fam(c)}/schedule/{suffix}"


def _request(c: Any) -> Any:
    """A request Sam made of Alex (so Alex, the other parent, may answer it): a school decision
    for Mia, due in a week."""
    if not hasattr(c, "request_item"):
        from coparent.requests.services import request_make

        c.request_item = request_make(
            access=c.access(c.sam), kind="school", title="Parents' evening", children=[c.mia]
        )
    return c.request_item


def _own_request(c: Any) -> Any:
    """A request Alex made of Sam, for Alex to withdraw."""
    from coparent.requests.services import request_make

    return request_make(
        access=c.access(c.alex), kind="other", title="Piano lessons", children=[c.mia]
    )


def _req(c: Any, suffix: str) -> str:
    return f"{_fam(c)}/requests/{suffix}"


def _feed_reminders(c: Any) -> str:
    """Every member of the family has a feed address, so each may choose its reminders."""
    from coparent.schedule.services import feed_create

    for member in (c.alex, c.morgan, c.vic):
        feed_create(access=c.access(member))
    return _sch(c, "feed/reminders/")


def _alex_notification(c: Any) -> int:
    """Sam writes to Alex: Alex's notification of it (the job runs at once in tests)."""
    if not hasattr(c, "alex_notification"):
        from django.test import TestCase

        from coparent.messaging.services import thread_start
        from coparent.notifications.models import Notification

        with TestCase.captureOnCommitCallbacks(execute=True):
            thread_start(access=c.access(c.sam), subject="Shoes", topic="children", body="Size 32")
        c.alex_notification = Notification.objects.get(recipient=c.alex).pk
    return int(c.alex_notification)


def _alex_phone(c: Any) -> int:
    from coparent.notifications.models import PushSubscription

    phone, _made = PushSubscription.objects.get_or_create(
        endpoint="https://fcm.googleapis.com/fcm/send/alex",
        defaults={"user": c.alex, "p256dh": "x", "auth": "y"},
    )
    return int(phone.pk)


PLAN = {
    "timezone": "America/Chicago",
    "parents": ["Alex", "Sam"],
    "start": "2040-01-02",
    "exchange_time": "18:00",
    "pattern": "2-2-3",
}


def _agr(c: Any, suffix: str) -> str:
    return f"{_fam(c)}/agreement/{suffix}"


def _clause(c: Any, by: str = "sam", signed: bool = False) -> Any:
    """A clause waiting for a signature: Sam's (for Alex to sign or decline) or Alex's (to
    withdraw); `signed`: Sam's, signed by Alex, in force."""
    key = f"clause_{by}_{signed}"
    if not hasattr(c, key):
        from coparent.agreements.services import clause_propose, clause_sign

        version = clause_propose(
            access=c.access(getattr(c, by)),
            topic="boundaries",
            title="Exchanges at the curb",
            body="Exchanges happen at the curb; nobody enters the other's home uninvited.",
            terms={"reserved": ["social_media"]},
        )
        if signed:
            version = clause_sign(access=c.access(c.alex), version=version)
        setattr(c, key, version)
    return getattr(c, key)


WEB: dict[str, Row] = {
    "healthz": Row("GET", lambda c: "/healthz", PUBLIC),
    "web:home": Row("GET", lambda c: "/", expect(200, 302, 302, 302, 302)),
    # Accounts: every page is about the signed-in person only.
    "accounts:security": Row("GET", lambda c: "/accounts/", ACCOUNT_PAGE),
    "account_signup": Row("GET", lambda c: "/accounts/signup/", expect(200, 302, 302, 302, 302)),
    # Public: a sign-up leads here without logging in (a taken address must look the same).
    "account_email_verification_sent": Row(
        "GET", lambda c: "/accounts/signup/check-email/", PUBLIC
    ),
    "accounts:confirm_resend": Row(
        "POST", lambda c: "/accounts/confirm/resend/", expect(LOGIN, 302, 302, 302, 302)
    ),
    "account_confirm_email": Row(
        "GET", lambda c: "/accounts/confirm/not-a-real-key/", expect(404, 404, 404, 404, 404)
    ),
    "account_login": Row("GET", lambda c: "/accounts/login/", expect(200, 302, 302, 302, 302)),
    # The second step exists only after a right password: anyone else starts again.
    "mfa_authenticate": Row(
        "GET", lambda c: "/accounts/login/2fa/", expect(302, 302, 302, 302, 302)
    ),
    # Passkey login: the challenge is JSON for the page's script; a plain visit goes back to
    # the login page (and a signed-in person on).
    "mfa_login_webauthn": Row(
        "GET", lambda c: "/accounts/login/passkey/", expect(302, 302, 302, 302, 302)
    ),
    "account_logout": Row("POST", lambda c: "/accounts/logout/", expect(302, 302, 302, 302, 302)),
    "account_reset_password": Row("GET", lambda c: "/accounts/password/reset/", PUBLIC),
    "account_reset_password_done": Row("GET", lambda c: "/accounts/password/reset/sent/", PUBLIC),
    # A forged reset link shows "this link cannot be used" to everyone.
    "account_reset_password_from_key": Row(
        "GET", lambda c: "/accounts/password/reset/key/1-set-password/", PUBLIC
    ),
    "account_reset_password_from_key_done": Row(
        "GET", lambda c: "/accounts/password/reset/done/", PUBLIC
    ),
    "account_reauthenticate": Row("GET", lambda c: "/accounts/reauth/", ACCOUNT_PAGE),
    # Credential changes first ask for the password again (a redirect to reauth).
    # (Every signed-in member here typed the password again a moment ago, which credential
    # changes ask for first: tests/accounts covers the asking.)
    "account_change_password": Row("GET", lambda c: "/accounts/password/change/", ACCOUNT_PAGE),
    "account_email": Row("GET", lambda c: "/accounts/email/change/", ACCOUNT_PAGE),
    "mfa_index": Row("GET", lambda c: "/accounts/2fa/", ACCOUNT_PAGE),
    # Morgan (a professional needs a second factor) has the app on already: on to turning off.
    "mfa_activate_totp": Row(
        "GET", lambda c: "/accounts/2fa/totp/activate/", expect(LOGIN, 200, 302, 200, 200)
    ),
    # Only someone with the app on has one to turn off: for everyone else it does not exist.
    "mfa_deactivate_totp": Row(
        "GET", lambda c: "/accounts/2fa/totp/deactivate/", expect(LOGIN, 404, 200, 404, 404)
    ),
    # Alex's came with his passkey; nobody else has any.
    "mfa_view_recovery_codes": Row(
        "GET", lambda c: "/accounts/2fa/recovery-codes/", expect(LOGIN, 200, 404, 404, 404)
    ),
    # Without a second factor there is nothing to make codes for: back to the 2FA page.
    "mfa_generate_recovery_codes": Row(
        "GET", lambda c: "/accounts/2fa/recovery-codes/generate/", expect(LOGIN, 200, 200, 302, 302)
    ),
    "mfa_add_webauthn": Row("GET", lambda c: "/accounts/2fa/passkeys/add/", ACCOUNT_PAGE),
    # Alex's passkey: only Alex may remove it; for anyone else it does not exist.
    "mfa_remove_webauthn": Row(
        "GET",
        lambda c: f"/accounts/2fa/passkeys/{c.alex_passkey.pk}/remove/",
        expect(LOGIN, 200, 404, 404, 404),
    ),
    "accounts:sessions": Row("GET", lambda c: "/accounts/sessions/", ACCOUNT_PAGE),
    # One's own time zone: about the signed-in person only.
    "accounts:zone": Row("GET", lambda c: "/accounts/zone/", ACCOUNT_PAGE),
    # Alex's session: only Alex may end it; for anyone else it does not exist.
    "accounts:session_end": Row(
        "POST",
        lambda c: f"/accounts/sessions/{c.alex_session.pk}/end/",
        expect(LOGIN, 302, 404, 404, 404),
    ),
    "accounts:tokens": Row("GET", lambda c: "/accounts/tokens/", ACCOUNT_PAGE),
    "accounts:token_revoke": Row(
        "POST",
        lambda c: f"/accounts/tokens/{c.alex_token.pk}/revoke/",
        expect(LOGIN, 302, 404, 404, 404),
    ),
    # Families.
    "families:create": Row("GET", lambda c: "/families/new/", ACCOUNT_PAGE),
    "families:dashboard": Row("GET", lambda c: f"{_fam(c)}/", ANY_MEMBER_PAGE),
    # The family's time zone: its parents set it (a change is recorded).
    "families:settings": Row("GET", lambda c: f"{_fam(c)}/settings/", PARENT_PAGE),
    # A parent's own home address and safe mode (docs/safety.md): their own, parents only.
    "families:home": Row("GET", lambda c: f"{_fam(c)}/settings/home/", PARENT_PAGE),
    "families:children": Row("GET", lambda c: f"{_fam(c)}/children/", SHARED_PAGE),
    "families:child_add": Row("GET", lambda c: f"{_fam(c)}/children/new/", PARENT_PAGE),
    "families:child_edit": Row(
        "GET", lambda c: f"{_fam(c)}/children/{c.mia.pk}/edit/", PARENT_PAGE
    ),
    "families:members": Row("GET", lambda c: f"{_fam(c)}/members/", SHARED_PAGE),
    "families:invite": Row("GET", lambda c: f"{_fam(c)}/members/invite/", PARENT_PAGE),
    "families:invitation_cancel": Row(
        "POST",
        lambda c: f"{_fam(c)}/members/invitations/{_pending_invitation(c).pk}/cancel/",
        PARENT_ACTION,
    ),
    "families:consent_give": Row(
        "POST", lambda c: f"{_fam(c)}/members/{c.mediator.pk}/consent/give/", PARENT_ACTION
    ),
    "families:consent_withdraw": Row(
        "POST", lambda c: f"{_fam(c)}/members/{c.mediator.pk}/consent/withdraw/", PARENT_ACTION
    ),
    # Ending the viewer's seat: a parent may; the viewer may leave; the mediator may not.
    "families:member_end": Row(
        "POST", lambda c: f"{_fam(c)}/members/{c.viewer.pk}/end/", expect(LOGIN, 302, 403, 302, 404)
    ),
    "invitation_accept": Row(
        "GET", lambda c: f"/invite/{_pending_invitation(c) and c.invitation_token}/", PUBLIC
    ),
    "records:timeline": Row("GET", lambda c: f"{_fam(c)}/record/", SHARED_PAGE),
    # Messages: parents and the consented mediator (in threads he is part of); never viewers.
    "messaging:inbox": Row("GET", lambda c: _msg(c, ""), SHARED_PAGE),
    "messaging:compose": Row("GET", lambda c: _msg(c, "new/"), SHARED_PAGE),
    "messaging:search": Row("GET", lambda c: _msg(c, "search/?q=pickup"), SHARED_PAGE),
    "messaging:notifications": Row("GET", lambda c: _msg(c, "notifications/"), SHARED_PAGE),
    "messaging:unread": Row("GET", lambda c: _msg(c, "unread/"), ANY_MEMBER_PAGE),
    "messaging:thread": Row("GET", lambda c: _msg(c, f"threads/{_thread(c).pk}/"), SHARED_PAGE),
    # An empty reply re-shows the thread with the field's error (200), sending nothing.
    "messaging:reply": Row(
        "POST",
        lambda c: _msg(c, f"threads/{_thread(c).pk}/reply/"),
        expect(LOGIN, 200, 200, 403, 404),
    ),
    "messaging:attachment": Row(
        "GET", lambda c: _thread(c) and _msg(c, f"attachments/{c.attachment.pk}/"), SHARED_PAGE
    ),
    # A photo's thumbnail: exactly who may download the photo.
    "messaging:attachment_thumbnail": Row(
        "GET", lambda c: _msg(c, f"attachments/{_photo(c).pk}/thumbnail/"), SHARED_PAGE
    ),
    # An answer that is neither button re-shows the thread with the offer's error (200),
    # changing nothing; the people of the thread may answer, a viewer never.
    "messaging:shield_offer": Row(
        "POST",
        lambda c: _msg(c, f"threads/{_thread(c).pk}/shield-offer/"),
        expect(LOGIN, 200, 200, 403, 404),
    ),
    "records:export": Row("GET", lambda c: f"{_fam(c)}/record/export/", SHARED_PAGE),
    # Alex's export job: the family's parents and the mediator follow and download it.
    "records:export_job": Row("GET", _export_job, OWN_EXPORT_PAGE),
    "records:export_job_status": Row("GET", lambda c: _export_job(c, "status/"), OWN_EXPORT_PAGE),
    "records:export_job_download": Row(
        "GET", lambda c: _export_job(c, "download/"), OWN_EXPORT_PAGE
    ),
    "records:checkpoint": Row("GET", lambda c: f"{_fam(c)}/record/checkpoint/", SHARED_PAGE),
    "records:checkpoint_weekly": Row("GET", _weekly_checkpoint, SHARED_PAGE),
    # Child events: every member reads them, viewers included; only parents write.
    "events:list": Row("GET", lambda c: _ev(c, ""), ANY_MEMBER_PAGE),
    "events:add": Row("GET", lambda c: _ev(c, "new/"), PARENT_PAGE),
    "events:detail": Row("GET", lambda c: _ev(c, f"{_event(c).pk}/"), ANY_MEMBER_PAGE),
    "events:edit": Row("GET", lambda c: _ev(c, f"{_event(c).pk}/edit/"), PARENT_PAGE),
    "events:cancel": Row("POST", lambda c: _ev(c, f"{_event(c).pk}/cancel/"), PARENT_ACTION),
    # An empty answer re-shows the event with the field's error (200), saving nothing.
    "events:rsvp": Row(
        "POST", lambda c: _ev(c, f"{_event(c).pk}/rsvp/"), expect(LOGIN, 200, 403, 403, 404)
    ),
    # Exchanges: parents and the mediator read what happened; a viewer sees exchanges on the
    # calendar only; parents check in and write. Alex's note is well formed but the exchange is
    # in 2040, so the page refuses it on the form (400), past every access check.
    "exchanges:list": Row("GET", lambda c: _exc(c, ""), SHARED_PAGE),
    "exchanges:passes": Row("GET", lambda c: _exc(c, "passes/"), SHARED_PAGE),
    "exchanges:actual": Row("GET", lambda c: _exc(c, "actual/"), SHARED_PAGE),
    # Insights: the family's figures for parents and the mediator (the tone trend only ever
    # the reader's own, and a parent's); a viewer sees none of it.
    "insights:page": Row("GET", lambda c: f"{_fam(c)}/insights/", SHARED_PAGE),
    "exchanges:photo": Row("GET", lambda c: _exc(c, f"photos/{_note_photo(c).pk}/"), SHARED_PAGE),
    "exchanges:photo_small": Row(
        "GET", lambda c: _exc(c, f"photos/{_note_photo(c).pk}/small/"), SHARED_PAGE
    ),
    "exchanges:pass": Row("GET", lambda c: _exc(c, f"passes/{_pass(c).pk}/"), SHARED_PAGE),
    "exchanges:pass_revoke": Row(
        "POST", lambda c: _exc(c, f"passes/{_pass(c).pk}/revoke/"), PARENT_ACTION
    ),
    # The pass's check page is for a school office: anyone with the link reads it (it shows
    # first names and a window only), rate-limited per client.
    "pass_check": Row("GET", lambda c: f"/pass/{_pass(c).token}/", PUBLIC),
    "record_verify": Row("GET", lambda c: "/verify/", PUBLIC),
    "exchanges:detail": Row("GET", lambda c: _exc(c, f"{_exchange_key(c)}/"), SHARED_PAGE),
    "exchanges:check_in": Row(
        "POST",
        lambda c: _exc(c, f"{_exchange_key(c)}/check-in/"),
        PARENT_ACTION,
        {"step": "arrived"},
    ),
    "exchanges:note": Row(
        "POST",
        lambda c: _exc(c, f"{_exchange_key(c)}/notes/"),
        expect(LOGIN, 400, 403, 403, 404),
        {"text": "On time."},
    ),
    # Documents: parents and the mediator read the folder and download; parents upload; a
    # viewer sees no documents. An empty upload comes back with the fields' errors (400).
    "documents:list": Row("GET", lambda c: _doc(c, ""), SHARED_PAGE),
    "documents:add": Row("GET", lambda c: _doc(c, "new/"), PARENT_PAGE),
    "documents:detail": Row("GET", lambda c: _doc(c, f"{_document(c).pk}/"), SHARED_PAGE),
    "documents:add_version": Row(
        "POST",
        lambda c: _doc(c, f"{_document(c).pk}/new-version/"),
        expect(LOGIN, 400, 403, 403, 404),
    ),
    "documents:download": Row(
        "GET",
        lambda c: _doc(c, f"versions/{_document(c).versions.get().pk}/"),
        SHARED_PAGE,
    ),
    # A PDF has no thumbnail: past the access checks, 404 for those who may read it.
    "documents:thumbnail": Row(
        "GET",
        lambda c: _doc(c, f"versions/{_document(c).versions.get().pk}/small/"),
        expect(LOGIN, 404, 404, 403, 404),
    ),
    # The journal: a parent's own (Sam would get 404 for Alex's entry, like a missing one: see
    # tests/journal); a professional reads only what is shared with them; a viewer, nothing.
    "journal:list": Row("GET", lambda c: _jou(c, ""), PARENT_PAGE),
    "journal:new": Row("GET", lambda c: _jou(c, "new/"), PARENT_PAGE),
    # The old download links ask the worker and redirect to the export's progress page.
    "journal:export_json": Row("POST", lambda c: _jou(c, "export.json"), PARENT_ACTION),
    "journal:export_pdf": Row("POST", lambda c: _jou(c, "export.pdf"), PARENT_ACTION),
    "journal:export_job": Row("GET", _journal_export, PARENT_PAGE),
    "journal:export_status": Row("GET", lambda c: _journal_export(c, "status/"), PARENT_PAGE),
    "journal:export_download": Row("GET", lambda c: _journal_export(c, "download/"), PARENT_PAGE),
    "journal:entry": Row("GET", lambda c: _jou(c, f"{_journal_entry(c).pk}/"), PARENT_PAGE),
    "journal:correct": Row(
        "POST",
        lambda c: _jou(c, f"{_journal_entry(c).pk}/correct/"),
        # The matrix posts no form fields: an empty correction is refused on the form (400),
        # past every access check.
        expect(LOGIN, 400, 403, 403, 404),
    ),
    "journal:share": Row(
        "POST",
        lambda c: _jou(c, f"{_journal_entry(c).pk}/share/"),
        PARENT_ACTION,
    ),
    "journal:unshare": Row(
        "POST", lambda c: _jou(c, f"{_journal_entry(c).pk}/unshare/"), PARENT_ACTION
    ),
    "journal:file": Row("GET", _journal_file, expect(LOGIN, 200, 200, 403, 404)),
    "journal:shared": Row("GET", lambda c: _jou(c, "shared/"), SHARED_WITH_PROFESSIONAL),
    "journal:shared_export": Row(
        "POST",
        lambda c: _journal_entry(c) and _jou(c, f"shared/export/{c.alex.pk}.json"),
        expect(LOGIN, 403, 302, 403, 404),
    ),
    "journal:shared_job": Row("GET", _shared_journal_export, SHARED_WITH_PROFESSIONAL),
    "journal:shared_job_status": Row(
        "GET", lambda c: _shared_journal_export(c, "status/"), SHARED_WITH_PROFESSIONAL
    ),
    "journal:shared_job_download": Row(
        "GET", lambda c: _shared_journal_export(c, "download/"), SHARED_WITH_PROFESSIONAL
    ),
    "journal:shared_entry": Row(
        "GET", lambda c: _jou(c, f"shared/{_journal_entry(c).pk}/"), SHARED_WITH_PROFESSIONAL
    ),
    # Shared expenses: parents and the mediator read, a viewer sees no money; parents write.
    # The answer row posts no decision: refused on the form (400), past every access check.
    "expenses:list": Row("GET", lambda c: _money(c) and _exp(c, ""), SHARED_PAGE),
    "expenses:add": Row("GET", lambda c: _exp(c, "new/"), PARENT_PAGE),
    "expenses:balance": Row("GET", lambda c: _money(c) and _exp(c, "balance/"), SHARED_PAGE),
    "expenses:payments": Row("GET", lambda c: _money(c) and _exp(c, "payments/"), SHARED_PAGE),
    "expenses:confirm": Row(
        "POST", lambda c: _exp(c, f"payments/{_money(c)['paid'].pk}/confirm/"), PARENT_ACTION
    ),
    "expenses:statement": Row("GET", lambda c: _money(c) and _exp(c, "statement/"), SHARED_PAGE),
    "expenses:statement_csv": Row(
        "GET", lambda c: _money(c) and _exp(c, "statement.csv"), SHARED_PAGE
    ),
    "expenses:statement_pdf": Row(
        "GET", lambda c: _money(c) and _exp(c, "statement.pdf"), SHARED_PAGE
    ),
    "expenses:year": Row("GET", lambda c: _money(c) and _exp(c, "year/"), SHARED_PAGE),
    "expenses:year_csv": Row("GET", lambda c: _money(c) and _exp(c, "year.csv"), SHARED_PAGE),
    "expenses:year_pdf": Row("GET", lambda c: _money(c) and _exp(c, "year.pdf"), SHARED_PAGE),
    # Correcting: Alex's own bill and the cash he recorded receiving. The withdrawals post no
    # reason: refused on the form (400), past every access check.
    "expenses:correct": Row(
        "GET", lambda c: _exp(c, f"{_money(c)['alexs'].pk}/correct/"), PARENT_PAGE
    ),
    "expenses:withdraw": Row(
        "POST",
        lambda c: _exp(c, f"{_money(c)['alexs'].pk}/withdraw/"),
        expect(LOGIN, 400, 403, 403, 404),
    ),
    "expenses:payment_correct": Row(
        "GET", lambda c: _exp(c, f"payments/{_money(c)['received'].pk}/correct/"), PARENT_PAGE
    ),
    "expenses:payment_withdraw": Row(
        "POST",
        lambda c: _exp(c, f"payments/{_money(c)['received'].pk}/withdraw/"),
        expect(LOGIN, 400, 403, 403, 404),
    ),
    "expenses:receipt": Row(
        "GET", lambda c: _exp(c, f"receipts/{_money(c)['alexs'].receipts.get().pk}/"), SHARED_PAGE
    ),
    "expenses:answer": Row(
        "POST",
        lambda c: _exp(c, f"requests/{_money(c)['asked'].pk}/answer/"),
        expect(LOGIN, 400, 403, 403, 404),
    ),
    "expenses:detail": Row("GET", lambda c: _exp(c, f"{_money(c)['alexs'].pk}/"), SHARED_PAGE),
    "expenses:stop_repeat": Row(
        "POST", lambda c: _exp(c, f"{_money(c)['monthly'].pk}/stop-repeating/"), PARENT_ACTION
    ),
    "expenses:ask": Row("POST", lambda c: _exp(c, f"{_money(c)['alexs'].pk}/ask/"), PARENT_ACTION),
    # Requests: parents and the mediator read and comment; parents ask and answer; a viewer
    # sees none of it.
    "requests:list": Row("GET", lambda c: _req(c, ""), SHARED_PAGE),
    "requests:add": Row("GET", lambda c: _req(c, "new/?kind=swap"), PARENT_PAGE),
    "requests:detail": Row("GET", lambda c: _req(c, f"{_request(c).pk}/"), SHARED_PAGE),
    "requests:approve": Row("POST", lambda c: _req(c, f"{_request(c).pk}/approve/"), PARENT_ACTION),
    # Without a reason the page comes back with the field's error (400), declining nothing.
    "requests:decline": Row(
        "POST", lambda c: _req(c, f"{_request(c).pk}/decline/"), expect(LOGIN, 400, 403, 403, 404)
    ),
    "requests:withdraw": Row(
        "POST", lambda c: _req(c, f"{_own_request(c).pk}/withdraw/"), PARENT_ACTION
    ),
    "requests:counter": Row("GET", lambda c: _req(c, f"{_request(c).pk}/counter/"), PARENT_PAGE),
    # An empty comment comes back with the field's error (400), adding nothing.
    "requests:comment": Row(
        "POST", lambda c: _req(c, f"{_request(c).pk}/comments/"), expect(LOGIN, 400, 400, 403, 404)
    ),
    # Schedule: every member sees the calendar and has a feed; parents and the mediator read
    # proposals and the time-share; parents propose and answer.
    "schedule:month": Row("GET", lambda c: _sch(c, ""), ANY_MEMBER_PAGE),
    "schedule:agenda": Row("GET", lambda c: _sch(c, "agenda/"), ANY_MEMBER_PAGE),
    # A day of the calendar is the calendar: every member's, viewers too.
    "schedule:day": Row("GET", lambda c: _sch(c, "day/2040-01-03/"), ANY_MEMBER_PAGE),
    "schedule:edit": Row("GET", lambda c: _sch(c, "plan/"), PARENT_PAGE),
    # An empty form answers the preview fragment with its problems (200), saving nothing.
    "schedule:preview": Row(
        "POST", lambda c: _sch(c, "plan/preview/"), expect(LOGIN, 200, 403, 403, 404)
    ),
    "schedule:proposals": Row("GET", lambda c: _sch(c, "proposals/"), SHARED_PAGE),
    "schedule:accept": Row(
        "POST", lambda c: _sch(c, f"proposals/{_proposal(c).pk}/accept/"), PARENT_ACTION
    ),
    # Without a reason the page comes back with the field's error (400), declining nothing.
    "schedule:decline": Row(
        "POST",
        lambda c: _sch(c, f"proposals/{_proposal(c).pk}/decline/"),
        expect(LOGIN, 400, 403, 403, 404),
    ),
    "schedule:withdraw": Row(
        "POST", lambda c: _sch(c, f"proposals/{_proposal(c, 'alex').pk}/withdraw/"), PARENT_ACTION
    ),
    "schedule:timeshare": Row("GET", lambda c: _sch(c, "timeshare/"), SHARED_PAGE),
    "schedule:timeshare_csv": Row("GET", lambda c: _sch(c, "timeshare.csv"), SHARED_PAGE),
    "schedule:feed": Row("GET", lambda c: _sch(c, "feed/"), ANY_MEMBER_PAGE),
    "schedule:feed_create": Row(
        "POST", lambda c: _sch(c, "feed/new/"), expect(LOGIN, 302, 302, 302, 404)
    ),
    "schedule:feed_revoke": Row(
        "POST", lambda c: _sch(c, "feed/revoke/"), expect(LOGIN, 302, 302, 302, 404)
    ),
    "schedule:feed_reminders": Row(
        "POST",
        _feed_reminders,
        expect(LOGIN, 302, 302, 302, 404),
        data={"exchange_reminder": "120", "event_reminder": ""},
    ),
    # The feed's token is the key: no session needed, so the same answer for everyone.
    "schedule_feed": Row("GET", _feed_path, PUBLIC),
    # The notification centre: each person's own, across families. Alex's notification is
    # Alex's alone: for anyone else it does not exist.
    "notifications:list": Row("GET", lambda c: "/notifications/", ACCOUNT_PAGE),
    "notifications:open": Row(
        "POST",
        lambda c: f"/notifications/{_alex_notification(c)}/open/",
        expect(LOGIN, 302, 404, 404, 404),
    ),
    "notifications:read": Row(
        "POST",
        lambda c: f"/notifications/{_alex_notification(c)}/read/",
        expect(LOGIN, 302, 404, 404, 404),
    ),
    "notifications:read_all": Row(
        "POST", lambda c: "/notifications/read-all/", expect(LOGIN, 302, 302, 302, 302)
    ),
    "notifications:preferences": Row("GET", lambda c: "/notifications/settings/", ACCOUNT_PAGE),
    # The settings page's script sends a browser's subscription; an empty body is a 400.
    "notifications:push_subscribe": Row(
        "POST", lambda c: "/notifications/push/subscribe/", expect(LOGIN, 400, 400, 400, 400)
    ),
    "notifications:push_unsubscribe": Row(
        "POST", lambda c: "/notifications/push/unsubscribe/", expect(LOGIN, 400, 400, 400, 400)
    ),
    # The agreement: parents and the mediator read it and propose; parents sign and decline;
    # a viewer sees none of it.
    "agreements:agreement": Row("GET", lambda c: _agr(c, ""), SHARED_PAGE),
    "agreements:library": Row("GET", lambda c: _agr(c, "library/"), SHARED_PAGE),
    "agreements:propose": Row("GET", lambda c: _agr(c, "propose/"), SHARED_PAGE),
    "agreements:print": Row(
        "GET", lambda c: _clause(c, signed=True) and _agr(c, "print/"), SHARED_PAGE
    ),
    "agreements:pdf": Row("GET", lambda c: _agr(c, "agreement.pdf"), SHARED_PAGE),
    "agreements:clause": Row(
        "GET", lambda c: _agr(c, f"clauses/{_clause(c).clause_id}/"), SHARED_PAGE
    ),
    "agreements:amend": Row(
        "GET", lambda c: _agr(c, f"clauses/{_clause(c, signed=True).clause_id}/amend/"), SHARED_PAGE
    ),
    "agreements:sign": Row(
        "POST", lambda c: _agr(c, f"versions/{_clause(c).pk}/sign/"), PARENT_ACTION
    ),
    # Without a reason the clause's page comes back with the field's error (400).
    "agreements:decline": Row(
        "POST",
        lambda c: _agr(c, f"versions/{_clause(c).pk}/decline/"),
        expect(LOGIN, 400, 403, 403, 404),
    ),
    # Morgan may withdraw a proposal of Morgan's own: Alex's is refused with a message on the
    # clause's page (302 back to it), changing nothing.
    "agreements:withdraw": Row(
        "POST",
        lambda c: _agr(c, f"versions/{_clause(c, 'alex').pk}/withdraw/"),
        expect(LOGIN, 302, 302, 403, 404),
    ),
    # The info bank: every member reads a child's bank and emergency card (a viewer only what
    # is marked for care); an item's page and history are for parents and the mediator; only
    # parents add, change, remove and reveal a masked number (the reveal page itself, 200).
    "infobank:index": Row("GET", lambda c: _info(c, ""), ANY_MEMBER_PAGE),
    "infobank:child": Row("GET", lambda c: _info(c, f"{c.mia.pk}/"), ANY_MEMBER_PAGE),
    "infobank:card": Row("GET", lambda c: _info(c, f"{c.mia.pk}/card/"), ANY_MEMBER_PAGE),
    "infobank:add": Row("GET", lambda c: _info(c, f"{c.mia.pk}/add/allergy/"), PARENT_PAGE),
    "infobank:item": Row("GET", lambda c: _info(c, f"items/{_info_item(c).pk}/"), SHARED_PAGE),
    "infobank:change": Row(
        "GET", lambda c: _info(c, f"items/{_info_item(c).pk}/change/"), PARENT_PAGE
    ),
    "infobank:remove": Row(
        "POST", lambda c: _info(c, f"items/{_info_item(c).pk}/remove/"), PARENT_ACTION
    ),
    "infobank:reveal": Row(
        "POST",
        lambda c: _info(c, f"items/{_info_item(c).pk}/reveal/"),
        expect(LOGIN, 200, 403, 403, 404),
    ),
    # The installable app: the same for everyone, signed in or not.
    "web:manifest": Row("GET", lambda c: "/manifest.webmanifest", PUBLIC),
    "web:service_worker": Row("GET", lambda c: "/sw.js", PUBLIC),
    "web:offline": Row("GET", lambda c: "/offline/", PUBLIC),
}


def _api(c: Any, suffix: str = "") -> str:
    return f"/api/v1/families/{c.family.pk}{suffix}"


def _withdraw_alex_consent(c: Any) -> str:
    services.consent_withdraw(access=c.access(c.alex), professional=c.mediator)
    return _api(c, f"/members/{c.mediator.pk}/consent")


def _new_event_path(c: Any) -> str:
    # The body names one of the family's children, whose id exists only once the cast does;
    # the test reads a row's data after its path, so the path fills it in.
    API[("POST", "/api/v1/families/{family_id}/events")].data["children"] = [str(c.mia.pk)]
    return _api(c, "/events")


def _new_request_path(c: Any) -> str:
    API[("POST", "/api/v1/families/{family_id}/requests")].data["children"] = [str(c.mia.pk)]
    return _api(c, "/requests")


def _exp(c: Any, rest: str) -> str:
    return f"{_fam(c)}/expenses/{rest}"


def _expense_body(c: Any) -> dict[str, Any]:
    """A doctor's bill for Mia, yesterday."""
    from datetime import UTC, datetime, timedelta

    day = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    return {
        "spent_on": day,
        "amount": "120.00",
        "currency": "EUR",
        "category": "medical",
        "description": "Paediatrician",
        "children": [str(c.mia.pk)],
    }


def _money(c: Any) -> Any:
    """The Riveras' ledger: Alex's bill (Alex may ask for Sam's half), Sam's bill with Sam's
    request waiting for Alex's answer, a payment Sam says he sent Alex, waiting for Alex's
    confirmation, and cash Alex says he received from Sam (his to correct)."""
    if not hasattr(c, "ledger"):
        from datetime import date

        from coparent.expenses import services as expenses

        body = {**_expense_body(c)}
        body["spent_on"] = date.fromisoformat(body["spent_on"])
        from coparent.messaging.attachments import IncomingFile

        alexs = expenses.expense_add(
            access=c.access(c.alex),
            receipts=[IncomingFile("bill.pdf", b"%PDF-1.4\n%%EOF\n")],
            **body,
        )
        sams = expenses.expense_add(access=c.access(c.sam), **{**body, "description": "Shoes"})
        asked = expenses.reimbursement_ask(access=c.access(c.sam), expense=sams)
        paid = expenses.payment_record(
            access=c.access(c.sam),
            direction="sent",
            amount="10.00",
            currency="EUR",
            paid_on=sams.spent_on,
            method="transfer",
            confirm_overpayment=True,
        )
        received = expenses.payment_record(
            access=c.access(c.alex),
            direction="received",
            amount="5.00",
            currency="EUR",
            paid_on=sams.spent_on,
            method="cash",
            confirm_overpayment=True,
        )
        monthly = expenses.expense_add(
            access=c.access(c.sam),
            repeat_monthly=True,
            **{**body, "category": "activities", "description": "Swimming club"},
        )
        c.ledger = {
            "alexs": alexs,
            "sams": sams,
            "asked": asked,
            "paid": paid,
            "received": received,
            "monthly": monthly,
        }
    return c.ledger


def api_expect(anonymous: int, alex: int, morgan: int, vic: int, olivia: int) -> dict[str, int]:
    return expect(anonymous, alex, morgan, vic, olivia)


API_ANY_USER = api_expect(401, 200, 200, 200, 200)
API_MEMBER_READ = api_expect(401, 200, 200, 200, 404)
API_SHARED_READ = api_expect(401, 200, 200, 403, 404)
API_PARENT_CREATE = api_expect(401, 201, 403, 403, 404)


def _jour(c: Any, rest: str = "") -> str:
    return _api(c, f"/journal{rest}")


# Only the author, a parent: Morgan and Vic get 403 on a parent's journal (Sam's 404 for
# Alex's entry is in tests/journal); only a professional has entries shared with them.
API_JOURNAL_READ = api_expect(401, 200, 403, 403, 404)
API_SHARED_WITH_ME = api_expect(401, 403, 200, 403, 404)


def _api_journal_export(c: Any) -> str:
    """The id of Alex's journal export (the pages' row makes it, ready)."""
    _journal_export(c)
    return str(c.journal_export.pk)


# A record export is its asker's (Alex's): Morgan gets 404, Vic 403, Olivia 404.
API_OWN_EXPORT = api_expect(401, 200, 404, 403, 404)


def _api_export_job(c: Any) -> str:
    """The id of Alex's record export (the pages' row makes it, ready)."""
    _export_job(c)
    return str(c.export_job.pk)


# Keyed by (method, path template) exactly as the OpenAPI schema names them.
API: dict[tuple[str, str], Row] = {
    ("GET", "/api/v1/families/{family_id}/journal"): Row("GET", _jour, API_JOURNAL_READ),
    ("POST", "/api/v1/families/{family_id}/journal"): Row(
        "POST", _jour, api_expect(401, 201, 403, 403, 404), {"text": "Late again."}
    ),
    ("POST", "/api/v1/families/{family_id}/journal/upload"): Row(
        "POST",
        lambda c: _jour(c, "/upload"),
        api_expect(401, 201, 403, 403, 404),
        {"text": "The school's letter."},
    ),
    ("POST", "/api/v1/families/{family_id}/journal/exports"): Row(
        "POST",
        lambda c: _jour(c, "/exports"),
        api_expect(401, 202, 403, 403, 404),
        {"file_format": "json"},
    ),
    ("GET", "/api/v1/families/{family_id}/journal/exports/{job_id}"): Row(
        "GET", lambda c: _jour(c, f"/exports/{_api_journal_export(c)}"), API_JOURNAL_READ
    ),
    ("GET", "/api/v1/families/{family_id}/journal/exports/{job_id}/download"): Row(
        "GET", lambda c: _jour(c, f"/exports/{_api_journal_export(c)}/download"), API_JOURNAL_READ
    ),
    ("GET", "/api/v1/families/{family_id}/journal/shared"): Row(
        "GET", lambda c: _jour(c, "/shared"), API_SHARED_WITH_ME
    ),
    ("GET", "/api/v1/families/{family_id}/journal/shared/{entry_id}"): Row(
        "GET", lambda c: _jour(c, f"/shared/{_journal_entry(c).pk}"), API_SHARED_WITH_ME
    ),
    ("GET", "/api/v1/families/{family_id}/journal/{entry_id}"): Row(
        "GET", lambda c: _jour(c, f"/{_journal_entry(c).pk}"), API_JOURNAL_READ
    ),
    ("POST", "/api/v1/families/{family_id}/journal/{entry_id}/versions"): Row(
        "POST",
        lambda c: _jour(c, f"/{_journal_entry(c).pk}/versions"),
        api_expect(401, 201, 403, 403, 404),
        {"text": "45 minutes late."},
    ),
    ("POST", "/api/v1/families/{family_id}/journal/{entry_id}/share"): Row(
        "POST",
        lambda c: _jour(c, f"/{_journal_entry(c).pk}/share"),
        API_JOURNAL_READ,
        lambda c: {"professional": str(c.mediator.pk)},
    ),
    ("POST", "/api/v1/families/{family_id}/journal/{entry_id}/unshare"): Row(
        "POST", lambda c: _jour(c, f"/{_journal_entry(c).pk}/unshare"), API_JOURNAL_READ
    ),
    ("GET", "/api/v1/me"): Row("GET", lambda c: "/api/v1/me", API_ANY_USER),
    ("GET", "/api/v1/record-key"): Row(
        "GET", lambda c: "/api/v1/record-key", api_expect(200, 200, 200, 200, 200)
    ),
    ("GET", "/api/v1/families"): Row("GET", lambda c: "/api/v1/families", API_ANY_USER),
    ("POST", "/api/v1/families"): Row(
        "POST",
        lambda c: "/api/v1/families",
        api_expect(401, 201, 201, 201, 201),
        {"name": "New family"},
    ),
    ("GET", "/api/v1/families/{family_id}"): Row("GET", lambda c: _api(c), API_MEMBER_READ),
    ("PATCH", "/api/v1/families/{family_id}"): Row(
        "PATCH",
        lambda c: _api(c),
        api_expect(401, 200, 403, 403, 404),
        {"timezone": "Europe/Lisbon"},
    ),
    # A parent's own home address and safe mode: only parents keep one, each their own
    # (docs/safety.md); nobody reads another's through these.
    ("GET", "/api/v1/families/{family_id}/home"): Row(
        "GET", lambda c: f"{_api(c)}/home", api_expect(401, 200, 403, 403, 404)
    ),
    ("PUT", "/api/v1/families/{family_id}/home"): Row(
        "PUT",
        lambda c: f"{_api(c)}/home",
        api_expect(401, 200, 403, 403, 404),
        {"address": "742 Evergreen Terrace", "safe_mode": True},
    ),
    ("GET", "/api/v1/families/{family_id}/children"): Row(
        "GET", lambda c: _api(c, "/children"), API_MEMBER_READ
    ),
    ("POST", "/api/v1/families/{family_id}/children"): Row(
        "POST",
        lambda c: _api(c, "/children"),
        api_expect(401, 201, 403, 403, 404),
        {"name": "Zoe", "date_of_birth": "2021-03-03"},
    ),
    ("GET", "/api/v1/families/{family_id}/children/{child_id}"): Row(
        "GET", lambda c: _api(c, f"/children/{c.mia.pk}"), API_MEMBER_READ
    ),
    ("PATCH", "/api/v1/families/{family_id}/children/{child_id}"): Row(
        "PATCH",
        lambda c: _api(c, f"/children/{c.mia.pk}"),
        api_expect(401, 200, 403, 403, 404),
        {"name": "Mia Rose"},
    ),
    ("GET", "/api/v1/families/{family_id}/members"): Row(
        "GET", lambda c: _api(c, "/members"), API_SHARED_READ
    ),
    # Once Alex withdraws, the mediator has no access at all: 404 like any outsider.
    ("POST", "/api/v1/families/{family_id}/members/{member_id}/consent"): Row(
        "POST", _withdraw_alex_consent, api_expect(401, 201, 404, 403, 404)
    ),
    ("DELETE", "/api/v1/families/{family_id}/members/{member_id}/consent"): Row(
        "DELETE",
        lambda c: _api(c, f"/members/{c.mediator.pk}/consent"),
        api_expect(401, 204, 403, 403, 404),
    ),
    ("DELETE", "/api/v1/families/{family_id}/members/{member_id}"): Row(
        "DELETE", lambda c: _api(c, f"/members/{c.viewer.pk}"), api_expect(401, 204, 403, 204, 404)
    ),
    ("GET", "/api/v1/families/{family_id}/invitations"): Row(
        "GET", lambda c: _api(c, "/invitations"), API_SHARED_READ
    ),
    ("POST", "/api/v1/families/{family_id}/invitations"): Row(
        "POST",
        lambda c: _api(c, "/invitations"),
        api_expect(401, 201, 403, 403, 404),
        {"email": "grandpa@example.org", "role": "viewer"},
    ),
    ("DELETE", "/api/v1/families/{family_id}/invitations/{invitation_id}"): Row(
        "DELETE",
        lambda c: _api(c, f"/invitations/{_pending_invitation(c).pk}"),
        api_expect(401, 204, 403, 403, 404),
    ),
    # The link is the secret: whoever holds it may join, unless already a member (409).
    ("POST", "/api/v1/invitations/accept"): Row(
        "POST",
        lambda c: _pending_invitation(c) and "/api/v1/invitations/accept",
        api_expect(401, 409, 409, 409, 201),
        {"token": None},
    ),
    ("GET", "/api/v1/families/{family_id}/record/checkpoint"): Row(
        "GET", lambda c: _api(c, "/record/checkpoint"), API_SHARED_READ
    ),
    ("GET", "/api/v1/families/{family_id}/record"): Row(
        "GET", lambda c: _api(c, "/record"), API_SHARED_READ
    ),
    # A record export, as from the web: parents and the consented mediator start one; the job
    # is its asker's alone (Alex's: Morgan gets the 404 of a missing one).
    ("POST", "/api/v1/families/{family_id}/record/exports"): Row(
        "POST",
        lambda c: _api(c, "/record/exports"),
        api_expect(401, 202, 202, 403, 404),
        {"file_format": "json"},
    ),
    ("GET", "/api/v1/families/{family_id}/record/exports/{job_id}"): Row(
        "GET", lambda c: _api(c, f"/record/exports/{_api_export_job(c)}"), API_OWN_EXPORT
    ),
    ("GET", "/api/v1/families/{family_id}/record/exports/{job_id}/download"): Row(
        "GET",
        lambda c: _api(c, f"/record/exports/{_api_export_job(c)}/download"),
        API_OWN_EXPORT,
    ),
    # Public like the /verify/ page: sent JSON, as the matrix sends, it answers 415 to anyone,
    # never 401 (tests/api/test_record_exports.py uploads real exports).
    ("POST", "/api/v1/record/verify"): Row(
        "POST", lambda c: "/api/v1/record/verify", api_expect(415, 415, 415, 415, 415)
    ),
    ("GET", "/api/v1/families/{family_id}/threads"): Row(
        "GET", lambda c: _api(c, "/threads"), API_SHARED_READ
    ),
    ("POST", "/api/v1/families/{family_id}/threads"): Row(
        "POST",
        lambda c: _api(c, "/threads"),
        api_expect(401, 201, 201, 403, 404),
        {"subject": "Dentist", "topic": "health", "body": "Tuesday 9:00"},
    ),
    ("GET", "/api/v1/families/{family_id}/threads/{thread_id}/messages"): Row(
        "GET", lambda c: _api(c, f"/threads/{_thread(c).pk}/messages"), API_SHARED_READ
    ),
    ("POST", "/api/v1/families/{family_id}/threads/{thread_id}/messages"): Row(
        "POST",
        lambda c: _api(c, f"/threads/{_thread(c).pk}/messages"),
        api_expect(401, 201, 201, 403, 404),
        {"body": "Yes, 15:00."},
    ),
    # The upload siblings take multipart/form-data with files (see test_api_operation).
    ("POST", "/api/v1/families/{family_id}/threads/upload"): Row(
        "POST",
        lambda c: _api(c, "/threads/upload"),
        api_expect(401, 201, 201, 403, 404),
        {"subject": "Dentist", "topic": "health", "body": "Tuesday 9:00"},
    ),
    ("POST", "/api/v1/families/{family_id}/threads/{thread_id}/messages/upload"): Row(
        "POST",
        lambda c: _api(c, f"/threads/{_thread(c).pk}/messages/upload"),
        api_expect(401, 201, 201, 403, 404),
        {"body": "Yes, 15:00."},
    ),
    ("POST", "/api/v1/families/{family_id}/threads/{thread_id}/viewed"): Row(
        "POST",
        lambda c: _api(c, f"/threads/{_thread(c).pk}/viewed"),
        API_SHARED_READ,
        {"message_ids": None},
    ),
    ("GET", "/api/v1/families/{family_id}/messages/search"): Row(
        "GET", lambda c: _api(c, "/messages/search?q=pickup"), API_SHARED_READ
    ),
    ("GET", "/api/v1/families/{family_id}/attachments/{attachment_id}"): Row(
        "GET",
        lambda c: _thread(c) and _api(c, f"/attachments/{c.attachment.pk}"),
        API_SHARED_READ,
    ),
    ("GET", "/api/v1/families/{family_id}/events"): Row(
        "GET", lambda c: _api(c, "/events"), API_MEMBER_READ
    ),
    ("POST", "/api/v1/families/{family_id}/events"): Row(
        "POST",
        _new_event_path,
        api_expect(401, 201, 403, 403, 404),
        {
            "title": "School play",
            "kind": "school",
            "children": [],
            "timezone": "Europe/Paris",
            "starts_at": "2040-06-12T18:00:00",
            "ends_at": "2040-06-12T19:30:00",
        },
    ),
    ("GET", "/api/v1/families/{family_id}/events/{event_id}"): Row(
        "GET", lambda c: _api(c, f"/events/{_event(c).pk}"), API_MEMBER_READ
    ),
    ("PATCH", "/api/v1/families/{family_id}/events/{event_id}"): Row(
        "PATCH",
        lambda c: _api(c, f"/events/{_event(c).pk}"),
        api_expect(401, 200, 403, 403, 404),
        {"place": "Town hall"},
    ),
    ("POST", "/api/v1/families/{family_id}/events/{event_id}/cancel"): Row(
        "POST",
        lambda c: _api(c, f"/events/{_event(c).pk}/cancel"),
        api_expect(401, 200, 403, 403, 404),
        {"reason": "Rained off"},
    ),
    ("PUT", "/api/v1/families/{family_id}/events/{event_id}/rsvp"): Row(
        "PUT",
        lambda c: _api(c, f"/events/{_event(c).pk}/rsvp"),
        api_expect(401, 200, 403, 403, 404),
        {"answer": "yes"},
    ),
    # The info bank (docs/infobank.md): every member reads a child's items and emergency card;
    # parents and the mediator an item's history; parents write and reveal.
    ("GET", "/api/v1/families/{family_id}/children/{child_id}/info"): Row(
        "GET", lambda c: _api(c, f"/children/{c.mia.pk}/info"), API_MEMBER_READ
    ),
    ("POST", "/api/v1/families/{family_id}/children/{child_id}/info"): Row(
        "POST",
        lambda c: _api(c, f"/children/{c.mia.pk}/info"),
        api_expect(401, 201, 403, 403, 404),
        {"kind": "allergy", "values": {"allergen": "Peanuts"}},
    ),
    ("GET", "/api/v1/families/{family_id}/children/{child_id}/emergency-card"): Row(
        "GET", lambda c: _api(c, f"/children/{c.mia.pk}/emergency-card"), API_MEMBER_READ
    ),
    ("GET", "/api/v1/families/{family_id}/info/{item_id}"): Row(
        "GET", lambda c: _api(c, f"/info/{_info_item(c).pk}"), API_SHARED_READ
    ),
    ("PUT", "/api/v1/families/{family_id}/info/{item_id}"): Row(
        "PUT",
        lambda c: _api(c, f"/info/{_info_item(c).pk}"),
        api_expect(401, 200, 403, 403, 404),
        {"values": {"document": "passport", "number": "NXC4PR7Q2", "country": "BE"}},
    ),
    ("DELETE", "/api/v1/families/{family_id}/info/{item_id}"): Row(
        "DELETE",
        lambda c: _api(c, f"/info/{_info_item(c).pk}"),
        api_expect(401, 200, 403, 403, 404),
    ),
    ("POST", "/api/v1/families/{family_id}/info/{item_id}/reveal"): Row(
        "POST",
        lambda c: _api(c, f"/info/{_info_item(c).pk}/reveal"),
        api_expect(401, 200, 403, 403, 404),
    ),
    ("GET", "/api/v1/families/{family_id}/exchanges"): Row(
        "GET", lambda c: _api(c, "/exchanges"), API_SHARED_READ
    ),
    ("GET", "/api/v1/families/{family_id}/exchanges/{key}"): Row(
        "GET", lambda c: _api(c, f"/exchanges/{_exchange_key(c)}"), API_SHARED_READ
    ),
    # Well formed, and refused past the access checks: the exchange is in 2040.
    ("POST", "/api/v1/families/{family_id}/exchanges/{key}/check-ins"): Row(
        "POST",
        lambda c: _api(c, f"/exchanges/{_exchange_key(c)}/check-ins"),
        api_expect(401, 400, 403, 403, 404),
        {"step": "arrived"},
    ),
    ("POST", "/api/v1/families/{family_id}/exchanges/{key}/notes"): Row(
        "POST",
        lambda c: _api(c, f"/exchanges/{_exchange_key(c)}/notes"),
        api_expect(401, 400, 403, 403, 404),
        {"text": "On time."},
    ),
    ("GET", "/api/v1/families/{family_id}/insights"): Row(
        "GET", lambda c: _api(c, "/insights"), API_SHARED_READ
    ),
    ("GET", "/api/v1/families/{family_id}/timeshare/actual"): Row(
        "GET", lambda c: _api(c, "/timeshare/actual"), API_SHARED_READ
    ),
    # Multipart with a file, as the matrix sends every upload; refused past the access checks
    # (the exchange is in 2040).
    ("POST", "/api/v1/families/{family_id}/exchanges/{key}/notes/upload"): Row(
        "POST",
        lambda c: _api(c, f"/exchanges/{_exchange_key(c)}/notes/upload"),
        api_expect(401, 400, 403, 403, 404),
        {"text": "On time."},
    ),
    # Documents: multipart uploads (the matrix's PDF is a well-formed file), reads for parents
    # and the mediator, nothing for a viewer.
    ("GET", "/api/v1/families/{family_id}/documents"): Row(
        "GET", lambda c: _api(c, "/documents"), API_SHARED_READ
    ),
    ("POST", "/api/v1/families/{family_id}/documents/upload"): Row(
        "POST",
        lambda c: _api(c, "/documents/upload"),
        api_expect(401, 201, 403, 403, 404),
        {"title": "School report", "date": "2026-04-10", "category": "school_report"},
    ),
    ("GET", "/api/v1/families/{family_id}/documents/{document_id}"): Row(
        "GET", lambda c: _api(c, f"/documents/{_document(c).pk}"), API_SHARED_READ
    ),
    ("POST", "/api/v1/families/{family_id}/documents/{document_id}/versions/upload"): Row(
        "POST",
        lambda c: _api(c, f"/documents/{_document(c).pk}/versions/upload"),
        api_expect(401, 201, 403, 403, 404),
    ),
    ("GET", "/api/v1/families/{family_id}/documents/{document_id}/versions/{version_id}"): Row(
        "GET",
        lambda c: _api(
            c, f"/documents/{_document(c).pk}/versions/{_document(c).versions.get(number=1).pk}"
        ),
        API_SHARED_READ,
    ),
    ("GET", "/api/v1/families/{family_id}/passes"): Row(
        "GET", lambda c: _api(c, "/passes"), API_SHARED_READ
    ),
    ("POST", "/api/v1/families/{family_id}/passes"): Row(
        "POST",
        lambda c: _api(c, "/passes"),
        api_expect(401, 201, 403, 403, 404),
        _pass_body,
    ),
    ("POST", "/api/v1/families/{family_id}/passes/{pass_id}/revoke"): Row(
        "POST",
        lambda c: _api(c, f"/passes/{_pass(c).pk}/revoke"),
        api_expect(401, 200, 403, 403, 404),
    ),
    ("GET", "/api/v1/families/{family_id}/requests"): Row(
        "GET", lambda c: _api(c, "/requests"), API_SHARED_READ
    ),
    ("POST", "/api/v1/families/{family_id}/requests"): Row(
        "POST",
        _new_request_path,
        api_expect(401, 201, 403, 403, 404),
        {"kind": "activity", "title": "Swimming lessons", "children": []},
    ),
    ("GET", "/api/v1/families/{family_id}/requests/{request_id}"): Row(
        "GET", lambda c: _api(c, f"/requests/{_request(c).pk}"), API_SHARED_READ
    ),
    ("POST", "/api/v1/families/{family_id}/requests/{request_id}/approve"): Row(
        "POST",
        lambda c: _api(c, f"/requests/{_request(c).pk}/approve"),
        api_expect(401, 200, 403, 403, 404),
    ),
    ("POST", "/api/v1/families/{family_id}/requests/{request_id}/decline"): Row(
        "POST",
        lambda c: _api(c, f"/requests/{_request(c).pk}/decline"),
        api_expect(401, 200, 403, 403, 404),
        {"reason": "Not this term"},
    ),
    ("POST", "/api/v1/families/{family_id}/requests/{request_id}/counter"): Row(
        "POST",
        lambda c: _api(c, f"/requests/{_request(c).pk}/counter"),
        api_expect(401, 201, 403, 403, 404),
        {"details": "The spring one instead"},
    ),
    ("POST", "/api/v1/families/{family_id}/requests/{request_id}/withdraw"): Row(
        "POST",
        lambda c: _api(c, f"/requests/{_own_request(c).pk}/withdraw"),
        api_expect(401, 200, 403, 403, 404),
    ),
    ("POST", "/api/v1/families/{family_id}/requests/{request_id}/comments"): Row(
        "POST",
        lambda c: _api(c, f"/requests/{_request(c).pk}/comments"),
        api_expect(401, 201, 201, 403, 404),
        {"text": "Which evening?"},
    ),
    ("GET", "/api/v1/tokens"): Row("GET", lambda c: "/api/v1/tokens", API_ANY_USER),
    # The notification centre: each caller's own; Alex's notification is nobody else's.
    ("GET", "/api/v1/notifications"): Row("GET", lambda c: "/api/v1/notifications", API_ANY_USER),
    ("POST", "/api/v1/notifications/{notification_id}/read"): Row(
        "POST",
        lambda c: f"/api/v1/notifications/{_alex_notification(c)}/read",
        api_expect(401, 200, 404, 404, 404),
    ),
    ("GET", "/api/v1/notifications/push-key"): Row(
        "GET", lambda c: "/api/v1/notifications/push-key", API_ANY_USER
    ),
    ("GET", "/api/v1/notifications/push-subscriptions"): Row(
        "GET", lambda c: "/api/v1/notifications/push-subscriptions", API_ANY_USER
    ),
    # An endpoint on no known push service: a well-formed request, refused on its field.
    ("POST", "/api/v1/notifications/push-subscriptions"): Row(
        "POST",
        lambda c: "/api/v1/notifications/push-subscriptions",
        api_expect(401, 400, 400, 400, 400),
        {"endpoint": "http://10.0.0.5/x", "keys": {"p256dh": "x", "auth": "y"}},
    ),
    # Alex's phone: his own to forget, a 404 for everyone else.
    ("DELETE", "/api/v1/notifications/push-subscriptions/{subscription_id}"): Row(
        "DELETE",
        lambda c: f"/api/v1/notifications/push-subscriptions/{_alex_phone(c)}",
        api_expect(401, 204, 404, 404, 404),
    ),
    ("POST", "/api/v1/notifications/read-all"): Row(
        "POST", lambda c: "/api/v1/notifications/read-all", API_ANY_USER
    ),
    ("GET", "/api/v1/notifications/preferences"): Row(
        "GET", lambda c: "/api/v1/notifications/preferences", API_ANY_USER
    ),
    ("PUT", "/api/v1/notifications/preferences"): Row(
        "PUT",
        lambda c: "/api/v1/notifications/preferences",
        API_ANY_USER,
        {
            "channels": {"rsvp": {"email": True}},
            "exchange_lead_minutes": 60,
            "event_lead_minutes": 1440,
            "include_content": False,
            "message_digest": False,
        },
    ),
    ("POST", "/api/v1/tokens"): Row(
        "POST",
        lambda c: "/api/v1/tokens",
        # Morgan has the authenticator app on (professionals must): without its code, a 400.
        api_expect(401, 201, 400, 201, 201),
        {"name": "ci", "password": PASSWORD},  # making a token takes the password again
    ),
    ("DELETE", "/api/v1/tokens/{token_id}"): Row(
        "DELETE", lambda c: f"/api/v1/tokens/{c.alex_token.pk}", api_expect(401, 204, 404, 404, 404)
    ),
    # The tone coach is about the caller's own text, not a family's data: anyone logged in.
    ("POST", "/api/v1/tone"): Row(
        "POST", lambda c: "/api/v1/tone", API_ANY_USER, {"text": "See you at 6."}
    ),
    ("GET", "/api/v1/families/{family_id}/calendar"): Row(
        "GET", lambda c: _api(c, "/calendar?from=2040-01-01&to=2040-02-01"), API_MEMBER_READ
    ),
    ("GET", "/api/v1/families/{family_id}/timeshare"): Row(
        "GET",
        lambda c: _plan_in_force(c) or _api(c, "/timeshare?from=2040-01-01&to=2041-01-01"),
        API_SHARED_READ,
    ),
    ("GET", "/api/v1/families/{family_id}/plans"): Row(
        "GET", lambda c: _api(c, "/plans"), API_SHARED_READ
    ),
    ("POST", "/api/v1/families/{family_id}/plans"): Row(
        "POST",
        lambda c: _api(c, "/plans"),
        api_expect(401, 201, 403, 403, 404),
        {"plan": PLAN, "effective_from": "2040-01-01"},
    ),
    ("POST", "/api/v1/families/{family_id}/plans/preview"): Row(
        "POST",
        lambda c: _api(c, "/plans/preview"),
        api_expect(401, 200, 403, 403, 404),
        {"plan": PLAN, "from": "2040-01-01", "to": "2040-03-01"},
    ),
    ("POST", "/api/v1/families/{family_id}/plans/{version_id}/accept"): Row(
        "POST",
        lambda c: _api(c, f"/plans/{_proposal(c).pk}/accept"),
        api_expect(401, 200, 403, 403, 404),
    ),
    ("POST", "/api/v1/families/{family_id}/plans/{version_id}/decline"): Row(
        "POST",
        lambda c: _api(c, f"/plans/{_proposal(c).pk}/decline"),
        api_expect(401, 200, 403, 403, 404),
        {"reason": "Weeks are too long for Leo"},
    ),
    ("POST", "/api/v1/families/{family_id}/plans/{version_id}/withdraw"): Row(
        "POST",
        lambda c: _api(c, f"/plans/{_proposal(c, 'alex').pk}/withdraw"),
        api_expect(401, 200, 403, 403, 404),
    ),
    ("GET", "/api/v1/families/{family_id}/agreement"): Row(
        "GET", lambda c: _clause(c) and _api(c, "/agreement"), API_SHARED_READ
    ),
    ("GET", "/api/v1/families/{family_id}/agreement/terms"): Row(
        "GET", lambda c: _clause(c, signed=True) and _api(c, "/agreement/terms"), API_SHARED_READ
    ),
    ("GET", "/api/v1/families/{family_id}/agreement/library"): Row(
        "GET", lambda c: _api(c, "/agreement/library"), API_SHARED_READ
    ),
    ("POST", "/api/v1/families/{family_id}/agreement/clauses"): Row(
        "POST",
        lambda c: _api(c, "/agreement/clauses"),
        api_expect(401, 201, 201, 403, 404),
        {"topic": "holidays", "title": "Holiday plans", "body": "Shared 30 days ahead."},
    ),
    ("GET", "/api/v1/families/{family_id}/agreement/clauses/{clause_id}"): Row(
        "GET", lambda c: _api(c, f"/agreement/clauses/{_clause(c).clause_id}"), API_SHARED_READ
    ),
    ("POST", "/api/v1/families/{family_id}/agreement/clauses/{clause_id}/versions"): Row(
        "POST",
        lambda c: _api(c, f"/agreement/clauses/{_clause(c, signed=True).clause_id}/versions"),
        api_expect(401, 201, 201, 403, 404),
        {"title": "Exchanges at the curb or at school", "body": "At the curb, or school pickup."},
    ),
    ("POST", "/api/v1/families/{family_id}/agreement/versions/{version_id}/sign"): Row(
        "POST",
        lambda c: _api(c, f"/agreement/versions/{_clause(c).pk}/sign"),
        api_expect(401, 200, 403, 403, 404),
    ),
    ("POST", "/api/v1/families/{family_id}/agreement/versions/{version_id}/decline"): Row(
        "POST",
        lambda c: _api(c, f"/agreement/versions/{_clause(c).pk}/decline"),
        api_expect(401, 200, 403, 403, 404),
        {"reason": "Say curb or gate"},
    ),
    # Only the one who proposed withdraws: Morgan is refused Alex's proposal (403).
    ("POST", "/api/v1/families/{family_id}/agreement/versions/{version_id}/withdraw"): Row(
        "POST",
        lambda c: _api(c, f"/agreement/versions/{_clause(c, 'alex').pk}/withdraw"),
        api_expect(401, 200, 403, 403, 404),
    ),
    # Shared expenses: parents and professionals read, a viewer sees no money (403); only
    # parents write, and only the parent concerned (who paid, who was asked, who received).
    ("GET", "/api/v1/families/{family_id}/expenses"): Row(
        "GET", lambda c: _money(c) and _api(c, "/expenses"), API_SHARED_READ
    ),
    ("POST", "/api/v1/families/{family_id}/expenses"): Row(
        "POST", lambda c: _api(c, "/expenses"), API_PARENT_CREATE, _expense_body
    ),
    ("POST", "/api/v1/families/{family_id}/expenses/upload"): Row(
        "POST", lambda c: _api(c, "/expenses/upload"), API_PARENT_CREATE, _expense_body
    ),
    ("GET", "/api/v1/families/{family_id}/expenses/{expense_id}"): Row(
        "GET", lambda c: _api(c, f"/expenses/{_money(c)['alexs'].pk}"), API_SHARED_READ
    ),
    ("POST", "/api/v1/families/{family_id}/expenses/{expense_id}/corrections"): Row(
        "POST",
        lambda c: _api(c, f"/expenses/{_money(c)['alexs'].pk}/corrections"),
        API_PARENT_CREATE,
        lambda c: {**_expense_body(c), "amount": "100.00", "correction_reason": "Insurance"},
    ),
    ("GET", "/api/v1/families/{family_id}/expenses/{expense_id}/reimbursements"): Row(
        "GET",
        lambda c: _api(c, f"/expenses/{_money(c)['sams'].pk}/reimbursements"),
        API_SHARED_READ,
    ),
    ("POST", "/api/v1/families/{family_id}/expenses/{expense_id}/reimbursements"): Row(
        "POST",
        lambda c: _api(c, f"/expenses/{_money(c)['alexs'].pk}/reimbursements"),
        API_PARENT_CREATE,
        {"note": "Half, as agreed"},
    ),
    ("POST", "/api/v1/families/{family_id}/reimbursements/{request_id}/answer"): Row(
        "POST",
        lambda c: _api(c, f"/reimbursements/{_money(c)['asked'].pk}/answer"),
        api_expect(401, 200, 403, 403, 404),
        {"decision": "accept"},
    ),
    ("GET", "/api/v1/families/{family_id}/payments"): Row(
        "GET", lambda c: _money(c) and _api(c, "/payments"), API_SHARED_READ
    ),
    ("POST", "/api/v1/families/{family_id}/payments"): Row(
        "POST",
        lambda c: _api(c, "/payments"),
        API_PARENT_CREATE,
        lambda c: {
            "direction": "received",
            "amount": "5.00",
            "currency": "EUR",
            "paid_on": _expense_body(c)["spent_on"],
            "method": "cash",
            "confirm_overpayment": True,
        },
    ),
    ("POST", "/api/v1/families/{family_id}/payments/{payment_id}/confirm"): Row(
        "POST",
        lambda c: _api(c, f"/payments/{_money(c)['paid'].pk}/confirm"),
        api_expect(401, 200, 403, 403, 404),
    ),
    ("POST", "/api/v1/families/{family_id}/expenses/{expense_id}/stop-repeating"): Row(
        "POST",
        lambda c: _api(c, f"/expenses/{_money(c)['monthly'].pk}/stop-repeating"),
        api_expect(401, 200, 403, 403, 404),
    ),
    ("POST", "/api/v1/families/{family_id}/payments/{payment_id}/corrections"): Row(
        "POST",
        lambda c: _api(c, f"/payments/{_money(c)['received'].pk}/corrections"),
        API_PARENT_CREATE,
        {"void": True, "correction_reason": "Recorded twice"},
    ),
    ("GET", "/api/v1/families/{family_id}/expenses-balance"): Row(
        "GET", lambda c: _money(c) and _api(c, "/expenses-balance"), API_SHARED_READ
    ),
    ("GET", "/api/v1/families/{family_id}/expenses-totals"): Row(
        "GET", lambda c: _money(c) and _api(c, "/expenses-totals"), API_SHARED_READ
    ),
}


def _api_operations() -> set[tuple[str, str]]:
    from coparent.api.api import api

    schema = api.get_openapi_schema()
    return {(m.upper(), path) for path, methods in schema["paths"].items() for m in methods}


def _web_route_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns: list[Any], namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "api":
                    continue  # API operations have their own matrix below
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern):
                assert pattern.name, f"unnamed URL pattern {pattern.pattern}"
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns, None)
    return names


def test_every_route_has_a_row():
    missing = _web_route_names() - set(WEB)
    assert not missing, f"URL patterns without a row in the permission matrix: {sorted(missing)}"
    stale = set(WEB) - _web_route_names()
    assert not stale, f"rows for URL patterns that no longer exist: {sorted(stale)}"
    missing_api = _api_operations() - set(API)
    assert not missing_api, f"API operations without a row: {sorted(missing_api)}"
    stale_api = set(API) - _api_operations()
    assert not stale_api, f"rows for API operations that no longer exist: {sorted(stale_api)}"


@pytest.fixture
def matrix_cast(cast):
    alex_client = Client()
    alex_client.force_login(cast.alex)
    # A real session row and a real token of Alex's, for the "only your own" rows.
    alex_client.get("/accounts/")
    cast.alex_session = UserSession.objects.get(user=cast.alex)
    # Alex's passkey, added through the page a moment after typing the password again.
    fresh_reauth(alex_client)
    add_passkey(alex_client)
    cast.alex_passkey = Authenticator.objects.get(user=cast.alex, type=Authenticator.Type.WEBAUTHN)
    alex_client.get("/accounts/")
    cast.alex_session = UserSession.objects.get(user=cast.alex)
    fresh_reauth(alex_client)
    cast.alex_token, _raw = token_create(user=cast.alex, name="matrix")
    assert isinstance(cast.alex_token, ApiToken)
    cast.alex_client = alex_client
    return cast


def _client(c: Any, role: str) -> Client:
    if role == "alex":
        return c.alex_client
    client = Client()
    if role != "anonymous":
        client.force_login(getattr(c, role))
        fresh_reauth(client)
    return client


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(WEB))
def test_web_route(matrix_cast, name, role):
    row = WEB[name]
    path = row.path(matrix_cast)
    client = _client(matrix_cast, role)
    response = client.generic(row.method, path, data=row.data or "")
    assert response.status_code == row.expected[role], (
        f"{row.method} {path} as {role}: {response.status_code}, expected {row.expected[role]}"
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("operation", sorted(API), ids=" ".join)
def test_api_operation(matrix_cast, operation, role):
    row = API[operation]
    path = row.path(matrix_cast)
    data = row.data(matrix_cast) if callable(row.data) else dict(row.data)
    if "token" in data:
        data["token"] = matrix_cast.invitation_token
    headers = {}
    if role != "anonymous":
        headers["Authorization"] = (
            "Bearer " + token_create(user=getattr(matrix_cast, role), name="matrix caller")[1]
        )
    if path.endswith("/upload"):
        # The upload operations take multipart/form-data with a file, as a real client sends.
        files = {"files": SimpleUploadedFile("note.pdf", b"%PDF-1.4\n%%EOF\n")}
        response = Client().post(path, data={**data, **files}, headers=headers)
    else:
        response = Client().generic(
            row.method,
            path,
            data=json.dumps(data) if data else "",
            content_type="application/json",
            headers=headers,
        )
    assert response.status_code == row.expected[role], (
        f"{row.method} {path} as {role}: {response.status_code} {response.content[:200]!r}, "
        f"expected {row.expected[role]}"
    )
    assert response["Content-Type"].startswith("application/json") or response.status_code == 204


# --- What each role sees of a child -----------------------------------------------------------

# Mia's full name and her date of birth written every way a page, the API or a feed could.
SURNAME = "Castellano"
BIRTH_DATE_FORMS = ("2016-05-02", "20160502", "May 2, 2016", "2 May 2016", "02/05/2016")


def _reads_as(c: Any, role: str) -> dict[str, str]:
    """Every page and API read `role` may open (answer 200), and `role`'s own calendar feed:
    what that member receives, by route."""
    from coparent.schedule.services import feed_create, feed_token_of

    client = _client(c, role)
    bearer = {"Authorization": "Bearer " + token_create(user=getattr(c, role), name="reads")[1]}
    bodies: dict[str, str] = {}
    for name, row in WEB.items():
        # Alex's feed answers whoever holds its secret address: it is Alex's, not Vic's.
        if row.method == "GET" and row.expected[role] == 200 and name != "schedule_feed":
            response = client.get(row.path(c))
            assert response.status_code == 200, name
            raw = b"".join(response.streaming_content) if response.streaming else response.content
            bodies[name] = raw.decode(errors="replace")
    for (method, template), row in API.items():
        if method == "GET" and row.expected[role] == 200:
            response = Client().get(row.path(c), headers=bearer)
            assert response.status_code == 200, template
            raw = b"".join(response.streaming_content) if response.streaming else response.content
            bodies[template] = raw.decode(errors="replace")
    feed = feed_token_of(feed_create(access=c.access(getattr(c, role))))
    bodies["own feed"] = Client().get(f"/feeds/{feed}.ics").content.decode()
    return bodies


def test_a_viewer_sees_a_childs_first_name_and_age_everywhere_never_more(matrix_cast):
    """#8.3: Vic, a viewer, used to read Mia's full name and date of birth through the API.
    Every page, API read and feed open to Vic now carries the first name only, and no date of
    birth (docs/permissions.md); the same reads give Alex the full details."""
    c = matrix_cast
    services.child_update(
        access=c.access(c.alex),
        child=c.mia,
        name=f"Mia {SURNAME} Ruiz",
        date_of_birth=c.mia.date_of_birth,
    )
    _event(c)  # Mia's birthday party: on the events pages, the calendar and the feeds
    _plan_in_force(c)

    as_viewer = _reads_as(c, "vic")
    assert {"events:detail", "/api/v1/families/{family_id}/children", "own feed"} <= set(as_viewer)
    for route, body in as_viewer.items():
        assert SURNAME not in body, f"{route} shows Vic Mia's full name"
        for form in BIRTH_DATE_FORMS:
            assert form not in body, f"{route} shows Vic Mia's date of birth ({form})"
    assert "Mia" in as_viewer["events:detail"] and "Mia" in as_viewer["own feed"]

    as_parent = _reads_as(c, "alex")
    for route in ("families:children", "events:detail", "/api/v1/families/{family_id}/children"):
        assert SURNAME in as_parent[route], route
    assert "2016-05-02" in as_parent["/api/v1/families/{family_id}/children"]
