"""The stored Hugging Face token: sealed like provider keys, in one 0600 file in the data dir.

A single secret needs no table; it is encrypted with the providers' ``KeyCipher`` so a copy of
the data dir without the secret key does not leak it. It is never handed back, only its last 4.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from mlx_manager.errors import CredentialUnreadable
from mlx_manager.providers.secrets import KeyCipher, UndecryptableKey, last4, write_private_file

TOKEN_FILE = "huggingface_token"  # noqa: S105 (a file name)


@dataclass(frozen=True, slots=True)
class HubTokenInfo:
    has_token: bool
    # Empty when the token is too short to show any of it, or can no longer be decrypted.
    last4: str
    readable: bool


class HubTokenStore:
    def __init__(self, data_dir: Path, cipher: KeyCipher) -> None:
        self._path = data_dir / TOKEN_FILE
        self._cipher = cipher

    def get(self) -> str | None:
        if not self._path.exists():
            return None
        try:
            return self._cipher.decrypt(self._path.read_text().strip())
        except UndecryptableKey:
            raise CredentialUnreadable(
                "The stored Hugging Face token cannot be decrypted (the secret key changed); "
                "set it again with PUT /api/settings/huggingface-token."
            ) from None

    def set(self, token: str) -> HubTokenInfo:
        # Written beside the old file and renamed over it: never a moment without 0600 rights.
        tmp = self._path.with_name(self._path.name + ".new")
        tmp.unlink(missing_ok=True)
        write_private_file(tmp, self._cipher.encrypt(token))
        os.replace(tmp, self._path)
        return self.info()

    def clear(self) -> None:
        self._path.unlink(missing_ok=True)

    def info(self) -> HubTokenInfo:
        try:
            token = self.get()
        except CredentialUnreadable:
            return HubTokenInfo(has_token=True, last4="", readable=False)
        if token is None:
            return HubTokenInfo(has_token=False, last4="", readable=True)
        return HubTokenInfo(has_token=True, last4=last4(token), readable=True)
