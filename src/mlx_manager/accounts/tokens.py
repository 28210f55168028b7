"""Session tokens: a session id and an expiry, signed with HMAC-SHA256.

``mms_<session id>.<expiry unix seconds>.<signature>``. The signature lets a forged or expired
token be refused without touching storage; the session row behind the id is what logout revokes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

TOKEN_PREFIX = "mms_"  # noqa: S105 (a format marker)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class SessionTokens:
    def __init__(self, secret: str) -> None:
        # A key of its own, so a session signature can never double as anything else.
        self._key = hashlib.sha256(b"mlx-manager session tokens\0" + secret.encode()).digest()

    @staticmethod
    def new_session_id() -> str:
        return secrets.token_urlsafe(24)

    def issue(self, session_id: str, expires_at: float) -> str:
        body = f"{session_id}.{int(expires_at)}"
        return f"{TOKEN_PREFIX}{body}.{self._sign(body)}"

    def read(self, token: str, *, now: float | None = None) -> str | None:
        """The session id of a well-signed, unexpired token; None for anything else."""
        if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return None
        body, _, signature = token.removeprefix(TOKEN_PREFIX).rpartition(".")
        session_id, _, expiry = body.partition(".")
        if not session_id or not expiry.isdigit():
            return None
        if not hmac.compare_digest(signature, self._sign(body)):
            return None
        if int(expiry) <= (time.time() if now is None else now):
            return None
        return session_id

    def _sign(self, body: str) -> str:
        return _b64(hmac.new(self._key, body.encode(), hashlib.sha256).digest())
