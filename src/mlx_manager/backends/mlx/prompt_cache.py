"""KV caches of finished requests, kept per model and reused by the next prompt that shares them.

A thin layer over mlx-lm's ``LRUPromptCache`` (the one ``mlx_lm.server`` uses): a trie over token
ids per model, a byte budget and LRU eviction. A new prompt takes a copy of the cache of its
longest cached token prefix and only the rest is prefilled, so an agent resending a growing
conversation pays for the new turn only. Entries are keyed by the ``LoadedModel`` object itself,
so a prefix is reused only for an identical token prefix on the very weights that computed it
(a reloaded model starts cold). Worker thread only; ``stats`` may be read from anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mlx_manager.backends.mlx.loader import LoadedModel

# The byte budget is the bound that matters; the count only keeps the LRU scans short.
_MAX_ENTRIES = 256


@dataclass(slots=True)
class PromptCacheStats:
    hits: int = 0
    tokens_reused: int = 0
    bytes: int = 0
    budget_bytes: int = 0


@dataclass(frozen=True, slots=True)
class CachedPrefix:
    """What a new request starts from: ``cache`` holds ``tokens[:reused]``; ``rest`` is to prefill.

    ``cache`` is None on a miss (the generator makes a fresh one)."""

    cache: list[Any] | None
    reused: int
    rest: list[int]


class PromptCache:
    def __init__(self, max_bytes: int) -> None:
        self._max_bytes = max(0, max_bytes)
        self._lru: Any = None
        self.stats = PromptCacheStats(budget_bytes=self._max_bytes)

    @property
    def enabled(self) -> bool:
        return self._max_bytes > 0

    def _store(self) -> Any:
        if self._lru is None:
            from mlx_lm.models.cache import LRUPromptCache

            self._lru = LRUPromptCache(max_size=_MAX_ENTRIES, max_bytes=self._max_bytes)
        return self._lru

    def fetch(self, model: LoadedModel, tokens: list[int]) -> CachedPrefix:
        """A private copy of the cache of ``tokens``' longest cached prefix (never all of it)."""
        if not self.enabled:
            return CachedPrefix(cache=None, reused=0, rest=tokens)
        from mlx_lm.models.cache import can_trim_prompt_cache, trim_prompt_cache

        cache, rest = self._store().fetch_nearest_cache(model, tokens)
        if cache is not None and not rest:
            # The whole prompt is cached, but generation starts by feeding its last token.
            if not can_trim_prompt_cache(cache):
                return CachedPrefix(cache=None, reused=0, rest=tokens)
            trim_prompt_cache(cache, 1)
            rest = tokens[-1:]
        if cache is None:
            return CachedPrefix(cache=None, reused=0, rest=tokens)
        reused = len(tokens) - len(rest)
        self.stats.hits += 1
        self.stats.tokens_reused += reused
        return CachedPrefix(cache=cache, reused=reused, rest=rest)

    def store(self, model: LoadedModel, tokens: list[int], cache: list[Any]) -> None:
        """Keep ``cache`` (the KV of exactly ``tokens``); LRU entries go past the budget."""
        if not self.enabled or not tokens:
            return
        store = self._store()
        store.insert_cache(model, list(tokens), cache)
        self.stats.bytes = int(store.nbytes)
