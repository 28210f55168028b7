"""One request as the HTTP edge decoded it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import orjson

from mlx_manager.core import ChatRequest
from mlx_manager.errors import InvalidRequest
from mlx_manager.observability.record import RequestRecord
from mlx_manager.protocols.table import WireProtocol
from mlx_manager.routing.patterns import MAX_MODEL_NAME, check_model_name

# Client headers that describe the request to the upstream API and are safe to pass along.
FORWARDED_HEADERS = frozenset({b"anthropic-version", b"anthropic-beta", b"openai-beta"})


@dataclass(slots=True)
class Inbound:
    """Each fact about a request, decided once by ``read_inbound`` and carried from there: the
    protocol it came in, the model asked for, whether it streams. ``raw`` is the body as
    received, forwarded unchanged where nothing in it has to change."""

    protocol: WireProtocol
    body: dict[str, object]
    model: str
    stream: bool
    record: RequestRecord
    raw: bytes | None = None
    # What the fast path sends instead of ``body`` (``raw`` no longer says it), when the edge
    # has changed it: a Responses conversation put in ``input``.
    forwarded: dict[str, object] | None = None
    # The caller's headers that go upstream on the fast path.
    headers: Mapping[str, str] = field(default_factory=dict)
    # Set by the edge for a Responses request: what the decoded request is completed with (the
    # translated path's stored response), and what takes a relayed reply's ``response`` object
    # to store it (the fast path's).
    decoded: Callable[[ChatRequest], None] | None = None
    keep: Callable[[dict[str, object]], None] | None = None
    # Decoded at most once, when a target first needs the IR.
    _ir: ChatRequest | None = None

    def request(self) -> ChatRequest:
        if self._ir is None:
            self._ir = self.protocol.decode_request(self.body)
            if self.decoded is not None:
                self.decoded(self._ir)
        return self._ir


def read_inbound(
    protocol: WireProtocol,
    raw: bytes,
    *,
    record: RequestRecord,
    headers: Iterable[tuple[bytes, bytes]] = (),
) -> Inbound:
    """Parse ``raw`` and read what the request asks for; ``record`` learns it too. ``headers``
    are the request's, raw as ASGI gives them (one pass, no decoding of the others)."""
    body = parse_body(raw)
    model = body.get("model")
    stream = body.get("stream") is True
    # Logged before it is checked, so a refused request's log row says what was asked; cut to
    # the cap, so a junk name cannot bloat the log.
    record.asked(model[:MAX_MODEL_NAME] if isinstance(model, str) else None, stream=stream)
    if not isinstance(model, str) or not model.strip():
        raise InvalidRequest("'model' is required and must be a non-empty string.", param="model")
    check_model_name(model)
    forwarded: dict[str, str] = {}
    for name, value in headers:
        if name in FORWARDED_HEADERS:
            # A header sent on several lines is one list (RFC 9110 5.3): keep every line.
            key, text = name.decode(), value.decode("latin-1")
            forwarded[key] = f"{forwarded[key]},{text}" if key in forwarded else text
    return Inbound(
        protocol=protocol,
        body=body,
        model=model,
        stream=stream,
        record=record,
        raw=raw,
        headers=forwarded,
    )


def parse_body(raw: bytes) -> dict[str, object]:
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InvalidRequest(f"The request body is not valid JSON: {exc}.") from None
    if not isinstance(body, dict):
        raise InvalidRequest("The request body must be a JSON object.")
    return body
