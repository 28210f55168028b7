"""What a request cost: prices per token, kept in memory, and the sum over a record's tokens.

Prices come from, in order: the provider's per-model overrides (its settings, the config file or
``PATCH /api/settings/providers/{id}``); the operator's local price for the local engine and
local servers (Ollama, vLLM, …; free unless set); the catalogue of the ``genai-prices`` package,
matched by the provider's base URL (else its type) and the model name sent to it. Only the
package's bundled data is read: its ``UpdatePrices`` fetcher is never started, so prices change
with the package version, never at run time. A model none of them knows is "unpriced": its cost
is unknown (NULL), never 0.

A catalogue price is linear in each kind of token within a band of prompt sizes (tiered prices
apply one rate to every token once the prompt passes a threshold) and a period (dated prices,
DeepSeek's off-peak hours). So each (provider, model) pair is compiled once, by asking the
package the price of probe counts, into rates per token; a request's cost is then a dict lookup
and a few multiplications. The table is emptied when the provider directory changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from genai_prices import Usage, data_snapshot, types

from mlx_manager.observability.record import RequestRecord
from mlx_manager.observability.usage import TokenCounts
from mlx_manager.providers.catalogue import CATALOGUE, BackendType, ProviderGroup, spec_for
from mlx_manager.providers.directory import ProviderDirectory, ResolvedProvider
from mlx_manager.providers.schemas import ModelPrice
from mlx_manager.routing.rules import LOCAL

_MTOK = 1_000_000
# Output tokens in a probe (their number picks no band).
_PROBE = 1_000_000


class Priced(StrEnum):
    CATALOGUE = "catalogue"
    OVERRIDE = "override"
    LOCAL = "local"
    UNPRICED = "unpriced"


@dataclass(frozen=True, slots=True)
class Rates:
    """USD per token of each kind; the cache and reasoning kinds are parts of input and output."""

    input: float
    output: float
    cache_read: float
    cache_write: float
    reasoning: float
    # Charged once per request (a few providers have one).
    request: float = 0.0

    @classmethod
    def per_mtok(cls, price: ModelPrice) -> Rates:
        given = price.input_per_mtok
        return cls(
            input=given / _MTOK,
            output=price.output_per_mtok / _MTOK,
            cache_read=(
                price.cache_read_per_mtok if price.cache_read_per_mtok is not None else given
            )
            / _MTOK,
            cache_write=(
                price.cache_write_per_mtok if price.cache_write_per_mtok is not None else given
            )
            / _MTOK,
            reasoning=price.output_per_mtok / _MTOK,
        )

    def cost(self, tokens: TokenCounts) -> float:
        prompt = tokens.input_tokens or 0
        output = tokens.output_tokens or 0
        cached = tokens.cache_read_tokens
        written = tokens.cache_write_tokens
        reasoning = min(tokens.reasoning_tokens, output)
        uncached = max(prompt - cached - written, 0)
        return (
            uncached * self.input
            + cached * self.cache_read
            + written * self.cache_write
            + (output - reasoning) * self.output
            + reasoning * self.reasoning
            + self.request
        )


class _Constraint(Protocol):
    def active(self, request_timestamp: datetime) -> bool: ...


@dataclass(frozen=True, slots=True)
class _Period:
    # None: always (the package's undated price).
    constraint: _Constraint | None
    # (prompt tokens above which it applies, rates), lowest threshold first; the first is -1.
    bands: tuple[tuple[int, Rates], ...]


@dataclass(frozen=True, slots=True)
class Price:
    priced: Priced
    # Last first, as the package tries them; empty when unpriced.
    periods: tuple[_Period, ...] = ()

    def cost(self, tokens: TokenCounts, *, at: float) -> float | None:
        """The cost in USD of ``tokens`` at ``at`` (a ``time.time()``); None when unpriced."""
        periods = self.periods
        if not periods:
            return None
        period = periods[0]
        if len(periods) > 1:
            when = datetime.fromtimestamp(at, UTC)
            period = next(
                (p for p in periods if p.constraint is None or p.constraint.active(when)),
                periods[-1],
            )
        bands = period.bands
        rates = bands[0][1]
        if len(bands) > 1:
            prompt = tokens.input_tokens or 0
            for above, band in bands:
                if prompt > above:
                    rates = band
        return rates.cost(tokens)


def fixed(priced: Priced, rates: Rates) -> Price:
    return Price(priced, (_Period(None, ((-1, rates),)),))


UNPRICED = Price(Priced.UNPRICED)


class PriceTable:
    """Prices by (provider name, model), compiled on first use and kept until a provider
    changes; ``cost`` is what the recorder calls for every request."""

    def __init__(self, *, directory: ProviderDirectory, local: Rates) -> None:
        self._directory = directory
        self._local = fixed(Priced.LOCAL, local)
        self._version = -1
        self._prices: dict[tuple[str | None, str | None], Price] = {}

    def price(self, provider: str | None, model: str | None) -> Price:
        if self._directory.version != self._version:
            self._prices = {}
            self._version = self._directory.version
        key = (provider, model)
        price = self._prices.get(key)
        if price is None:
            price = self._prices[key] = self._compile(provider, model)
        return price

    def settle(self, record: RequestRecord) -> float | None:
        """The record's cost, worked out once: for a reply's header, else by the recorder. A
        request that used no tokens (it failed before any were counted) is not priced."""
        if record.priced is None:
            tokens = record.tokens
            if tokens.input_tokens is None and tokens.output_tokens is None:
                return None
            price = self.price(record.provider, record.model)
            record.priced = price.priced
            record.cost_usd = price.cost(tokens, at=record.created_at)
        return record.cost_usd

    def _compile(self, provider_name: str | None, model: str | None) -> Price:
        if provider_name is None or model is None:
            return UNPRICED
        if provider_name == LOCAL:
            return self._local
        provider = self._directory.by_name(provider_name)
        if provider is None:
            return UNPRICED
        override = provider.prices.get(model)
        if override is not None:
            return fixed(Priced.OVERRIDE, Rates.per_mtok(override))
        if spec_for(provider.backend_type).group is ProviderGroup.LOCAL_SERVER:
            return self._local
        return catalogue_price(provider, model)


def load_catalogue() -> None:
    """Read the package's bundled prices (about a second), at start-up rather than on the
    first request."""
    data_snapshot.get_snapshot()


def catalogue_price(provider: ResolvedProvider, model: str) -> Price:
    """The package's price of ``model`` at ``provider``, compiled into rates."""
    info = _find(provider, model)
    if info is None:
        return UNPRICED
    prices = info.prices
    if isinstance(prices, types.ModelPrice):
        periods = [_Period(None, _bands(prices))]
    else:
        # The package tries conditional prices last to first, and falls back to the first.
        periods = [_Period(c.constraint, _bands(c.prices)) for c in reversed(prices)]
        periods.append(_Period(None, periods[-1].bands))
    return Price(Priced.CATALOGUE, tuple(periods))


