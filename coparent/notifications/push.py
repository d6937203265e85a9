"""Web push through the standard Push API: the server's VAPID key (RFC 8292), generated on
first run in the data folder (coparent.infra.keys), signs a short token for each push; the
payload is encrypted for the browser's own key (RFC 8291, aes128gcm) by pywebpush; the
browser's push service (Google's, Mozilla's, Apple's…) carries it to the device. No
third-party account is needed: the browser's push service takes any correctly signed push.
"""

from __future__ import annotations

import base64
import json
import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import requests
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from py_vapid import Vapid02
from pywebpush import WebPushException, webpush

from coparent.infra.keys import ensure_vapid_key
from coparent.notifications.models import PushSubscription

logger = logging.getLogger("coparent.notifications")

TIMEOUT = 10.0  # seconds for one push service's answer
GONE = (404, 410)  # the push service's "this subscription no longer exists"


@lru_cache(maxsize=1)
def _vapid() -> Vapid02:
    return Vapid02(private_key=ensure_vapid_key(settings.DATA_DIR))


def public_key() -> str:
    """The `applicationServerKey` a browser subscribes with: the VAPID public key as an
    uncompressed P-256 point, base64url without padding."""
    point = (
        _vapid()
        .private_key.public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    return base64.urlsafe_b64encode(point).rstrip(b"=").decode()


def contact() -> str:
    """The VAPID `sub` claim: how a push service reaches the operator (COPARENT_PUSH_CONTACT,
    by default the site's https address or its sender address)."""
    configured: str = settings.COPARENT_PUSH_CONTACT
    return configured


@dataclass(frozen=True)
class Outcome:
    sent: bool
    status: int | None
    gone: bool = False  # the subscription was removed
    detail: str = ""


def send(subscription: PushSubscription, payload: dict[str, Any], *, ttl: int) -> Outcome:
    """Push `payload` (JSON) to one browser. A subscription its push service says is gone is
    deleted; any other failure is reported, never raised (one dead device must not stop the
    others)."""
    session = requests.Session()
    # A push service answers the POST itself; a redirect would send our request elsewhere.
    session.max_redirects = 0
    try:
        response = webpush(
            subscription_info={
                "endpoint": subscription.endpoint,
                "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
            },
            data=json.dumps(payload, ensure_ascii=False),
            vapid_private_key=_vapid(),
            vapid_claims={"sub": contact()},
            content_encoding="aes128gcm",
            timeout=TIMEOUT,
            ttl=ttl,
            requests_session=session,
        )
    except WebPushException as error:
        status = error.status_code
        if status in GONE:
            subscription.delete()
            return Outcome(sent=False, status=status, gone=True, detail="gone")
        logger.warning("Web push refused (%s) by %s", status, _host(subscription))
        return Outcome(sent=False, status=status, detail=f"refused: {status}")
    except requests.RequestException as error:
        logger.warning("Web push to %s failed: %s", _host(subscription), type(error).__name__)
        return Outcome(sent=False, status=None, detail=f"failed: {type(error).__name__}")
    finally:
        session.close()
    status = getattr(response, "status_code", None)
    return Outcome(sent=True, status=status if isinstance(status, int) else None)


def _host(subscription: PushSubscription) -> str:
    # The endpoint's path names the device: logs keep only the push service's host.
    return subscription.endpoint.split("/")[2] if "://" in subscription.endpoint else "?"
