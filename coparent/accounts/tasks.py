"""Background work for accounts: the notices after a credential change go through the task
worker, which receives the security event's id only.

Emails that carry a working link (confirmation, password reset) are sent by allauth within the
request (adapter.AccountAdapter.send_mail), so no link ever sits in the task queue.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django_tasks import task

from coparent.accounts.models import AuditEvent
from coparent.infra.mail import send_email


def _send(*, template: str, context: dict[str, object], to: str) -> None:
    send_email(template=f"accounts/email/{template}", context=context, to=to)


@task()
def send_credentials_notice(audit_event_id: int) -> None:
    """After a password change or reset: say what happened and what it ended (other sessions,
    API tokens), so a change the person did not make does not go unnoticed."""
    kinds = (AuditEvent.Kind.PASSWORD_CHANGED, AuditEvent.Kind.PASSWORD_RESET)
    event = (
        AuditEvent.objects.filter(pk=audit_event_id, kind__in=kinds).select_related("user").first()
    )
    if event is None or event.user is None:
        return
    _send(
        template="password_changed",
        context={
            "user": event.user,
            "is_reset": event.kind == AuditEvent.Kind.PASSWORD_RESET,
            "at": event.at,
            "sessions_ended": event.detail.get("sessions_ended", 0),
            "tokens_revoked": event.detail.get("tokens_revoked", 0),
            "reset_link": settings.BASE_URL + reverse("account_reset_password"),
        },
        to=event.user.email,
    )


@task()
def send_email_changed_notice(audit_event_id: int) -> None:
    """Tell the old address that the account moved, so a hijack does not go unnoticed."""
    event = AuditEvent.objects.filter(pk=audit_event_id, kind=AuditEvent.Kind.EMAIL_CHANGED).first()
    if event is None or not event.detail.get("from"):
        return
    _send(
        template="email_changed",
        context={
            "old": event.detail["from"],
            "new": event.detail.get("to", ""),
            "at": event.at,
            "tokens_revoked": event.detail.get("tokens_revoked", 0),
        },
        to=event.detail["from"],
    )
