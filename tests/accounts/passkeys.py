"""A software passkey for the unit tests: it answers allauth's WebAuthn challenges the way a
phone or a security key would (an ES256 key pair, "none" attestation, signed assertions), so
the tests go through allauth's real checks (fido2) with nothing mocked. The browser tests use
Chromium's own virtual authenticator instead."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from fido2.cose import ES256
from fido2.utils import sha256, websafe_decode, websafe_encode
from fido2.webauthn import (
    AttestationObject,
    AttestedCredentialData,
    AuthenticatorData,
    CollectedClientData,
)

FLAGS = AuthenticatorData.FLAG


@dataclass
class SoftPasskey:
    origin: str = "https://testserver"
    rp_id: str = "testserver"
    user_verified: bool = True
    key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    credential_id: bytes = field(default_factory=lambda: os.urandom(32))
    user_handle: bytes = b""
    counter: int = 0

    def _flags(self, *extra: AuthenticatorData.FLAG) -> AuthenticatorData.FLAG:
        flags = FLAGS.UP
        if self.user_verified:
            flags |= FLAGS.UV
        for flag in extra:
            flags |= flag
        return flags

    def _client_data(self, kind: str, challenge: str) -> bytes:
        return bytes(
            CollectedClientData.create(
                type=kind, challenge=websafe_decode(challenge), origin=self.origin
            )
        )

    def create(self, creation_options: dict[str, Any]) -> str:
        """The browser's answer to a registration (`navigator.credentials.create`), as JSON."""
        options = creation_options["publicKey"]
        self.user_handle = websafe_decode(options["user"]["id"])
        public_key = ES256.from_cryptography_key(self.key.public_key())
        credential = AttestedCredentialData.create(b"\0" * 16, self.credential_id, public_key)
        auth_data = AuthenticatorData.create(
            sha256(self.rp_id.encode()), self._flags(FLAGS.AT), 0, credential
        )
        answer = {
            "id": websafe_encode(self.credential_id),
            "rawId": websafe_encode(self.credential_id),
            "type": "public-key",
            "authenticatorAttachment": "platform",
            "response": {
                "clientDataJSON": websafe_encode(
                    self._client_data(CollectedClientData.TYPE.CREATE, options["challenge"])
                ),
                "attestationObject": websafe_encode(
                    bytes(AttestationObject.create("none", auth_data, {}))
                ),
            },
            "clientExtensionResults": {"credProps": {"rk": True}},
        }
        return json.dumps(answer)

    def get(self, request_options: dict[str, Any]) -> str:
        """The browser's answer to a login challenge (`navigator.credentials.get`), as JSON."""
        options = request_options["publicKey"]
        self.counter += 1
        auth_data = bytes(
            AuthenticatorData.create(sha256(self.rp_id.encode()), self._flags(), self.counter)
        )
        client_data = self._client_data(CollectedClientData.TYPE.GET, options["challenge"])
        signature = self.key.sign(auth_data + sha256(client_data), ec.ECDSA(hashes.SHA256()))
        answer = {
            "id": websafe_encode(self.credential_id),
            "rawId": websafe_encode(self.credential_id),
            "type": "public-key",
            "authenticatorAttachment": "platform",
            "response": {
                "clientDataJSON": websafe_encode(client_data),
                "authenticatorData": websafe_encode(auth_data),
                "signature": websafe_encode(signature),
                "userHandle": websafe_encode(self.user_handle),
            },
            "clientExtensionResults": {},
        }
        return json.dumps(answer)
