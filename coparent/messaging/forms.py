"""Forms for the message pages. They shape input; the rules (length, type of attachment, who
may be included) live in the services, whose errors come back as field errors."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from coparent.accounts.models import User
from coparent.families.models import Membership
from coparent.messaging import attachments as files
from coparent.messaging import search
from coparent.messaging.models import BODY_MAX_CHARS, SUBJECT_MAX_CHARS, Topic
from coparent.web.fields import BoundedDateField, IdField
from coparent.web.forms import field_of
from coparent.web.tone import CoachedTextarea
from coparent.web.widgets import DateInput, MultipleFileInput, QuickSelect


class AttachmentsField(forms.FileField):
    """Zero or more files; each is checked by content in the service."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*,application/pdf"}))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        items = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(AttachmentsField, self).clean(item, initial) for item in items]


def incoming(uploads: Iterable[UploadedFile]) -> list[files.IncomingFile]:
    """Uploaded files as the service takes them. Django has already bounded the upload's size
    (it streams big ones to a temporary file); the service applies the attachment limit."""
    out = []
    for upload in uploads:
        limit = files.max_bytes()
        data = upload.read(limit + 1)  # one byte over is enough to know it is too big
        out.append(files.IncomingFile(name=upload.name or "", data=data))
    return out


def _body_field() -> forms.CharField:
    # No max_length here: the service gives the one message for too long a message, and a
    # browser's maxlength would silently cut a pasted text instead of saying so.
    return forms.CharField(
        label=_("Message"),
        strip=False,
        widget=CoachedTextarea(attrs={"rows": 6}),
        help_text=_(
            "Keep it brief, informative, friendly and firm. Once sent, a message can never be "
            "edited or deleted. Up to %(max)s characters."
        )
        % {"max": f"{BODY_MAX_CHARS:,}"},
    )


def _professional_label(membership: Membership) -> str:
    return f"{membership.user.display_name} ({membership.get_professional_kind_display()})"


class ComposeForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=SUBJECT_MAX_CHARS)
    topic = forms.ChoiceField(label=_("Topic"), choices=Topic.choices, initial=Topic.CHILDREN)
    body = _body_field()
    include_professionals = forms.ModelMultipleChoiceField(
        label=_("Also send to"),
        queryset=Membership.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A professional both parents consented to; they will see this whole thread."),
    )
    attachments = AttachmentsField(label=_("Photos or PDFs"))

    def __init__(self, *args: Any, professionals: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = field_of(self, "include_professionals", forms.ModelMultipleChoiceField)
        if professionals:
            field.queryset = Membership.objects.filter(pk__in=[m.pk for m in professionals])
            # The choices come from the list already loaded, not from another query (so the
            # field never asks its queryset for labels).
            field.choices = [(m.pk, _professional_label(m)) for m in professionals]
        else:
            del self.fields["include_professionals"]


class ReplyForm(forms.Form):
    body = _body_field()
    attachments = AttachmentsField(label=_("Photos or PDFs"))


class ThreadPageQuery(forms.Form):
    """A conversation page's `?before=`: the id of the message the page ends before."""

    before = IdField(label=_("Page"), required=False)


class InboxFilterForm(forms.Form):
    topic = forms.ChoiceField(
        label=_("Topic"),
        choices=[("", _("All topics")), *Topic.choices],
        required=False,
        # Written in Python, not through three templates an option (coparent.web.widgets).
        widget=QuickSelect,
    )


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Words or “a phrase”"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    sender = forms.TypedChoiceField(label=_("From"), required=False, coerce=int, empty_value=None)
    # Dates in the family's zone, like every date on its pages.
    date_from = BoundedDateField(label=_("Sent from"), required=False, widget=DateInput())
    date_to = BoundedDateField(label=_("Sent until"), required=False, widget=DateInput())

    def __init__(self, *args: Any, people: Iterable[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "sender", forms.ChoiceField).choices = [
            ("", _("Anyone")),
            *((p.pk, str(p)) for p in people),
        ]

    def clean_q(self) -> str:
        query: str = self.cleaned_data.get("q") or ""
        try:
            search.check(query)
        except search.QueryError as error:
            raise forms.ValidationError(str(error), code="query") from None
        return query

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date must be on or after the start date."))
        return data

    @property
    def asked(self) -> bool:
        return any(self.data.get(name) for name in self.fields)


class ShieldOfferForm(forms.Form):
    """The answer to the thread page's offer of the shield: one of its two buttons."""

    answer = forms.ChoiceField(
        choices=[("on", _("Yes, fold it")), ("no", _("No thanks"))],
        error_messages={"required": _("Choose “Yes, fold it” or “No thanks”.")},
    )


class ShieldForm(forms.Form):
    """The receiver's shield, on the message settings page."""

    shield = forms.BooleanField(
        label=_("Fold hostile wording in messages I receive"),
        required=False,
        help_text=_(
            "Insults, threats, swearing and sarcasm in messages from others are folded behind "
            "“Show original wording”; one click unfolds them. Only your view changes: the "
            "message, the family record and every export keep the exact words as sent."
        ),
    )
