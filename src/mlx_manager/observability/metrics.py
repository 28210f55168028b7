"""Prometheus metrics: one registry per app (no globals), exposed at ``GET /metrics``.

Request series are labelled by protocol, provider and served model. A (provider, model) pair
becomes a label only once the gateway knows it: a request to it succeeded (status below 400).
Callers choose the names a glob rule passes through, so a name an upstream refused is not a
model, and failures for pairs not yet known count under ``model="other"`` (their provider label
kept); they take no label slot. At most ``MAX_MODEL_LABELS`` pairs are labelled, and the
successes past that count as ``other`` too. ``model=""`` is a request no route resolved.
Cost is labelled by provider, model (the same labels) and gateway key (``key=""`` without one).
Target health, the local engine and the request-log queue are read when scraped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from mlx_manager.backends.mlx.backend import EngineStatus
from mlx_manager.observability.record import RequestRecord
from mlx_manager.observability.request_log import RequestLog
from mlx_manager.routing.health import HealthState, TargetHealth

MAX_MODEL_LABELS = 200
OTHER = "other"
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300)
TTFT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30)
_SERIES = ("protocol", "provider", "model")


@dataclass(slots=True)
class _Series:
    """The children of one (protocol, provider, model), kept so a request skips ``labels()``."""

    latency: Histogram
    ttft: Histogram
    input_tokens: Counter
    output_tokens: Counter
    requests: dict[int, Counter]


class GatewayMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self._requests = Counter(
            "mlx_manager_requests", "Requests to /v1.", [*_SERIES, "status"], registry=r
        )
        self._errors = Counter(
            "mlx_manager_request_errors",
            "Requests to /v1 that failed, or whose stream broke off, by error code.",
            [*_SERIES, "code"],
            registry=r,
        )
        self._latency = Histogram(
            "mlx_manager_request_duration_seconds",
            "Time from request to the last byte of the response.",
            _SERIES,
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self._ttft = Histogram(
            "mlx_manager_time_to_first_token_seconds",
            "Streams: time from request to the first byte sent to the caller.",
            _SERIES,
            buckets=TTFT_BUCKETS,
            registry=r,
        )
        self._tokens = Counter(
            "mlx_manager_tokens", "Tokens in and out.", [*_SERIES, "direction"], registry=r
        )
        self._cost = Counter(
            "mlx_manager_cost_usd",
            "What requests cost, in USD, at the prices in force (unpriced requests add nothing).",
            ["provider", "model", "key"],
            registry=r,
        )
        self._series: dict[tuple[str, str, str], _Series] = {}
        self._costs: dict[tuple[str, str, str], Counter] = {}
        self._models: set[tuple[str, str]] = set()

    def observe(self, record: RequestRecord) -> None:
        key = (record.protocol, record.provider or "", self._model_label(record))
        series = self._series.get(key) or self._add_series(key)
        series.latency.observe(record.latency)
        ttft = record.ttft
        if ttft is not None:
            series.ttft.observe(ttft)
        tokens = record.tokens
        if tokens.input_tokens:
            series.input_tokens.inc(tokens.input_tokens)
        if tokens.output_tokens:
            series.output_tokens.inc(tokens.output_tokens)
        requests = series.requests.get(record.status)
        if requests is None:
            requests = series.requests[record.status] = self._requests.labels(
                *key, str(record.status)
            )
        requests.inc()
        if record.error is not None or record.status >= 400:
            self._errors.labels(*key, record.error or f"http_{record.status}").inc()
        cost = record.cost_usd
        if cost:
            cost_key = (key[1], key[2], record.api_key_name or "")
            counter = self._costs.get(cost_key)
            if counter is None:
                counter = self._costs[cost_key] = self._cost.labels(*cost_key)
            counter.inc(cost)

    def watch(
        self,
        *,
        health: TargetHealth,
        engine: Callable[[], EngineStatus] | None,
        request_log: RequestLog,
    ) -> None:
        """Report these parts' state at every scrape."""
        self.registry.register(_StateCollector(health, engine, request_log))

    def exposition(self) -> bytes:
        return generate_latest(self.registry)

    def _model_label(self, record: RequestRecord) -> str:
        if record.model is None:
            return ""
        pair = (record.provider or "", record.model)
        if pair in self._models:
            return record.model
        if record.status >= 400 or len(self._models) >= MAX_MODEL_LABELS:
            return OTHER
        self._models.add(pair)
        return record.model

    def _add_series(self, key: tuple[str, str, str]) -> _Series:
        series = self._series[key] = _Series(
            latency=self._latency.labels(*key),
            ttft=self._ttft.labels(*key),
            input_tokens=self._tokens.labels(*key, "input"),
            output_tokens=self._tokens.labels(*key, "output"),
            requests={},
        )
        return series


