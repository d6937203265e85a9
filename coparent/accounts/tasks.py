"""Background work for accounts: emails go through the task worker.

Tasks receive ids only. The confirmation link is re-derived here from the confirmation's id
(coparent.infra.secrets_links), so neither the database nor the task queue holds a working link.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django_tasks import task

from coparent.accounts.models import AuditEvent, EmailConfirmation, User
from coparent.accounts.selectors import confirmation_token
from coparent.infra.mail import send_email


def _send(*, template: str, context: dict[str, object], to: str) -> None:
    send_email(template=f"accounts/email/{template}", context=context, to=to)


@task()
def send_email_confirmation(confirmation_id: int) -> None:
    confirmation = (
        EmailConfirmation.objects.select_related("user").filter(pk=confirmation_id).first()
    )
    if confirmation is None or confirmation.used_at is not None:
        return  # replaced or used before the worker got to it: nothing worth sending
    user = confirmation.user
    is_change = confirmation.email != user.email
    if (
        is_change
        and User.objects.filter(email__iexact=confirmation.email).exclude(pk=user.pk).exists()
    ):
        # The person asked to move to an address another account uses. The page did not say
        # so (it would reveal that account); its owner learns that someone tried, and no link
        # goes out, since the move could never happen.
        _send(template="email_taken", context={"email": confirmation.email}, to=confirmation.email)
        return
    path = reverse("accounts:confirm", kwargs={"token": confirmation_token(confirmation.pk)})
    _send(
        template="confirm_email",
        context={
            "user": user,
            "email": confirmation.email,
            # A link to an address other than the account's is an email change.
            "is_change": is_change,
            "link": settings.BASE_URL + path,
            "days": settings.COPARENT_EMAIL_CONFIRM_DAYS,
        },
        to=confirmation.email,
    )


@task()
def send_signup_attempt_notice(audit_event_id: int) -> None:
    """Someone tried to sign up with the address of an existing account: tell its owner, who
    may simply have forgotten, instead of telling whoever typed it."""
    event = (
        AuditEvent.objects.filter(pk=audit_event_id, kind=AuditEvent.Kind.SIGNUP_EXISTING)
        .select_related("user")
        .first()
    )
    if event is None or event.user is None or not event.user.is_active:
        return
    _send(
        template="signup_existing",
        context={
            "user": event.user,
            "login_link": settings.BASE_URL + reverse("accounts:login"),
            "reset_link": settings.BASE_URL + reverse("accounts:password_reset"),
        },
        to=event.user.email,
    )


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
            "reset_link": settings.BASE_URL + reverse("accounts:password_reset"),
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
