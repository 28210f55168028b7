"""Per-request token samplers for mlx-lm's ``BatchGenerator`` (worker thread only).

Each sampling request owns its random key, split once per token, so a ``seed`` reproduces its
output whatever else shares the batch; that is why seeded requests can be batched, unlike in
mlx-lm's server, which seeds the global generator. Greedy requests share one sampler object so
the batch samples them in a single call.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Sampler = Callable[[Any], Any]


@dataclass(frozen=True, slots=True)
class SamplingParams:
    temperature: float = 1.0
    top_p: float | None = None
    top_k: int | None = None
    seed: int | None = None

    @property
    def greedy(self) -> bool:
        return self.temperature <= 0.0


def greedy_sampler(logprobs: Any) -> Any:
    import mlx.core as mx

    return mx.argmax(logprobs, axis=-1)


class KeyedSampler:
    """Temperature, top-p and top-k sampling from a private random key."""

    def __init__(self, params: SamplingParams) -> None:
        import mlx.core as mx

        seed = params.seed if params.seed is not None else secrets.randbits(63)
        self._key = mx.random.key(seed)
        self._inv_temp = 1.0 / params.temperature
        self._top_p = params.top_p if params.top_p is not None and 0 < params.top_p < 1 else None
        self._top_k = params.top_k if params.top_k is not None and params.top_k > 0 else None

    def __call__(self, logprobs: Any) -> Any:
        import mlx.core as mx
        from mlx_lm.sample_utils import apply_top_k, apply_top_p

        if self._top_p is not None:
            logprobs = apply_top_p(logprobs, self._top_p)
        # mlx-lm refuses a top-k that keeps the whole vocabulary; that is no filtering at all.
        if self._top_k is not None and self._top_k < logprobs.shape[-1]:
            logprobs = apply_top_k(logprobs, self._top_k)
        keys = mx.random.split(self._key)
        self._key = keys[0]
        return mx.random.categorical(logprobs * self._inv_temp, key=keys[1])


def make_sampler(params: SamplingParams) -> Sampler:
    if params.greedy:
        return greedy_sampler
    return KeyedSampler(params)
