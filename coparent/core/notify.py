"""What to tell whom, on which channel, and when a reminder is due: the rules of the
notification centre, without Django (the app `coparent.notifications` stores and sends).

- Kinds of notification, three channels; each person's choice per kind and channel, with
  defaults for what nobody chose (`wants`).
- Reminders of an exchange and of a child's event, each with a lead time a person chooses
  within bounds (`reminder_due`): a reminder is due from `start - lead` until `start`, so a
  scan that runs late (the worker was down) still sends it, and nothing is sent once the
  exchange or the event has begun.
- The words a notification may carry (`excerpt`): never a message's text unless the person
  asked for it, since a phone's lock screen or a shared inbox is read over a shoulder — in a
  high-conflict family, sometimes by the other side.
- Which push services a subscription may name (`push_endpoint_allowed`).
"""

from __future__ import annotations

import enum
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit


class Kind(enum.StrEnum):
    PROPOSAL = "proposal"  # a proposed plan change, and its answer
    EVENT = "event"  # a child's event added, changed or cancelled
    RSVP = "rsvp"  # someone answered my event
    MESSAGE = "message"  # a new message to me
    EXCHANGE_REMINDER = "exchange_reminder"  # an exchange soon
    EVENT_REMINDER = "event_reminder"  # a child's event soon
    AGREEMENT = "agreement"  # a clause proposed for the agreement, signed, declined, withdrawn
    EXCHANGE = "exchange"  # the other parent's check-in or note at an exchange, a pickup pass
    REQUEST = "request"  # a request to me, its answer, a comment, a reminder, its expiry
    DOCUMENT = "document"  # a document added to the family's folder, or a new version of one
    INFOBANK = "infobank"  # the other parent added, changed or removed a child's info
    EXPENSE = "expense"  # a reimbursement asked of me, its answer, a payment, a reminder


class Channel(enum.StrEnum):
    IN_APP = "in_app"  # the notification centre (and the count in the header)
    EMAIL = "email"
    PUSH = "push"  # web push to each device the person turned it on for


# In the app: everything. Email: what asks for an answer or a plan (proposals, events) and new
# messages (emailed at once since messages began). Push: everything, but only a device the
# person subscribed ever receives one, so "on" costs nothing until they ask for it.
EMAIL_BY_DEFAULT = frozenset(
    {
        Kind.PROPOSAL,
        Kind.EVENT,
        Kind.MESSAGE,
        Kind.AGREEMENT,
        Kind.REQUEST,
        Kind.DOCUMENT,
        Kind.EXPENSE,
    }
)


def default(kind: Kind, channel: Channel) -> bool:
    if channel is Channel.EMAIL:
        return kind in EMAIL_BY_DEFAULT
    return True


Choices = Mapping[tuple[str, str], bool]


def wants(choices: Choices, kind: Kind, channel: Channel) -> bool:
    """Whether a person with `choices` ((kind, channel) -> on, only what they set) hears of
    `kind` on `channel`."""
    return choices.get((kind.value, channel.value), default(kind, channel))


def grid(choices: Choices) -> dict[Kind, dict[Channel, bool]]:
    """Every kind and channel with the person's choice or the default."""
    return {kind: {channel: wants(choices, kind, channel) for channel in Channel} for kind in Kind}


@dataclass(frozen=True)
class LeadBounds:
    """A lead time in minutes: the default and the range a person may choose."""

    default: int
    low: int
    high: int

    def check(self, minutes: int) -> bool:
        return self.low <= minutes <= self.high


EXCHANGE_LEAD = LeadBounds(default=120, low=15, high=24 * 60)  # "an exchange in 2 hours"
EVENT_LEAD = LeadBounds(default=24 * 60, low=60, high=7 * 24 * 60)  # "an event tomorrow"
ALL_DAY_REMINDER_HOUR = 9
"""An all-day event counts as starting at 9:00 in its zone for its reminder, so the default
lead reminds at 9:00 the day before rather than at midnight."""


def reminder_due(*, start: datetime, lead: timedelta, now: datetime) -> bool:
    """Whether a reminder of something that starts at `start` is due at `now`: from
    `start - lead` (included) until `start` (excluded)."""
    return start - lead <= now < start


def excerpt(text: str, limit: int = 140) -> str:
    """`text` on one line, at most `limit` characters (an ellipsis marks a cut), for a push
    notification or a line in the centre. Never cuts a character apart from its combining
    marks."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = limit - 1
    while cut > 0 and unicodedata.combining(flat[cut]):
        cut -= 1
    return flat[:cut].rstrip() + "…"


# Where browsers' push services live. A subscription names an address the server will POST to,
# so only these are accepted: anything else would let a person make the server call any
# address (an internal one included). Operators extend the list (COPARENT_PUSH_SERVICES).
PUSH_SERVICES = (
    "fcm.googleapis.com",  # Chrome, and browsers built on Chromium
    "updates.push.services.mozilla.com",  # Firefox
    "web.push.apple.com",  # Safari
    ".notify.windows.com",  # Edge
)


def push_endpoint_allowed(endpoint: str, services: Sequence[str]) -> bool:
    """Whether `endpoint` lies on one of `services`: a host name ("fcm.googleapis.com", over
    https), a domain and its subdomains (".notify.windows.com"), or a scheme and host
    ("http://127.0.0.1", for a push service on the machine itself)."""
    parts = urlsplit(endpoint)
    try:
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018 - a malformed port raises here
    except ValueError:
        return False
    if not host or parts.username or parts.password:
        return False
    for service in services:
        scheme, separator, name = service.strip().lower().rpartition("://")
        if parts.scheme != (scheme if separator else "https"):
            continue
        if name.startswith("."):
            if host.endswith(name) and len(host) > len(name):
                return True
        elif host == name:
            return True
    return False