class _StateCollector(Collector):
    def __init__(
        self,
        health: TargetHealth,
        engine: Callable[[], EngineStatus] | None,
        request_log: RequestLog,
    ) -> None:
        self._health = health
        self._engine = engine
        self._log = request_log

    def collect(self) -> Iterator[Metric]:
        yield from self._target_health()
        if self._engine is not None:
            yield from _engine_metrics(self._engine())
        depth = GaugeMetricFamily(
            "mlx_manager_request_log_queue_depth", "Request-log rows waiting to be written."
        )
        depth.add_metric([], self._log.depth)
        yield depth
        for name, text, value in (
            ("mlx_manager_request_log_written", "Request-log rows written.", self._log.written),
            (
                "mlx_manager_request_log_dropped",
                "Request-log rows dropped: queue full or the database failing for too long.",
                self._log.dropped,
            ),
        ):
            counter = CounterMetricFamily(name, text)
            counter.add_metric([], value)
            yield counter

    def _target_health(self) -> Iterator[Metric]:
        views = self._health.views()
        state = GaugeMetricFamily(
            "mlx_manager_target_state",
            "1 for the health state each target is in; targets never used are not listed.",
            labels=["target", "state"],
        )
        error_rate = GaugeMetricFamily(
            "mlx_manager_target_error_rate",
            "Share of a target's requests that failed over the health window.",
            labels=["target"],
        )
        latency = GaugeMetricFamily(
            "mlx_manager_target_latency_seconds",
            "Peak-EWMA time to a reply's start, as the latency strategy sees it.",
            labels=["target"],
        )
        in_flight = GaugeMetricFamily(
            "mlx_manager_target_in_flight", "Requests waiting on a target.", labels=["target"]
        )
        for view in views:
            for each in HealthState:
                state.add_metric([view.key, each.value], 1.0 if each is view.state else 0.0)
            error_rate.add_metric([view.key], view.error_rate)
            if view.latency is not None:
                latency.add_metric([view.key], view.latency)
            in_flight.add_metric([view.key], view.in_flight)
        yield from (state, error_rate, latency, in_flight)


def _engine_metrics(status: EngineStatus) -> Iterator[Metric]:
    pool = status.pool
    loaded = GaugeMetricFamily(
        "mlx_manager_local_model_bytes", "Local models in memory, by size.", labels=["model"]
    )
    for model in pool.loaded:
        loaded.add_metric([model.name], model.size_bytes)
    yield loaded
    count = GaugeMetricFamily("mlx_manager_local_models_loaded", "Local models in memory.")
    count.add_metric([], len(pool.loaded))
    yield count
    memory = GaugeMetricFamily(
        "mlx_manager_local_memory_bytes", "Memory held by the local engine's loaded models."
    )
    memory.add_metric([], pool.memory_bytes)
    yield memory
    if pool.max_memory_bytes is not None:
        limit = GaugeMetricFamily(
            "mlx_manager_local_memory_limit_bytes", "The local engine's memory budget."
        )
        limit.add_metric([], pool.max_memory_bytes)
        yield limit
    generated = CounterMetricFamily(
        "mlx_manager_local_generated_tokens", "Tokens generated by the local engine."
    )
    generated.add_metric([], status.worker.generated_tokens)
    yield generated
    cache = status.prompt_cache
    hits = CounterMetricFamily(
        "mlx_manager_prompt_cache_hits", "Local requests that reused a cached prompt prefix."
    )
    hits.add_metric([], cache.hits)
    yield hits
    reused = CounterMetricFamily(
        "mlx_manager_prompt_cache_tokens_reused",
        "Prompt tokens the local engine took from its prompt cache instead of prefilling.",
    )
    reused.add_metric([], cache.tokens_reused)
    yield reused
    held = GaugeMetricFamily(
        "mlx_manager_prompt_cache_bytes", "Bytes of KV cache the local engine keeps for reuse."
    )
    held.add_metric([], cache.bytes)
    yield held
