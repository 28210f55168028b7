"""Encryption of provider keys at rest, and masking for display.

Keys are sealed with Fernet (AES-128-CBC + HMAC-SHA256). The Fernet key comes from
``MLX_MANAGER_SECRET_KEY`` (any string; derived with SHA-256 when not already a Fernet key) or from
a file generated on first start into the data dir with 0600 rights.
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

SECRET_FILE = "secret.key"  # noqa: S105 (a file name)


class UndecryptableKey(Exception):
    """The stored ciphertext does not open with the current secret (it changed)."""


def _fernet_key(secret: str) -> bytes:
    raw = secret.encode()
    try:
        if len(base64.urlsafe_b64decode(raw)) == 32:
            return raw
    except ValueError:
        pass
    return base64.urlsafe_b64encode(hashlib.sha256(raw).digest())


def load_or_create_secret(data_dir: Path, configured: str | None) -> str:
    if configured:
        return configured
    path = data_dir / SECRET_FILE
    if path.exists():
        return path.read_text().strip()
    return write_private_file(path, Fernet.generate_key().decode())


def write_private_file(path: Path, content: str) -> str:
    """Create ``path`` readable by its owner only, without a window where others could read it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(content + "\n")
    return content


class KeyCipher:
    def __init__(self, secret: str) -> None:
        self._fernet = Fernet(_fernet_key(secret))

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, ciphertext: str) -> str:
        try:
            return self._fernet.decrypt(ciphertext.encode()).decode()
        except InvalidToken:
            raise UndecryptableKey from None


def last4(key: str) -> str:
    return key[-4:] if len(key) >= 8 else ""


def mask(key: str) -> str:
    """``sk-…abcd``: enough to recognise a key, never enough to use it."""
    tail = last4(key)
    prefix = key[:3] if len(key) >= 12 else ""
    return f"{prefix}…{tail}" if tail else "…"
