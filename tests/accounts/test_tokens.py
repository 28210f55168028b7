"""Signed session tokens: read back, and refused when forged, altered or expired."""

from __future__ import annotations

import time

from mlx_manager.accounts.tokens import SessionTokens


def test_a_token_names_its_session_until_it_expires() -> None:
    tokens = SessionTokens("secret")
    token = tokens.issue("sid123", time.time() + 60)
    assert token.startswith("mms_sid123.")
    assert tokens.read(token) == "sid123"
    assert tokens.read(token, now=time.time() + 61) is None


def test_altered_or_foreign_tokens_are_refused() -> None:
    tokens = SessionTokens("secret")
    expires = time.time() + 60
    token = tokens.issue("sid123", expires)
    assert SessionTokens("other secret").read(token) is None
    assert tokens.read(token.replace("sid123", "sid124")) is None
    # A later expiry with the old signature does not pass.
    longer = token.replace(str(int(expires)), str(int(expires) + 9999))
    assert tokens.read(longer) is None
    for junk in ["", "mms_", "mms_a.b.c", "mms_a.1.", "Bearer x", "mms_" + "a" * 500]:
        assert tokens.read(junk) is None
