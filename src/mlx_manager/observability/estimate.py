"""Token counts for a completed reply whose provider sent no usage: the gateway's estimate.

Some OpenAI-compatible servers send no ``usage`` (or ignore ``stream_options``). Such a request
is not logged as free or unknown: once it has ended, its prompt and the text of its reply are
counted with tiktoken (``backends/http/token_estimate``, the estimate ``count_tokens`` gives
too) and the record is marked ``estimated``. The reply's bytes are kept for it only while no
usage has been seen (``TokenCounts.unmetered``), and the counting runs in a thread after the
caller has had the whole reply.
"""

from __future__ import annotations

from collections.abc import Iterator

import orjson

from mlx_manager.backends.http.token_estimate import TokenEstimator
from mlx_manager.observability.record import RequestRecord

# Where reply text sits in OpenAI and Anthropic replies and stream events (text, tool-call
# arguments, reasoning).
_TEXT_KEYS = frozenset(
    {"content", "text", "arguments", "partial_json", "thinking", "reasoning_content", "refusal"}
)


def needs_estimate(record: RequestRecord) -> bool:
    tokens = record.tokens
    return (
        tokens.unmetered is not None
        and tokens.input_tokens is None
        and tokens.output_tokens is None
        and record.request is not None
        and record.complete
        and record.status < 400
    )


async def estimate(record: RequestRecord, estimator: TokenEstimator) -> None:
    """Fill the record's counts from its prompt and its reply; raises ``GatewayError`` when the
    encoding cannot be loaded."""
    tokens = record.tokens
    reply = b"".join(tokens.unmetered or ())
    tokens.unmetered = None
    assert record.request is not None  # needs_estimate checked
    provider = record.provider or ""
    prompt = await estimator.count(record.request(), provider=provider)
    output = await estimator.count_texts(list(reply_texts(reply)), provider=provider)
    tokens.input_tokens = prompt
    tokens.output_tokens = output
    tokens.estimated = True


def reply_texts(reply: bytes) -> Iterator[str]:
    """The text of a JSON reply, or of every ``data:`` line of an SSE stream."""
    stripped = reply.lstrip()
    if stripped.startswith(b"{"):
        yield from _texts(_json(stripped))
        return
    for line in reply.splitlines():
        if line.startswith(b"data:"):
            yield from _texts(_json(line[5:]))


def _json(data: bytes) -> object:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return None


def _texts(value: object) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key in _TEXT_KEYS and isinstance(item, str):
                yield item
            elif isinstance(item, dict | list):
                yield from _texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)
