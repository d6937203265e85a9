"""Message pages: inbox, compose, thread (with receipts and reply times), reply, search,
attachment downloads, the unread count, and the message settings (email and shield).

Compose and reply carry the tone coach (messaging/_tone.html): the page's script asks
`POST /api/v1/tone` as the parent types; without it, the "Check the tone" button posts the form
with `tone=check` and the same view answers with the form as typed and the coach's advice,
sending nothing.

Thin views (STYLE.md 6): `@family_view(shared=True)` resolves the family through the one access
path and turns viewers away (403); the selectors fetch only threads the person takes part in
(404 otherwise); one service call writes.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import (
    FileResponse,
    HttpResponse,
    JsonResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coparent.infra import ratelimit
from coparent.messaging import attachments as files
from coparent.messaging import selectors, services
from coparent.messaging.forms import (
    ComposeForm,
    InboxFilterForm,
    ReplyForm,
    SearchForm,
    ShieldForm,
    ShieldOfferForm,
    ThreadPageQuery,
    incoming,
)
from coparent.messaging.models import Thread
from coparent.messaging.shield import shield_enabled
from coparent.web import files as kept_files
from coparent.web.decorators import FamilyRequest, family_view
from coparent.web.forms import add_service_error
from coparent.web.pages import FamilyPages
from coparent.web.paging import CountedPaginator
from coparent.web.query import query_values
from coparent.web.tone import advice
from coparent.web.zones import family_zone

INBOX_PAGE = 30


render_page = FamilyPages(
    nav="messages",
    context=lambda request: {
        "messages_unread": lambda: selectors.unread_count(request.family_access)
    },
)


def _tone_asked(request: FamilyRequest) -> bool:
    """The form was posted with "Check the tone", not "Send"."""
    return request.method == "POST" and request.POST.get("tone") == "check"


def _as_typed(request: FamilyRequest, names: tuple[str, ...]) -> dict[str, Any]:
    """What the person typed, to show the form again after a tone check. The form is unbound
    on purpose: a check is not a send, so a subject not written yet is no error."""
    typed: dict[str, Any] = {name: request.POST[name] for name in names if name in request.POST}
    if "include_professionals" in request.POST:
        typed["include_professionals"] = request.POST.getlist("include_professionals")
    return typed


def _coach_context(request: FamilyRequest) -> dict[str, Any]:
    """The coach's advice on the posted body, for messaging/_tone.html. Files chosen before a
    check are not kept (a browser cannot put them back), so the page says so."""
    return {
        "tone": advice(request.POST.get("body", "")),
        "tone_files_dropped": bool(request.FILES),
    }


def _thread_url(request: FamilyRequest, thread: Thread, anchor: str = "") -> str:
    url = reverse(
        "messaging:thread", kwargs={"family_id": request.family.pk, "thread_id": thread.pk}
    )
    return f"{url}#{anchor}" if anchor else url


@family_view(shared=True)
@require_GET
def inbox(request: FamilyRequest) -> HttpResponse:
    access = request.family_access
    form = InboxFilterForm(request.GET)
    topic = form.cleaned_data.get("topic") if form.is_valid() else None
    counts = selectors.inbox_counts(access, topic=topic or None, versions=True)
    threads = selectors.ThreadRows(access, topic=topic or None, participants=True)
    # Read only when the list is rendered, not when the fragments cache holds it.
    page = SimpleLazyObject(
        lambda: CountedPaginator(threads, INBOX_PAGE, count=counts.threads).get_page(
            request.GET.get("page")
        )
    )
    return render_page(
        request,
        "messaging/inbox.html",
        form=form,
        page=page,
        topic=topic,
        messages_unread=counts.unread,
        inbox_key=_inbox_key(request, counts),
    )


def _inbox_key(request: FamilyRequest, counts: selectors.InboxCounts) -> str:
    """What the inbox's body (its header, the topic filter, the list of conversations) shows
    depends on, as the key of its cached fragment (`{% fragment %}` adds the language, zones
    and locale). Who reads, in which seat, and the query (the topic filter, the page and
    anything else `{% querystring %}` carries over); the counts (the pager, the unread badge);
    the record's head, which every message sent, first view and new seat moves in the same
    transaction as its rows (unread counts, message counts, the last time, the threads one
    takes part in; threads are never edited); and the members' names, which no record entry
    covers. The family's navigation and name, the header's notifications, the flash messages
    and anything per request (CSRF token, nonce) are outside it, in family_base.html."""
    access = request.family_access
    return "\x1f".join(
        str(part)
        for part in (
            "inbox-1",
            access.family.pk,
            access.membership.pk,
            access.membership.user_id,
            access.role,
            request.GET.urlencode(),
            counts.threads,
            counts.unread,
            counts.record_head,
            counts.names,
        )
    )


@family_view(shared=True)
@require_http_methods(["GET", "POST"])
def compose(request: FamilyRequest) -> HttpResponse:
    access = request.family_access
    professionals = selectors.professionals_with_access(access) if access.is_parent else []
    if _tone_asked(request):
        form = ComposeForm(
            initial=_as_typed(request, ("subject", "topic", "body")), professionals=professionals
        )
        return render_page(
            request,
            "messaging/compose.html",
            form=form,
            **_coach_context(request),
        )
    form = ComposeForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        professionals=professionals,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ratelimit.hit(request, "message")
            ratelimit.hit(request, "upload", cost=len(data["attachments"]))
            message = services.thread_start(
                access=access,
                subject=data["subject"],
                topic=data["topic"],
                body=data["body"],
                include_professionals=list(data.get("include_professionals") or []),
                attachments=incoming(data["attachments"]),
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Sent. It can never be edited or deleted."))
            return redirect(_thread_url(request, message.thread, f"m{message.pk}"))
    return render_page(request, "messaging/compose.html", form=form)


def _show_thread(
    request: FamilyRequest,
    thread: Thread,
    form: ReplyForm,
    *,
    status: int = 200,
    tone: dict[str, Any] | None = None,
    offer_form: ShieldOfferForm | None = None,
) -> HttpResponse:
    access = request.family_access
    before = query_values(request, ThreadPageQuery(request.GET)).get("before")
    page = selectors.thread_page(access, thread, before=before)
    # Opening the thread is the first view of what it shows; a later visit records nothing.
    new_ids = set(page.unviewed_ids)
    if new_ids:
        services.messages_mark_viewed(access=access, thread=thread, message_ids=sorted(new_ids))
    return render_page(
        request,
        "messaging/thread.html",
        status=status,
        thread_page=page,
        form=form,
        new_ids=new_ids,
        # A refused answer shows the offer again with its error; otherwise the page's own.
        shield_offer=offer_form is not None or page.shield_offer,
        shield_offer_form=offer_form or ShieldOfferForm(),
        **(tone or {}),
    )


@family_view(shared=True)
@require_GET
@never_cache
def thread(request: FamilyRequest, thread_id: uuid.UUID) -> HttpResponse:
    found = selectors.get_thread_for_user(request.family_access, thread_id)
    return _show_thread(request, found, ReplyForm())


@family_view(shared=True)
@require_POST
def reply(request: FamilyRequest, thread_id: uuid.UUID) -> HttpResponse:
    access = request.family_access
    found = selectors.get_thread_for_user(access, thread_id)
    if _tone_asked(request):
        form = ReplyForm(initial=_as_typed(request, ("body",)))
        return _show_thread(request, found, form, tone=_coach_context(request))
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            ratelimit.hit(request, "message")
            ratelimit.hit(request, "upload", cost=len(form.cleaned_data["attachments"]))
            message = services.message_send(
                access=access,
                thread=found,
                body=form.cleaned_data["body"],
                attachments=incoming(form.cleaned_data["attachments"]),
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Sent. It can never be edited or deleted."))
            return redirect(_thread_url(request, found, f"m{message.pk}"))
    return _show_thread(request, found, form, status=200)


@family_view(shared=True)
@require_POST
def shield_offer(request: FamilyRequest, thread_id: uuid.UUID) -> HttpResponse:
    """The answer to "Fold wording like this in future?" on a thread page: either way it is
    remembered and the offer never comes back; yes turns the shield on at once."""
    access = request.family_access
    found = selectors.get_thread_for_user(access, thread_id)
    form = ShieldOfferForm(request.POST)
    if not form.is_valid():
        return _show_thread(request, found, ReplyForm(), offer_form=form)
    accept = form.cleaned_data["answer"] == "on"
    services.shield_offer_answer(user=access.membership.user, accept=accept)
    if accept:
        messages.success(
            request,
            _(
                "Your shield is on: hostile wording in messages you receive is folded. "
                "The messages themselves are kept exactly as sent."
            ),
        )
    else:
        messages.info(request, _("Your shield stays off. You can turn it on in Settings."))
    return redirect(_thread_url(request, found))


@family_view(shared=True)
@require_GET
def search(request: FamilyRequest) -> HttpResponse:
    access = request.family_access
    form = SearchForm(request.GET or None, people=selectors.message_people(access))
    hits = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        hits = selectors.search_messages(
            access,
            data["q"],
            sender_id=data["sender"],
            date_from=data["date_from"],
            date_to=data["date_to"],
            zone=family_zone(request.family),
            # The searcher's shield folds snippets of received messages as the thread does.
            shield=shield_enabled(request.user),
        )
    return render_page(request, "messaging/search.html", form=form, hits=hits)


@family_view(shared=True)
@require_GET
def attachment(request: FamilyRequest, attachment_id: uuid.UUID) -> FileResponse:
    found = selectors.get_attachment_for_user(request.family_access, attachment_id)
    return kept_files.download(
        files.path_of(found.stored_name), filename=found.name, content_type=found.content_type
    )


@family_view(shared=True)
@require_GET
def attachment_thumbnail(request: FamilyRequest, attachment_id: uuid.UUID) -> HttpResponseBase:
    """A photo's thumbnail for the thread page, behind the same access path as the photo
    itself (another family's, a thread one is not in, a PDF: 404)."""
    found = selectors.get_attachment_for_user(request.family_access, attachment_id)
    return kept_files.thumbnail(
        request,
        etag=f'"{found.sha256[:32]}-{files.THUMBNAIL_SIDE}"',
        make=lambda: files.thumbnail(found.stored_name, found.content_type),
        content_type=files.THUMBNAIL_TYPE,
        filename=f"{found.name.rsplit('.', 1)[0]}-small.jpg",
    )


@family_view()
@require_GET
@never_cache
def unread(request: FamilyRequest) -> JsonResponse:
    """The header's unread count for the family pages' script (0 for a viewer)."""
    return JsonResponse({"unread": selectors.unread_count(request.family_access)})


@family_view(shared=True)
@require_http_methods(["GET", "POST"])
def notifications(request: FamilyRequest) -> HttpResponse:
    """The message settings: the receiver's shield. How a person is told of new messages (and
    whether with the text) is on their notification settings page, linked from here."""
    user = request.family_access.membership.user
    current = selectors.notification_setting(user)
    form = ShieldForm(
        request.POST if request.method == "POST" else None,
        initial={"shield": current.shield_enabled},
    )
    if request.method == "POST" and form.is_valid():
        services.shield_update(user=user, shield=form.cleaned_data["shield"])
        messages.success(request, _("Your message settings are saved."))
        return redirect("messaging:inbox", family_id=request.family.pk)
    return render_page(request, "messaging/notifications.html", shield_form=form)