def _find(provider: ResolvedProvider, model: str) -> types.ModelInfo | None:
    snapshot = data_snapshot.get_snapshot()
    attempts: list[dict[str, str]] = [{"provider_api_url": provider.base_url}]
    if provider.backend_type not in _GENERIC:
        attempts.append(
            {"provider_id": _PROVIDER_IDS.get(provider.backend_type, provider.backend_type)}
        )
    for attempt in attempts:
        try:
            _, info = snapshot.find_provider_model(
                model,
                None,
                attempt.get("provider_id"),
                attempt.get("provider_api_url"),
            )
        except LookupError:
            continue
        return info
    return None


# Types whose base URL is the user's: only the URL can say whose prices apply.
_GENERIC = frozenset(s.backend_type for s in CATALOGUE if s.group is ProviderGroup.GENERIC)
# Where the package's provider id differs from ours.
_PROVIDER_IDS: dict[BackendType, str] = {
    BackendType.GEMINI: "google",
    BackendType.XAI: "x-ai",
    BackendType.AZURE_OPENAI: "azure",
    BackendType.MOONSHOT: "moonshotai",
    BackendType.ZHIPU: "zhipuai",
}


def _bands(prices: types.ModelPrice) -> tuple[tuple[int, Rates], ...]:
    thresholds = sorted(
        {
            tier.start
            for value in vars(prices).values()
            if isinstance(value, types.TieredPrices)
            for tier in value.tiers
        }
    )
    return ((-1, _rates(prices, 1)), *((start, _rates(prices, start + 1)) for start in thresholds))


def _rates(prices: types.ModelPrice, prompt: int) -> Rates:
    """The rates of a band, from the package's price of probes whose prompt is ``prompt``
    tokens (which picks the band): all plain, all cached, all written to the cache; then output
    and reasoning tokens on top."""

    def price(**usage: int) -> Decimal:
        return prices.calc_price(Usage(**usage))["total_price"]

    request = price(input_tokens=0, output_tokens=0)
    base = price(input_tokens=prompt, output_tokens=0)

    def per_prompt_token(**usage: int) -> float:
        return float((price(input_tokens=prompt, output_tokens=0, **usage) - request) / prompt)

    def per_output_token(**usage: int) -> float:
        return float((price(input_tokens=prompt, output_tokens=_PROBE, **usage) - base) / _PROBE)

    return Rates(
        input=float((base - request) / prompt),
        output=per_output_token(),
        cache_read=per_prompt_token(cache_read_tokens=prompt),
        cache_write=per_prompt_token(cache_write_tokens=prompt),
        reasoning=per_output_token(output_reasoning_tokens=_PROBE),
        request=float(request),
    )
