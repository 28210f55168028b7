"""A gateway key as the hot path sees it, and the in-memory table that finds one by its hash."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field

from mlx_manager.routing.patterns import Matcher, PatternType, compile_matcher

KEY_PREFIX = "mmk_"


def generate_key() -> str:
    # 256 bits of randomness: a plain SHA-256 is then as good as a slow hash for storage.
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class GatewayKey:
    id: int
    name: str
    # Glob patterns (``gpt-4o*``, ``groq-team/*``) on the model name asked for; empty: any model.
    model_patterns: tuple[str, ...] = ()
    requests_per_minute: int | None = None
    tokens_per_minute: int | None = None
    # Unix seconds; None: never.
    expires_at: float | None = None
    _matchers: tuple[Matcher, ...] = field(default=(), repr=False, compare=False)

    def __post_init__(self) -> None:
        matchers = tuple(compile_matcher(p, PatternType.GLOB) for p in self.model_patterns)
        object.__setattr__(self, "_matchers", matchers)

    def allows_model(self, model: str) -> bool:
        return not self._matchers or any(match(model) for match in self._matchers)

    def expired(self, now: float) -> bool:
        return self.expires_at is not None and self.expires_at <= now


class KeyTable:
    """Usable (unrevoked) keys by hash. Replaced whole on every change, never mutated, so a
    request reads one consistent table without locks."""

    def __init__(self, keys: Iterable[tuple[str, GatewayKey]] = ()) -> None:
        self._by_hash = dict(keys)

    def __len__(self) -> int:
        return len(self._by_hash)

    def find(self, presented: str) -> GatewayKey | None:
        if not presented.startswith(KEY_PREFIX):
            return None
        return self._by_hash.get(hash_key(presented))
