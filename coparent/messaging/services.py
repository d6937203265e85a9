"""Writes for messages (STYLE.md 3): keyword-only, typed, atomic; each fact appended to the
family record in the same transaction. The notification centre hears of each message through
the record (coparent.records.hooks) and tells its recipients once it commits.

Nothing here ever updates or deletes a message, a delivery, a first view or an attachment:
the database refuses it anyway.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coparent.accounts.models import User
from coparent.families.models import Membership, Role
from coparent.families.selectors import FamilyAccess, professional_has_access
from coparent.infra.labels import check_label
from coparent.messaging import attachments as files
from coparent.messaging import idempotency
from coparent.messaging.models import (
    BODY_MAX_CHARS,
    SUBJECT_MAX_CHARS,
    Attachment,
    Message,
    MessageDelivery,
    MessageView,
    NotificationSetting,
    Thread,
    ThreadParticipant,
    Topic,
)
from coparent.messaging.selectors import get_message_for_user
from coparent.records.models import Kind
from coparent.records.services import record_append


def _has_control_characters(text: str) -> bool:
    # NUL and other C0 controls are never part of a message, and PostgreSQL refuses NUL.
    return any(ord(c) < 32 and c not in "\t\n\r" for c in text)


def clean_body(body: str) -> str:
    """The message as it will be stored: NFC Unicode (so it searches the same however it was
    typed), without surrounding blank space. Raises ValidationError keyed "body"."""
    text = unicodedata.normalize("NFC", body or "").strip()
    if not text:
        raise ValidationError({"body": [_("Write a message before sending.")]})
    if len(text) > BODY_MAX_CHARS:
        raise ValidationError(
            {
                "body": [
                    _(
                        "A message can be at most %(max)s characters; this one has %(n)s. "
                        "Split it into several messages."
                    )
                    % {"max": f"{BODY_MAX_CHARS:,}", "n": f"{len(text):,}"}
                ]
            }
        )
    if _has_control_characters(text):
        raise ValidationError({"body": [_("Remove the invisible control characters.")]})
    return text


def _clean_subject(subject: str) -> str:
    text = unicodedata.normalize("NFC", " ".join((subject or "").split()))
    if not text:
        raise ValidationError({"subject": [_("Give the conversation a subject.")]})
    if len(text) > SUBJECT_MAX_CHARS:
        raise ValidationError(
            {
                "subject": [
                    _("A subject can be at most %(n)d characters.") % {"n": SUBJECT_MAX_CHARS}
                ]
            }
        )
    if _has_control_characters(text):
        raise ValidationError({"subject": [_("Remove the invisible control characters.")]})
    errors: dict[str, list[str]] = {}
    check_label(errors, "subject", text)
    if errors:
        raise ValidationError(errors)
    return text


def _active_parents(access: FamilyAccess) -> list[User]:
    return [
        m.user
        for m in Membership.objects.active()
        .parents()
        .filter(family=access.family)
        .select_related("user")
    ]


def _participant_ids(thread: Thread) -> list[int]:
    return list(
        ThreadParticipant.objects.filter(thread=thread)
        .order_by("added_at", "pk")
        .values_list("user_id", flat=True)
    )


@dataclass(frozen=True)
class Sent:
    """A message just sent, or, for a retry with the same Idempotency-Key, the message the
    first request sent (`replayed`)."""

    message: Message
    replayed: bool = False


@dataclass(frozen=True)
class _Stored:
    """An attachment on disk, waiting for its row."""

    prepared: files.PreparedFile
    stored_name: str


def _send(
    *,
    access: FamilyAccess,
    key: str | None,
    operation: str,
    fields: Mapping[str, object],
    attachments: Sequence[files.IncomingFile],
    check: Callable[[], list[files.PreparedFile]],
    write: Callable[[list[_Stored]], Message],
) -> Sent:
    """The life of a send: a replay answers at once; otherwise `check` validates the input and
    prepares the files (decoding photos, reading PDFs) and the files are written to disk, all
    before the transaction opens, so the write lock is never held while a photo is decoded
    (on SQLite every other writer, the task worker included, would wait for it). Then `write`
    stores the rows, with the key, in one transaction. Whenever that transaction does not
    commit — an error, or a twin request with the same key that got there first and is
    replayed instead — the files written for it are removed again."""
    once = idempotency.once(
        access=access, key=key, operation=operation, fields=fields, files=attachments
    )
    if (first := once.first()) is not None:
        return Sent(message=get_message_for_user(access, first), replayed=True)
    prepared = check()
    stored: list[_Stored] = []
    try:
        for item in prepared:
            stored.append(_Stored(prepared=item, stored_name=files.store(item)))
        done = once.write(lambda: write(stored), lambda pk: get_message_for_user(access, pk))
    except BaseException:
        files.remove([item.stored_name for item in stored])
        raise
    if done.replayed:
        # The same key arrived twice at once: the other request's message stands, not these files.
        files.remove([item.stored_name for item in stored])
    return Sent(message=done.made, replayed=done.replayed)


def _write_message(
    *,
    access: FamilyAccess,
    thread: Thread,
    body: str,
    stored: list[_Stored],
    recipients: list[int],
    moment: datetime,
) -> Message:
    """The message, its deliveries and attachments, and the record entry; inside the caller's
    transaction, with the attachment files already on disk."""
    sender = access.membership.user
    message = Message.objects.create(
        family=access.family,
        thread=thread,
        sender=sender,
        body=body,
        body_sha256=hashlib.sha256(body.encode("utf-8")).hexdigest(),
        created_at=moment,
    )
    MessageDelivery.objects.bulk_create(
        MessageDelivery(
            family=access.family,
            thread=thread,
            message=message,
            recipient_id=uid,
            delivered_at=moment,
        )
        for uid in recipients
    )
    rows = [
        Attachment(
            family=access.family,
            message=message,
            name=item.prepared.name,
            content_type=item.prepared.content_type,
            size=len(item.prepared.data),
            sha256=item.prepared.sha256,
            stored_name=item.stored_name,
            created_at=moment,
        )
        for item in stored
    ]
    Attachment.objects.bulk_create(rows)
    if thread.last_message_at < moment:
        thread.last_message_at = moment
        thread.save(update_fields=["last_message_at"])
    # Who wrote to whom and when is the family's to read; what was said belongs to the
    # conversation: it is sealed, so a professional outside it reads a commitment that
    # confirms no guess (docs/record.md, "Sealed content").
    record_append(
        family=access.family,
        kind=Kind.MESSAGE_SENT,
        actor=sender,
        at=moment,
        data={
            "thread": str(thread.pk),
            "message": str(message.pk),
            "sender": str(sender.pk),
            "sender_name": sender.display_name,
            "recipients": [str(uid) for uid in recipients],
        },
        sealed={
            "subject": thread.subject,
            "topic": thread.topic,
            "body": body,
            "attachments": [
                {"attachment": str(a.pk), "name": a.name, "sha256": a.sha256, "size": a.size}
                for a in rows
            ],
        },
    )
    return message


def thread_start(
    *,
    access: FamilyAccess,
    subject: str,
    topic: str,
    body: str,
    include_professionals: Sequence[Membership] = (),
    attachments: Sequence[files.IncomingFile] = (),
    at: datetime | None = None,
) -> Message:
    """Start a conversation with the co-parent (and any consented professional the sender
    includes). Returns its first message; `message.thread` is the new thread.

    A parent alone may write before the co-parent has joined: the messages wait and are
    delivered when the co-parent joins (see `deliver_waiting_messages`)."""
    return thread_start_once(
        access=access,
        subject=subject,
        topic=topic,
        body=body,
        include_professionals=include_professionals,
        attachments=attachments,
        at=at,
    ).message


def thread_start_once(
    *,
    access: FamilyAccess,
    subject: str,
    topic: str,
    body: str,
    include_professionals: Sequence[Membership] = (),
    attachments: Sequence[files.IncomingFile] = (),
    idempotency_key: str | None = None,
    at: datetime | None = None,
) -> Sent:
    """`thread_start` with an Idempotency-Key: a retry with the same key and the same content
    returns the first message (`Sent.replayed`); the same key with other content raises
    idempotency.IdempotencyConflict."""
    access.require_shared()
    professionals = list(include_professionals)

    def check() -> list[files.PreparedFile]:
        errors: dict[str, list[str]] = {}
        for clean, value in ((_clean_subject, subject), (clean_body, body)):
            try:
                clean(value)
            except ValidationError as error:
                errors.update(error.message_dict)
        if topic not in Topic.values:
            errors["topic"] = [_("Choose a topic.")]
        for membership in professionals:
            if (
                membership.family_id != access.family.pk
                or membership.role != Role.PROFESSIONAL
                or not professional_has_access(membership)
            ):
                errors["include_professionals"] = [
                    _("Only a professional both parents consented to can be included.")
                ]
        prepared = _prepare_files(attachments, errors)
        if errors:
            raise ValidationError(errors)
        return prepared

    def write(stored: list[_Stored]) -> Message:
        moment = at or timezone.now()
        sender = access.membership.user
        thread = Thread.objects.create(
            family=access.family,
            subject=_clean_subject(subject),
            topic=topic,
            created_by=sender,
            created_at=moment,
            last_message_at=moment,
        )
        people = [p.pk for p in _active_parents(access)]
        if access.is_professional:
            people.append(sender.pk)
        people += [m.user_id for m in professionals]
        people = list(dict.fromkeys(people))  # each once, in order
        ThreadParticipant.objects.bulk_create(
            ThreadParticipant(family=access.family, thread=thread, user_id=uid, added_at=moment)
            for uid in people
        )
        return _write_message(
            access=access,
            thread=thread,
            body=clean_body(body),
            stored=stored,
            recipients=[uid for uid in people if uid != sender.pk],
            moment=moment,
        )

    return _send(
        access=access,
        key=idempotency_key,
        operation="thread_create",
        fields={
            "subject": subject,
            "topic": str(topic),
            "body": body,
            "include_professionals": sorted(str(m.pk) for m in professionals),
        },
        attachments=attachments,
        check=check,
        write=write,
    )


def _prepare_files(
    attachments: Sequence[files.IncomingFile], errors: dict[str, list[str]]
) -> list[files.PreparedFile]:
    """The attachments checked and ready to store; their problems go into `errors`, so a
    person sees every problem of the form at once."""
    try:
        return files.prepare_all(list(attachments))
    except ValidationError as error:
        errors.update(error.message_dict)
        return []


def message_send(
    *,
    access: FamilyAccess,
    thread: Thread,
    body: str,
    attachments: Sequence[files.IncomingFile] = (),
    at: datetime | None = None,
) -> Message:
    """Reply in a thread the sender takes part in (get it with selectors.get_thread_for_user)."""
    return message_send_once(
        access=access, thread=thread, body=body, attachments=attachments, at=at
    ).message


def message_send_once(
    *,
    access: FamilyAccess,
    thread: Thread,
    body: str,
    attachments: Sequence[files.IncomingFile] = (),
    idempotency_key: str | None = None,
    at: datetime | None = None,
) -> Sent:
    """`message_send` with an Idempotency-Key, as `thread_start_once`."""
    access.require_shared()
    if thread.family_id != access.family.pk:
        raise PermissionDenied

    def check() -> list[files.PreparedFile]:
        errors: dict[str, list[str]] = {}
        try:
            clean_body(body)
        except ValidationError as error:
            errors.update(error.message_dict)
        prepared = _prepare_files(attachments, errors)
        if errors:
            raise ValidationError(errors)
        return prepared

    def write(stored: list[_Stored]) -> Message:
        moment = at or timezone.now()
        sender = access.membership.user
        participants = _participant_ids(thread)
        if sender.pk not in participants:
            raise PermissionDenied(_("You are not part of this conversation."))
        return _write_message(
            access=access,
            thread=thread,
            body=clean_body(body),
            stored=stored,
            recipients=[uid for uid in participants if uid != sender.pk],
            moment=moment,
        )

    return _send(
        access=access,
        key=idempotency_key,
        # The thread is part of the operation: the same key in another thread is another send.
        operation=f"message_create:{thread.pk}",
        fields={"body": body},
        attachments=attachments,
        check=check,
        write=write,
    )


def messages_mark_viewed(
    *,
    access: FamilyAccess,
    thread: Thread,
    message_ids: Sequence[int] | None = None,
    at: datetime | None = None,
) -> list[int]:
    """Record the first view of every message in `thread` delivered to the viewer and not yet
    viewed (only those in `message_ids`, when given). A later view changes nothing. Returns the
    ids newly marked; one record entry covers them."""
    viewer = access.membership.user
    pending = MessageDelivery.objects.filter(
        family=access.family, thread=thread, recipient=viewer
    ).exclude(message__views__user=viewer)
    if message_ids is not None:
        pending = pending.filter(message_id__in=list(message_ids))
    ids = sorted(pending.values_list("message_id", flat=True))
    if not ids:
        return []
    moment = at or timezone.now()
    with transaction.atomic():
        # ignore_conflicts: two tabs opening the thread at once must not fail; the unique
        # (message, user) keeps the first view the only one.
        MessageView.objects.bulk_create(
            [
                MessageView(family=access.family, message_id=mid, user=viewer, viewed_at=moment)
                for mid in ids
            ],
            ignore_conflicts=True,
        )
        record_append(
            family=access.family,
            kind=Kind.MESSAGE_VIEWED,
            actor=viewer,
            at=moment,
            data={
                "thread": str(thread.pk),
                "viewer": str(viewer.pk),
                "viewer_name": viewer.display_name,
                "messages": [str(mid) for mid in ids],
            },
            sealed={"subject": thread.subject},
        )
    return ids


def deliver_waiting_messages(*, membership: Membership, at: datetime | None = None) -> int:
    """A parent who joins the family receives every conversation written so far: they become a
    participant of each thread and each message is delivered to them now. An "on member joined"
    hook (coparent.families.hooks, registered in MessagingConfig.ready), so it runs inside the
    transaction of families.services.invitation_accept; the record shows the sending
    time of each message and this delivery time."""
    if membership.role != Role.PARENT:
        return 0
    moment = at or timezone.now()
    family_id, user = membership.family_id, membership.user
    with transaction.atomic():
        thread_ids = list(
            Thread.objects.filter(family_id=family_id)
            .exclude(participants__user=user)
            .values_list("pk", flat=True)
        )
        ThreadParticipant.objects.bulk_create(
            ThreadParticipant(family_id=family_id, thread_id=tid, user=user, added_at=moment)
            for tid in thread_ids
        )
        waiting = list(
            Message.objects.filter(family_id=family_id)
            .exclude(sender=user)
            .exclude(deliveries__recipient=user)
            .order_by("created_at", "pk")
            .values_list("pk", "thread_id")
        )
        if not waiting:
            return 0
        MessageDelivery.objects.bulk_create(
            MessageDelivery(
                family_id=family_id,
                thread_id=tid,
                message_id=mid,
                recipient=user,
                delivered_at=moment,
            )
            for mid, tid in waiting
        )
        record_append(
            family=membership.family,
            kind=Kind.MESSAGE_DELIVERED,
            actor=user,
            at=moment,
            data={
                "recipient": str(user.pk),
                "recipient_name": user.display_name,
                "count": len(waiting),
                "messages": [str(mid) for mid, _tid in waiting],
            },
        )
    return len(waiting)


def shield_update(*, user: User, shield: bool) -> NotificationSetting:
    """The message settings page's one write: the receiver's shield on or off. A personal way
    of reading, not a family fact, so nothing goes to the family record. Saving it is a choice
    about the shield, so the thread page's offer is not made after it."""
    with transaction.atomic():
        setting, _created = NotificationSetting.objects.select_for_update().get_or_create(user=user)
        now = timezone.now()
        setting.shield_enabled = bool(shield)
        setting.shield_answered_at = setting.shield_answered_at or now
        setting.updated_at = now
        setting.save(update_fields=["shield_enabled", "shield_answered_at", "updated_at"])
    return setting


def shield_offer_answer(*, user: User, accept: bool) -> NotificationSetting:
    """The answer to the thread page's offer, "Fold wording like this in future?": yes turns
    the shield on; either answer is remembered, so the offer is never made again. Answering
    twice (two open tabs) changes nothing after the first: a "no thanks" never turns off a
    shield that is on."""
    with transaction.atomic():
        setting, _created = NotificationSetting.objects.select_for_update().get_or_create(user=user)
        if setting.shield_answered_at is not None:
            return setting
        now = timezone.now()
        setting.shield_enabled = setting.shield_enabled or accept
        setting.shield_answered_at = now
        setting.updated_at = now
        setting.save(update_fields=["shield_enabled", "shield_answered_at", "updated_at"])
    return setting
