"""A relayed stream on its way to the caller: the fast path's upstream bytes as they came, and a
failure mid-stream as the protocol's error event."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

from mlx_manager.errors import GatewayError
from mlx_manager.observability.record import RequestRecord
from mlx_manager.observability.response_scan import ResponseScan
from mlx_manager.observability.usage import UsageCut, UsageScan
from mlx_manager.protocols.table import EncodeStreamError


async def relay(
    first: bytes,
    rest: AsyncIterator[bytes],
    *,
    stream_error: EncodeStreamError,
    record: RequestRecord,
    cut_usage: bool = False,
    whole_response: bool = False,
    keep: Callable[[dict[str, object]], None] | None = None,
) -> AsyncIterator[bytes]:
    """Raw upstream bytes as they came; a failure mid-stream ends with an error event.

    The bytes are scanned, not changed, for the usage that ``record`` keeps; only with
    ``cut_usage`` (the gateway asked the upstream for usage that the caller did not ask for) is
    the usage-only chunk taken out. A Responses stream (``whole_response``) is read for its
    final event instead, which ``keep`` takes when set."""
    scan: UsageScan | ResponseScan
    if cut_usage:
        scan = UsageCut(record.tokens)
    elif whole_response:
        scan = ResponseScan(record.tokens, keep)
    else:
        scan = UsageScan(record.tokens)
    last = scan.feed(first)
    yield last
    try:
        async for chunk in rest:
            data = scan.feed(chunk)
            if data:
                last = data
                yield data
    except GatewayError as exc:
        record.error = exc.code
        # Close a half-sent event first, so the error event is parsed on its own.
        yield (b"" if last.endswith(b"\n\n") else b"\n\n") + stream_error(exc)
        return
    tail = scan.flush()
    if tail:
        yield tail
