"""Prices compiled from genai-prices cost what the package itself says, token kind by kind;
overrides, the local price and unknown models take their place in the order documented."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest
from genai_prices import Usage, calc_price

from mlx_manager.observability.pricing import (
    UNPRICED,
    Priced,
    PriceTable,
    Rates,
    catalogue_price,
)
from mlx_manager.observability.record import RequestRecord
from mlx_manager.observability.usage import TokenCounts
from mlx_manager.protocols.table import ApiType
from mlx_manager.providers.catalogue import BackendType
from mlx_manager.providers.directory import ProviderDirectory, ResolvedProvider
from mlx_manager.providers.schemas import ModelPrice


def provider(
    backend_type: BackendType,
    base_url: str,
    *,
    name: str = "p",
    prices: dict[str, ModelPrice] | None = None,
    provider_id: int = 1,
) -> ResolvedProvider:
    return ResolvedProvider(
        id=provider_id,
        name=name,
        backend_type=backend_type,
        api_type=ApiType.OPENAI,
        base_url=base_url,
        has_key=True,
        key_unreadable=False,
        _api_key=None,
        prices=prices or {},
    )


OPENAI = (BackendType.OPENAI, "https://api.openai.com/v1")
ANTHROPIC = (BackendType.ANTHROPIC, "https://api.anthropic.com")
DEEPSEEK = (BackendType.DEEPSEEK, "https://api.deepseek.com")
GEMINI = (BackendType.GEMINI, "https://generativelanguage.googleapis.com/v1beta/openai")

# (provider, model, token mix); the cases cover cache reads and writes, reasoning tokens, a
# prompt past a tier's threshold (Claude's 200k) and a price that changes with the hour.
CASES: list[tuple[tuple[BackendType, str], str, dict[str, int]]] = [
    (OPENAI, "gpt-4o", {"input_tokens": 1200, "output_tokens": 300, "cache_read_tokens": 1000}),
    (OPENAI, "o3", {"input_tokens": 900, "output_tokens": 2000, "reasoning_tokens": 1500}),
    (
        ANTHROPIC,
        "claude-sonnet-4-5",
        {
            "input_tokens": 5000,
            "output_tokens": 700,
            "cache_read_tokens": 3000,
            "cache_write_tokens": 1500,
        },
    ),
    (
        ANTHROPIC,
        "claude-sonnet-4-5",
        {"input_tokens": 250_000, "output_tokens": 700, "cache_read_tokens": 20_000},
    ),
    (DEEPSEEK, "deepseek-chat", {"input_tokens": 4000, "output_tokens": 900}),
    (GEMINI, "gemini-2.5-pro", {"input_tokens": 210_000, "output_tokens": 100}),
]


def package_price(url: str, model: str, tokens: dict[str, int], when: datetime) -> float:
    usage = dict(tokens)
    if "reasoning_tokens" in usage:
        usage["output_reasoning_tokens"] = usage.pop("reasoning_tokens")
    result = calc_price(Usage(**usage), model, provider_api_url=url, genai_request_timestamp=when)
    return float(result.total_price)


@pytest.mark.parametrize(("where", "model", "tokens"), CASES)
@pytest.mark.parametrize("hour", [3, 20], ids=["03h", "20h"])
def test_a_compiled_price_costs_what_genai_prices_says(
    where: tuple[BackendType, str], model: str, tokens: dict[str, int], hour: int
) -> None:
    price = catalogue_price(provider(*where), model)
    assert price.priced is Priced.CATALOGUE
    when = datetime(2026, 6, 1, hour, 15, tzinfo=UTC)
    cost = price.cost(TokenCounts(**tokens), at=when.timestamp())
    assert cost == pytest.approx(package_price(where[1], model, tokens, when), rel=1e-9)


def test_the_cases_do_exercise_tiers_reasoning_and_hours() -> None:
    # Without these, the comparison above could pass on flat prices alone.
    claude = catalogue_price(provider(*ANTHROPIC), "claude-sonnet-4-5")
    assert len(claude.periods[0].bands) > 1
    o3 = catalogue_price(provider(*OPENAI), "o3").periods[0].bands[0][1]
    assert o3.reasoning > 0
    deepseek = catalogue_price(provider(*DEEPSEEK), "deepseek-chat")
    night, evening = (
        deepseek.cost(TokenCounts(input_tokens=1000, output_tokens=1000), at=t)
        for t in (
            datetime(2026, 6, 1, 3, tzinfo=UTC).timestamp(),
            datetime(2026, 6, 1, 20, tzinfo=UTC).timestamp(),
        )
    )
    assert night != evening


def table(*providers: ResolvedProvider, local: Rates | None = None) -> PriceTable:
    directory = ProviderDirectory()
    directory.replace_all(providers)
    return PriceTable(directory=directory, local=local or Rates(0, 0, 0, 0, 0))


def settle(prices: PriceTable, provider_name: str, model: str, **tokens: Any) -> RequestRecord:
    record = RequestRecord(provider=provider_name, model=model, created_at=time.time())
    record.tokens = TokenCounts(**tokens)
    prices.settle(record)
    return record


def test_an_override_replaces_the_catalogue_and_prices_cache_tokens_as_given() -> None:
    override = ModelPrice(
        input_per_mtok=2.0, output_per_mtok=8.0, cache_read_per_mtok=0.5, cache_write_per_mtok=3
    )
    prices = table(provider(*OPENAI, name="oa", prices={"gpt-4o": override}))
    record = settle(
        prices,
        "oa",
        "gpt-4o",
        input_tokens=1_000_000,
        output_tokens=500_000,
        cache_read_tokens=200_000,
        cache_write_tokens=100_000,
    )
    assert record.priced == "override"
    assert record.cost_usd == pytest.approx(0.7 * 2 + 0.2 * 0.5 + 0.1 * 3 + 0.5 * 8)
    # Other models of the provider keep the catalogue's price.
    assert settle(prices, "oa", "gpt-4o-mini", input_tokens=10, output_tokens=1).priced == (
        "catalogue"
    )


def test_cache_tokens_without_their_own_override_price_cost_the_input_price() -> None:
    override = ModelPrice(input_per_mtok=1.0, output_per_mtok=4.0)
    prices = table(provider(*OPENAI, name="oa", prices={"m": override}))
    record = settle(
        prices, "oa", "m", input_tokens=1_000_000, output_tokens=0, cache_read_tokens=400_000
    )
    assert record.cost_usd == pytest.approx(1.0)


def test_local_models_are_free_unless_the_operator_prices_them() -> None:
    free = settle(table(), "local", "qwen3-4b", input_tokens=1000, output_tokens=1000)
    assert (free.priced, free.cost_usd) == ("local", 0.0)
    priced = table(local=Rates.per_mtok(ModelPrice(input_per_mtok=0.1, output_per_mtok=0.3)))
    record = settle(priced, "local", "qwen3-4b", input_tokens=2_000_000, output_tokens=1_000_000)
    assert (record.priced, record.cost_usd) == ("local", pytest.approx(0.5))


def test_a_local_server_costs_the_local_price() -> None:
    ollama = provider(BackendType.OLLAMA, "http://127.0.0.1:11434/v1", name="ollama")
    record = settle(table(ollama), "ollama", "llama3.1", input_tokens=10, output_tokens=10)
    assert (record.priced, record.cost_usd) == ("local", 0.0)


@pytest.mark.parametrize(
    ("backend", "url", "model"),
    [
        # A model the catalogue does not list.
        (BackendType.OPENAI, "https://api.openai.com/v1", "my-fine-tune-xyz"),
        # A generic endpoint: only its URL could say whose prices apply.
        (BackendType.OPENAI_COMPATIBLE, "http://10.0.0.5:8000/v1", "gpt-4o"),
    ],
)
def test_a_model_no_price_covers_is_unpriced_not_free(
    backend: BackendType, url: str, model: str
) -> None:
    prices = table(provider(backend, url, name="p"))
    record = settle(prices, "p", model, input_tokens=100, output_tokens=100)
    assert (record.priced, record.cost_usd) == ("unpriced", None)


def test_a_generic_endpoint_at_a_known_address_takes_that_providers_prices() -> None:
    prices = table(provider(BackendType.OPENAI_COMPATIBLE, "https://api.groq.com/openai/v1"))
    record = settle(prices, "p", "llama-3.1-8b-instant", input_tokens=10**6, output_tokens=10**6)
    assert record.priced == "catalogue"
    assert record.cost_usd == pytest.approx(
        package_price(
            "https://api.groq.com/openai/v1",
            "llama-3.1-8b-instant",
            {"input_tokens": 10**6, "output_tokens": 10**6},
            datetime.now(UTC),
        )
    )


def test_a_request_that_used_no_tokens_is_not_priced() -> None:
    record = RequestRecord(provider="local", model="m")
    assert table().settle(record) is None
    assert record.priced is None


def test_the_table_follows_changes_to_the_directory() -> None:
    directory = ProviderDirectory()
    directory.replace_all([provider(*OPENAI, name="oa")])
    prices = PriceTable(directory=directory, local=Rates(0, 0, 0, 0, 0))
    assert prices.price("oa", "my-model") is UNPRICED
    directory.put(
        provider(
            *OPENAI,
            name="oa",
            prices={"my-model": ModelPrice(input_per_mtok=1, output_per_mtok=2)},
        )
    )
    assert prices.price("oa", "my-model").priced is Priced.OVERRIDE


def test_settling_twice_prices_once() -> None:
    prices = table(local=Rates.per_mtok(ModelPrice(input_per_mtok=1, output_per_mtok=1)))
    record = settle(prices, "local", "m", input_tokens=1_000_000, output_tokens=1_000_000)
    record.tokens.output_tokens = 10**9
    assert prices.settle(record) == pytest.approx(2.0)
