"""The recorder middleware on its own: what it reads from the exchange and the ASGI state."""

from __future__ import annotations

from types import SimpleNamespace

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from mlx_manager.backends.http.token_estimate import TokenEstimator
from mlx_manager.observability.metrics import GatewayMetrics
from mlx_manager.observability.pricing import PriceTable, Rates
from mlx_manager.observability.readiness import Readiness
from mlx_manager.observability.record import RequestRecord, record_of
from mlx_manager.observability.recorder import CONTENT_LIMIT, Observer, RequestRecorder
from mlx_manager.observability.request_log import RequestLog, Retention
from mlx_manager.providers.directory import ProviderDirectory


class Captured(Observer):
    def __init__(self, *, keep_content: bool = False) -> None:
        super().__init__(
            metrics=GatewayMetrics(),
            request_log=RequestLog(
                sessions=None,  # type: ignore[arg-type]
                queue_size=10,
                flush_interval=1,
                retention=Retention(),
            ),
            readiness=Readiness(engine=None, head="0005"),  # type: ignore[arg-type]
            keep_content=keep_content,
            prices=PriceTable(directory=ProviderDirectory(), local=Rates(0, 0, 0, 0, 0)),
            estimator=TokenEstimator(),
        )
        self.finished: list[RequestRecord] = []

    def finish(self, record: RequestRecord) -> None:
        self.finished.append(record)


async def endpoint(scope: Scope, receive: Receive, send: Send) -> None:
    """Stands for the app: authentication names the key, the handler fills the record."""
    record = record_of(scope)
    record.api_key_name = "team-a"
    record.model_requested = "m"
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    if scope["path"] == "/v1/boom":
        raise RuntimeError("boom")
    await send({"type": "http.response.start", "status": 201, "headers": []})
    await send({"type": "http.response.body", "body": b"x" * len(body)})


def client(observer: Observer) -> httpx.AsyncClient:
    recorder = RequestRecorder(endpoint)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        scope["app"] = SimpleNamespace(state=SimpleNamespace(mm=SimpleNamespace(observer=observer)))
        scope.setdefault("state", {})["request_id"] = "rid"
        await recorder(scope, receive, send)

    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False), base_url="http://t"
    )


async def test_records_v1_requests_with_the_key_name_and_request_id() -> None:
    observer = Captured()
    async with client(observer) as c:
        assert (await c.post("/v1/messages", content=b"abc")).status_code == 201
        assert (await c.get("/api/other")).status_code == 201
    [record] = observer.finished
    assert (record.endpoint, record.protocol, record.status) == ("/v1/messages", "anthropic", 201)
    assert (record.request_id, record.api_key_name, record.model_requested) == (
        "rid",
        "team-a",
        "m",
    )
    assert record.complete and record.error is None
    assert record.first_byte is not None and record.latency >= record.first_byte
    assert record.prompt is None and record.completion is None


async def test_an_app_exception_is_recorded_as_a_500() -> None:
    observer = Captured()
    async with client(observer) as c:
        await c.post("/v1/boom")
    [record] = observer.finished
    assert (record.status, record.error, record.complete) == (500, "internal_error", False)


@pytest.mark.parametrize("size", [10, CONTENT_LIMIT + 10])
async def test_content_is_kept_only_when_asked_and_capped(size: int) -> None:
    observer = Captured(keep_content=True)
    async with client(observer) as c:
        await c.post("/v1/chat/completions", content=b"p" * size)
    [record] = observer.finished
    kept = min(size, CONTENT_LIMIT)
    assert record.prompt == b"p" * kept and record.completion == b"x" * kept
