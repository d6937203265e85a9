"""The notification settings form: one checkbox per kind and channel, the two reminder lead
times, and the two message choices."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coparent.core.notify import EVENT_LEAD, EXCHANGE_LEAD, Channel, Kind
from coparent.notifications.models import CHANNEL_LABELS, KIND_LABELS
from coparent.notifications.selectors import Choices


def cell_name(kind: Kind, channel: Channel) -> str:
    return f"{kind.value}__{channel.value}"


EXCHANGE_LEADS = [
    (15, _("15 minutes before")),
    (30, _("30 minutes before")),
    (60, _("1 hour before")),
    (120, _("2 hours before")),
    (180, _("3 hours before")),
    (360, _("6 hours before")),
    (720, _("12 hours before")),
    (1440, _("1 day before")),
]
EVENT_LEADS = [
    (60, _("1 hour before")),
    (180, _("3 hours before")),
    (720, _("12 hours before")),
    (1440, _("1 day before")),
    (2880, _("2 days before")),
    (10080, _("1 week before")),
]
assert all(EXCHANGE_LEAD.check(m) for m, _label in EXCHANGE_LEADS)  # noqa: S101 - a bug guard
assert all(EVENT_LEAD.check(m) for m, _label in EVENT_LEADS)  # noqa: S101 - a bug guard


class PreferencesForm(forms.Form):
    exchange_lead_minutes = forms.TypedChoiceField(
        label=_("Remind me of an exchange"), choices=EXCHANGE_LEADS, coerce=int
    )
    event_lead_minutes = forms.TypedChoiceField(
        label=_("Remind me of a child's event"), choices=EVENT_LEADS, coerce=int
    )
    include_content = forms.BooleanField(
        label=_("Show a message's text in notifications"),
        required=False,
        help_text=_(
            "Off by default: an email inbox is often shared, and a phone's lock screen is read "
            "over a shoulder. Off, a notification says only who wrote and in which "
            "conversation. With your shield on, hostile wording stays folded here too."
        ),
    )
    message_digest = forms.BooleanField(
        label=_("Email me about messages once a day, in one digest"),
        required=False,
        help_text=_("Instead of one email per message, when message emails are on."),
    )
    checkpoint_email = forms.BooleanField(
        label=_("Email me the weekly checkpoint of the family record"),
        required=False,
        help_text=_(
            "A parent's signed proof of the record as it stood that week. Off, the checkpoints "
            "are still made every week and wait for you on the record's export page."
        ),
    )

    def __init__(self, *args: Any, choices: Choices, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "exchange_lead_minutes": choices.exchange_lead_minutes,
                "event_lead_minutes": choices.event_lead_minutes,
                "include_content": choices.include_content,
                "message_digest": choices.message_digest,
                "checkpoint_email": choices.checkpoint_email,
            },
        )
        super().__init__(*args, **kwargs)
        # A lead time set outside the list (through the API) stays choosable as it is.
        for name, options, minutes in (
            ("exchange_lead_minutes", EXCHANGE_LEADS, choices.exchange_lead_minutes),
            ("event_lead_minutes", EVENT_LEADS, choices.event_lead_minutes),
        ):
            if minutes not in [value for value, _label in options]:
                field = self.fields[name]
                assert isinstance(field, forms.TypedChoiceField)  # noqa: S101 - declared above
                field.choices = [*options, (minutes, _("%(n)s minutes before") % {"n": minutes})]
        for kind in Kind:
            for channel in Channel:
                self.fields[cell_name(kind, channel)] = forms.BooleanField(
                    label=f"{KIND_LABELS[kind]}: {CHANNEL_LABELS[channel]}",
                    required=False,
                    initial=choices.grid[kind][channel],
                )

    def grid_rows(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The grid as the template lays it out: a row per kind, a cell per channel."""
        return [
            (str(KIND_LABELS[kind]), [self[cell_name(kind, channel)] for channel in Channel])
            for kind in Kind
        ]

    def cells(self) -> dict[tuple[Kind, Channel], bool]:
        return {
            (kind, channel): bool(self.cleaned_data[cell_name(kind, channel)])
            for kind in Kind
            for channel in Channel
        }
