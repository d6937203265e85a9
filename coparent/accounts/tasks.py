"""Background work for accounts: emails go through the task worker.

Tasks receive ids only. The confirmation link is re-derived here from the confirmation's id
(coparent.secrets_links), so neither the database nor the task queue holds a working link.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django_tasks import task

from coparent.accounts.models import AuditEvent, EmailConfirmation
from coparent.accounts.selectors import confirmation_token


def _send(*, template: str, context: dict[str, object], to: str) -> None:
    send_mail(
        subject=render_to_string(f"accounts/email/{template}_subject.txt", context).strip(),
        message=render_to_string(f"accounts/email/{template}.txt", context),
        from_email=None,
        recipient_list=[to],
    )


@task()
def send_email_confirmation(confirmation_id: int) -> None:
    confirmation = (
        EmailConfirmation.objects.select_related("user").filter(pk=confirmation_id).first()
    )
    if confirmation is None or confirmation.used_at is not None:
        return  # replaced or used before the worker got to it: nothing worth sending
    path = reverse("accounts:confirm", kwargs={"token": confirmation_token(confirmation.pk)})
    _send(
        template="confirm_email",
        context={
            "user": confirmation.user,
            "email": confirmation.email,
            # A link to an address other than the account's is an email change.
            "is_change": confirmation.email != confirmation.user.email,
            "link": settings.BASE_URL + path,
            "days": settings.COPARENT_EMAIL_CONFIRM_DAYS,
        },
        to=confirmation.email,
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
        },
        to=event.detail["from"],
    )
