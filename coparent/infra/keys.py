"""The secrets kept in the data folder: Django's secret key, the record's Ed25519 signing key and
the web push (VAPID, RFC 8292) key.

Each is generated on first run with owner-only permissions, so no secret ever lives in code or
in the repository, and a fresh clone needs no manual step.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name, not a secret
SIGNING_KEY_FILE = "record_signing_key.pem"
VAPID_KEY_FILE = "vapid_private_key.pem"


def _write_private(path: Path, content: bytes) -> None:
    """Create `path` with mode 0600 atomically; never widen an existing file's permissions."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + f".{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, content)
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        # link() fails if another process won the race, so both agree on the first key.
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink()


def ensure_secret_key(data_dir: Path) -> str:
    path = data_dir / SECRET_KEY_FILE
    if not path.exists():
        _write_private(path, secrets.token_urlsafe(64).encode())
    return path.read_text().strip()


def _private_pem(key: Ed25519PrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    )


def ensure_signing_key(data_dir: Path) -> Ed25519PrivateKey:
    path = data_dir / SIGNING_KEY_FILE
    if not path.exists():
        _write_private(path, _private_pem(Ed25519PrivateKey.generate()))
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(loaded, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 private key")
    return loaded


def ensure_vapid_key(data_dir: Path) -> ec.EllipticCurvePrivateKey:
    """The server's web push key: a P-256 key whose public half every browser subscription is
    bound to (the `applicationServerKey`), and whose private half signs each push's VAPID token.
    Lose it and every device must turn push on again, so backups carry it with the others."""
    path = data_dir / VAPID_KEY_FILE
    if not path.exists():
        _write_private(path, _private_pem(ec.generate_private_key(ec.SECP256R1())))
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(loaded, ec.EllipticCurvePrivateKey) or not isinstance(
        loaded.curve, ec.SECP256R1
    ):
        raise ValueError(f"{path} does not hold a P-256 private key")
    return loaded
