"""A browser's push service, on 127.0.0.1, as strict as a real one about what it accepts.

Each subscription it hands out has its own P-256 key pair and auth secret, as a browser's has.
For every push it receives it checks what a real push service checks, and what the browser then
needs:

- the VAPID token (RFC 8292): `Authorization: vapid t=JWT,k=KEY`, where KEY must be the
  server's public VAPID key, the JWT's ES256 signature must verify against it, its `aud` must
  be this service's origin, its `exp` in the next 24 hours and its `sub` a contact;
- the payload's encryption (RFC 8291, `Content-Encoding: aes128gcm`): it is decrypted with the
  subscription's private key and auth secret, as the browser would, and must be JSON;
- a `TTL` header.

A push that fails any check answers 400 and is kept in `refused` (with why); a subscription the
test marked gone answers 410, as a push service does once the browser unsubscribed.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class Device:
    """One browser's subscription: what it gives the server, and the private half it keeps."""

    name: str
    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes

    @property
    def p256dh(self) -> str:
        return b64url(
            self.private_key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )

    def as_json(self) -> dict[str, Any]:
        """What the browser's PushSubscription.toJSON() gives the page's script."""
        return {
            "endpoint": self.endpoint,
            "keys": {"p256dh": self.p256dh, "auth": b64url(self.auth)},
        }


@dataclass
class Received:
    device: str
    payload: dict[str, Any]
    ttl: int
    claims: dict[str, Any]


@dataclass
class FakePushService:
    vapid_public_key: str  # base64url uncompressed point, as the browser subscribed with it
    devices: dict[str, Device] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    gone: set[str] = field(default_factory=set)

    def start(self) -> FakePushService:
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server name
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                status = service.take(
                    self.path, {k.lower(): v for k, v in self.headers.items()}, body
                )
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def subscribe(self, name: str) -> Device:
        """A new browser subscribing: its own key pair and auth secret, its own endpoint."""
        device = Device(
            name=name,
            endpoint=f"{self.origin}/push/{name}-{len(self.devices)}",
            private_key=ec.generate_private_key(ec.SECP256R1()),
            auth=bytes(range(16)),
        )
        self.devices[device.endpoint.rsplit("/", 1)[1]] = device
        return device

    def to(self, name: str) -> list[dict[str, Any]]:
        """The payloads the device `name` received, in order."""
        return [r.payload for r in self.received if r.device == name]

    # --- what a push service does with a push -------------------------------------------------

    def take(self, path: str, headers: dict[str, str], body: bytes) -> int:
        """Answer one push (`headers` with lower-case names, as HTTP has them)."""
        key = path.rsplit("/", 1)[-1]
        device = self.devices.get(key)
        if device is None or device.name in self.gone:
            return 410
        try:
            claims = self._check_vapid(headers.get("authorization", ""))
            if headers.get("content-encoding") != "aes128gcm":
                raise ValueError(f"content encoding {headers.get('content-encoding')!r}")
            ttl = int(headers["ttl"])
            plain = http_ece.decrypt(
                body, private_key=device.private_key, auth_secret=device.auth, version="aes128gcm"
            )
            payload = json.loads(plain.decode("utf-8"))
        except Exception as error:  # noqa: BLE001 - every failure is a refused push
            self.refused.append(f"{type(error).__name__}: {error}")
            return 400
        self.received.append(Received(device.name, payload, ttl, claims))
        return 201

    def _check_vapid(self, authorization: str) -> dict[str, Any]:
        scheme, _space, params = authorization.partition(" ")
        if scheme.lower() != "vapid":
            raise ValueError(f"not a VAPID authorization: {authorization[:20]!r}")
        parts = dict(item.split("=", 1) for item in params.split(","))
        if parts["k"] != self.vapid_public_key:
            raise ValueError("signed with another key than the one the browser subscribed with")
        header_b64, claims_b64, signature_b64 = parts["t"].split(".")
        header = json.loads(b64url_decode(header_b64))
        if header.get("alg") != "ES256":
            raise ValueError(f"alg {header.get('alg')!r}")
        signature = b64url_decode(signature_b64)
        if len(signature) != 64:
            raise ValueError("an ES256 signature is r and s, 32 bytes each")
        public_key = ec.EllipticCurvePublicKey.from_encoded_point(
            ec.SECP256R1(), b64url_decode(parts["k"])
        )
        try:
            public_key.verify(
                encode_dss_signature(
                    int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
                ),
                f"{header_b64}.{claims_b64}".encode(),
                ec.ECDSA(hashes.SHA256()),
            )
        except InvalidSignature:
            raise ValueError("the VAPID signature does not verify") from None
        claims = json.loads(b64url_decode(claims_b64))
        if claims.get("aud") != self.origin:
            raise ValueError(f"aud {claims.get('aud')!r} is not {self.origin}")
        if not time.time() < int(claims["exp"]) <= time.time() + 24 * 3600:
            raise ValueError("exp is not within the next 24 hours")
        if not str(claims.get("sub", "")).startswith(("mailto:", "https://")):
            raise ValueError(f"sub {claims.get('sub')!r}")
        return claims
