"""The observer seam: an ASGI middleware that records every ``/v1`` request.

It wraps ``send`` only: the status, the first body byte (time to first token for streams) and
whether the last body message went out. The record is finished after the app returns, so a
stream is recorded when it has ended, however it ended: completed, broken off by an upstream
error (the serving path notes the error), or cut by the client: a reply that never went out
whole, with nothing failing, is a caller that hung up, logged as nginx logs it (499,
``client_disconnected``) with the tokens known so far, which count against the key's limit.
Recording is an in-memory step (metrics, a queue append); the database is written elsewhere.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mlx_manager.backends.http.token_estimate import TokenEstimator
from mlx_manager.backends.mlx.backend import EngineStatus
from mlx_manager.errors import GatewayError
from mlx_manager.observability.estimate import estimate, needs_estimate
from mlx_manager.observability.metrics import GatewayMetrics
from mlx_manager.observability.pricing import PriceTable, Rates, load_catalogue
from mlx_manager.observability.readiness import Readiness
from mlx_manager.observability.record import RECORD_KEY, RequestRecord
from mlx_manager.observability.request_log import RequestLog, Retention
from mlx_manager.protocols.table import protocol_of_path
from mlx_manager.providers.directory import ProviderDirectory
from mlx_manager.providers.schemas import ModelPrice
from mlx_manager.routing.health import TargetHealth
from mlx_manager.settings import Settings
from mlx_manager.storage.migrate import head_revision

log = logging.getLogger(__name__)

PREFIX = "/v1/"
# nginx's "client closed request": the caller went away before the whole reply was sent.
CLIENT_CLOSED = 499
# What is kept of each body when ``request_log_content`` is on.
CONTENT_LIMIT = 64 * 1024


class Observer:
    """Where finished records go: priced, then to the metrics at once and the request log in
    batches."""

    def __init__(
        self,
        *,
        metrics: GatewayMetrics,
        request_log: RequestLog,
        readiness: Readiness,
        keep_content: bool,
        prices: PriceTable,
        estimator: TokenEstimator,
    ) -> None:
        self.metrics = metrics
        self.request_log = request_log
        self.readiness = readiness
        self.keep_content = keep_content
        self.prices = prices
        self.estimator = estimator
        self._estimating: set[asyncio.Task[None]] = set()
        self._estimate_warned = False

    def finish(self, record: RequestRecord) -> None:
        if needs_estimate(record):
            task = asyncio.create_task(self._finish_estimated(record), name="token estimate")
            self._estimating.add(task)
            task.add_done_callback(self._estimating.discard)
            return
        record.tokens.unmetered = None
        self.prices.settle(record)
        self.metrics.observe(record)
        self.request_log.submit(record)

    async def _finish_estimated(self, record: RequestRecord) -> None:
        try:
            await estimate(record, self.estimator)
        except GatewayError as exc:
            if not self._estimate_warned:
                log.warning("Replies without usage cannot be estimated: %s", exc.message)
                self._estimate_warned = True
        record.tokens.unmetered = None
        self.finish(record)

    async def aclose(self) -> None:
        """At shutdown, once requests are done: write what the request log still holds."""
        if self._estimating:
            await asyncio.gather(*self._estimating, return_exceptions=True)
        await self.request_log.aclose()


class RequestRecorder:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        observer = _observer(scope) if scope["type"] == "http" else None
        if observer is None or not scope["path"].startswith(PREFIX):
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        started = time.perf_counter()
        record = RequestRecord(
            endpoint=path,
            protocol=protocol_of_path(path).name,
            started=started,
            created_at=time.time(),
        )
        state = scope.setdefault("state", {})
        state[RECORD_KEY] = record
        if observer.keep_content:
            receive, send = _keep_content(record, receive, send)

        async def recording_send(message: Message) -> None:
            if message["type"] == "http.response.body":
                if record.first_byte is None and message.get("body"):
                    record.first_byte = time.perf_counter() - started
                if not message.get("more_body", False):
                    record.complete = True
                    if record.charge is not None and record.status < 400:
                        await _charge(record)
            elif message["type"] == "http.response.start":
                record.status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        except asyncio.CancelledError:
            record.error = record.error or "cancelled"
            raise
        except Exception:
            record.error = record.error or "internal_error"
            raise
        finally:
            record.latency = time.perf_counter() - started
            hung_up = not record.complete and record.error is None
            if hung_up:
                record.error = "client_disconnected"
                record.status = CLIENT_CLOSED
            elif not record.complete:
                record.status = record.status or 500
            record.request_id = state.get("request_id", "")
            observer.finish(record)
        # A caller that hung up is charged what it used so far, once its record is out.
        if hung_up and record.charge is not None:
            await _charge(record)


async def _charge(record: RequestRecord) -> None:
    """Count the reply's tokens against the key's limit, once."""
    charge, record.charge = record.charge, None
    if charge is not None:
        tokens = record.tokens
        await charge((tokens.input_tokens or 0) + (tokens.output_tokens or 0))


def _observer(scope: Scope) -> Observer | None:
    # Built by the lifespan; without it (no lifespan run) nothing is recorded.
    observer = getattr(getattr(scope["app"].state, "mm", None), "observer", None)
    return observer if isinstance(observer, Observer) else None


def _keep_content(record: RequestRecord, receive: Receive, send: Send) -> tuple[Receive, Send]:
    record.prompt = bytearray()
    record.completion = bytearray()

    async def keeping_receive() -> Message:
        message = await receive()
        if message["type"] == "http.request" and record.prompt is not None:
            _append(record.prompt, message.get("body", b""))
        return message

    async def keeping_send(message: Message) -> None:
        if message["type"] == "http.response.body" and record.completion is not None:
            _append(record.completion, message.get("body", b""))
        await send(message)

    return keeping_receive, keeping_send


def _append(kept: bytearray, body: bytes) -> None:
    room = CONTENT_LIMIT - len(kept)
    if room > 0 and body:
        kept += body[:room]


def start_observer(
    *,
    settings: Settings,
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    health: TargetHealth,
    engine_status: Callable[[], EngineStatus] | None,
    directory: ProviderDirectory,
    estimator: TokenEstimator,
) -> Observer:
    """Build the metrics, the request log (its writer and pruning tasks started), readiness
    and the price table."""
    load_catalogue()
    request_log = RequestLog(
        sessions=sessions,
        queue_size=settings.request_log_queue_size,
        flush_interval=settings.request_log_flush_interval,
        retention=Retention(
            max_age_days=settings.request_log_retention_days,
            max_rows=settings.request_log_max_rows,
            prune_interval=settings.request_log_prune_interval,
        ),
    )
    metrics = GatewayMetrics()
    metrics.watch(health=health, engine=engine_status, request_log=request_log)
    request_log.start()
    return Observer(
        metrics=metrics,
        request_log=request_log,
        readiness=Readiness(engine=engine, head=head_revision()),
        keep_content=settings.request_log_content,
        estimator=estimator,
        prices=PriceTable(
            directory=directory,
            local=Rates.per_mtok(
                ModelPrice(
                    input_per_mtok=settings.local_input_per_mtok,
                    output_per_mtok=settings.local_output_per_mtok,
                )
            ),
        ),
    )
