"""Fixtures for codec tests: recorded SSE streams from ``tests/fixtures/sse/``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

SSE_DIR = Path(__file__).parent.parent / "fixtures" / "sse"


@pytest.fixture
def sse_bytes() -> Callable[[str], bytes]:
    def load(name: str) -> bytes:
        return (SSE_DIR / name).read_bytes()

    return load


@pytest.fixture
def replay() -> Callable[[bytes, int], AsyncIterator[bytes]]:
    """Replays bytes in chunks of ``size`` bytes, as a socket might deliver them."""

    async def chunks(raw: bytes, size: int) -> AsyncIterator[bytes]:
        for start in range(0, len(raw), size):
            yield raw[start : start + size]

    return chunks
