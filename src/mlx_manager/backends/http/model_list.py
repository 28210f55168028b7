"""Which models each provider offers, from its models list, cached off the request path.

A list is fetched when first asked for and kept five minutes (thirty seconds after a failure, so
a provider that comes back is seen soon); ``get(refresh=True)`` fetches it again at once. The
``/v1`` listing never waits for a refresh: a stale list is served while the next one is fetched
in the background, and a list never fetched yet is waited for a moment at most. Chats never read
it. Concurrent askers share one fetch per provider.

A provider without a models list is reported as such (``UNLISTED``), never asked. One that
cannot be asked or fails to answer is ``UNAVAILABLE`` with the reason, keeping the names it
listed last, so a caller can tell "down" from "lists nothing".

Context length and price come only from what the upstream's entries say, in the fields these
lists use: ``context_length`` (OpenRouter, Together), ``context_window`` (Groq),
``max_context_length`` (Mistral), ``max_model_len`` (vLLM); ``pricing.prompt`` and
``pricing.completion`` in USD per token (OpenRouter), ``pricing.input`` and ``pricing.output``
in USD per million tokens (Together). Prices are kept in USD per million tokens.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import orjson
from yarl import URL

from mlx_manager.backends.http.clients import ProviderClient, ProviderClients
from mlx_manager.backends.http.timeouts import UpstreamTimeouts
from mlx_manager.errors import GatewayError, InvalidUpstreamReply
from mlx_manager.protocols.table import ApiType
from mlx_manager.providers.catalogue import spec_for
from mlx_manager.providers.directory import ResolvedProvider

LIST_PATH = "/v1/models"
TTL_SECONDS = 300.0
FAILED_TTL_SECONDS = 30.0
FETCH_TIMEOUT = UpstreamTimeouts(connect=5.0, first_byte=5.0)
# Anthropic's list comes in pages (``has_more``, ``after_id``); this many at most are read.
MAX_PAGES = 20
ANTHROPIC_PAGE_SIZE = 1000
PER_MILLION = 1_000_000
_CONTEXT_FIELDS = ("context_length", "context_window", "max_context_length", "max_model_len")


class ListStatus(StrEnum):
    OK = "ok"
    UNLISTED = "unlisted"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True, slots=True)
class Price:
    """USD per million tokens."""

    input: float
    output: float


@dataclass(frozen=True, slots=True)
class ListedModel:
    id: str
    display_name: str | None = None
    # Unix seconds, when the upstream says.
    created: int | None = None
    context_length: int | None = None
    price: Price | None = None


@dataclass(frozen=True, slots=True)
class ModelList:
    status: ListStatus
    models: tuple[ListedModel, ...] = ()
    # Why the list is unlisted or unavailable, in words fit for the UI (upstream text redacted).
    error: str | None = None
    # Wall-clock time of the fetch this comes from.
    fetched_at: float | None = None


@dataclass(frozen=True, slots=True)
class _Entry:
    provider: ResolvedProvider
    listing: ModelList
    at: float


class _NoList(Exception):
    """The provider answered that it has no models list (404, 405)."""


class ProviderModelLists:
    def __init__(
        self,
        clients: ProviderClients,
        *,
        ttl: float = TTL_SECONDS,
        failed_ttl: float = FAILED_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._clients = clients
        self._ttl = ttl
        self._failed_ttl = failed_ttl
        self._clock = clock
        self._entries: dict[int, _Entry] = {}
        self._fetching: dict[int, tuple[ResolvedProvider, asyncio.Task[ModelList]]] = {}

    async def get(self, provider: ResolvedProvider, *, refresh: bool = False) -> ModelList:
        """``provider``'s list, fetched first when it is stale, missing or ``refresh`` asks (a
        fetch under way is as fresh as a new one, and is shared)."""
        entry = self._entry_of(provider)
        if entry is not None and not refresh and self._fresh(entry):
            return entry.listing
        # Shielded: a fetch outlives an asker who hangs up, for the next one.
        return await asyncio.shield(self._fetch_in_background(provider))

    async def current(
        self,
        providers: Iterable[ResolvedProvider],
        *,
        wait: float,
    ) -> dict[int, ModelList]:
        """The lists there are, by provider id, without waiting on a refresh: stale ones are
        served and fetched again behind; a list never fetched is waited for up to ``wait``
        seconds, and left out if it takes longer."""
        found: dict[int, ModelList] = {}
        cold: dict[int, asyncio.Task[ModelList]] = {}
        for provider in providers:
            entry = self._entry_of(provider)
            if entry is None:
                cold[provider.id] = self._fetch_in_background(provider)
                continue
            found[provider.id] = entry.listing
            if not self._fresh(entry):
                self._fetch_in_background(provider)
        if cold:
            await asyncio.wait(list(cold.values()), timeout=wait)
        for provider_id, task in cold.items():
            if task.done() and not task.cancelled():
                found[provider_id] = task.result()
        return found

    def cached(self, provider: ResolvedProvider) -> ModelList | None:
        """The list kept for ``provider`` as it is now, fresh or not, without fetching."""
        entry = self._entry_of(provider)
        return entry.listing if entry is not None else None

    async def aclose(self) -> None:
        tasks = [task for _, task in self._fetching.values()]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._fetching.clear()

    def _entry_of(self, provider: ResolvedProvider) -> _Entry | None:
        # A changed credential (key, URL, protocol) is another list.
        entry = self._entries.get(provider.id)
        return entry if entry is not None and entry.provider == provider else None

    def _fresh(self, entry: _Entry) -> bool:
        ttl = self._failed_ttl if entry.listing.status is ListStatus.UNAVAILABLE else self._ttl
        return self._clock() - entry.at < ttl

    def retain(self, provider_ids: Iterable[int]) -> None:
        """Forget the lists of providers other than these (the directory's, when it changed):
        a deleted credential's list, and its key, are not kept."""
        kept = set(provider_ids)
        for provider_id in [i for i in self._entries if i not in kept]:
            del self._entries[provider_id]

    def _fetch_in_background(self, provider: ResolvedProvider) -> asyncio.Task[ModelList]:
        running = self._fetching.get(provider.id)
        if running is not None and running[0] == provider:
            return running[1]
        # A fetch for the credential as it was goes on for whoever awaits it, but keeps nothing.
        task = asyncio.get_running_loop().create_task(
            self._fetch_and_keep(provider), name=f"models of {provider.name}"
        )
        self._fetching[provider.id] = (provider, task)
        return task

    async def _fetch_and_keep(self, provider: ResolvedProvider) -> ModelList:
        previous = self._entry_of(provider)
        try:
            listing = await self._fetch(provider, previous.listing if previous else None)
        finally:
            running = self._fetching.get(provider.id)
            latest = running is not None and running[1] is asyncio.current_task()
            if latest:
                del self._fetching[provider.id]
        if latest:
            self._entries[provider.id] = _Entry(provider, listing, self._clock())
        return listing

    async def _fetch(self, provider: ResolvedProvider, previous: ModelList | None) -> ModelList:
        fetched_at = time.time()
        # The credential's own protocol decides: DeepSeek lists models for OpenAI's, not for
        # Anthropic's; Azure's list names base models, not the deployments targets name.
        if not provider.endpoint.models_list:
            label = spec_for(provider.backend_type).label
            return ModelList(
                ListStatus.UNLISTED,
                error=f"{label} has no models list to offer over {provider.api_type}: type the"
                " model name.",
                fetched_at=fetched_at,
            )
        try:
            models = await _read_list(self._clients.get(provider))
        except _NoList as exc:
            return ModelList(ListStatus.UNLISTED, error=str(exc), fetched_at=fetched_at)
        except GatewayError as exc:
            return ModelList(
                ListStatus.UNAVAILABLE,
                models=previous.models if previous is not None else (),
                error=exc.message,
                fetched_at=fetched_at,
            )
        return ModelList(ListStatus.OK, models=models, fetched_at=fetched_at)


async def _read_list(client: ProviderClient) -> tuple[ListedModel, ...]:
    """Every entry of the provider's list, page after page; raises a ``GatewayError`` (redacted)
    when it cannot be read, ``_NoList`` when there is none."""
    base = client.url(LIST_PATH)
    paged = client.provider.api_type is ApiType.ANTHROPIC
    query = {"limit": str(ANTHROPIC_PAGE_SIZE)} if paged else {}
    models: dict[str, ListedModel] = {}
    for _ in range(MAX_PAGES):
        document = await _get_json(client, base.update_query(query) if paged else base)
        for model in _entries_of(document):
            models.setdefault(model.id, model)
        next_after = _next_page(document)
        if next_after is None or not paged:
            break
        query = {**query, "after_id": next_after}
    return tuple(sorted(models.values(), key=lambda m: m.id))


async def _get_json(client: ProviderClient, url: URL) -> object:
    name = client.name
    with client.errors:
        response = await client.transport.request(
            "GET", url, body=None, headers=client.headers, timeouts=FETCH_TIMEOUT
        )
        try:
            body = await response.read()
        finally:
            response.release()
    if response.status in (404, 405):
        raise _NoList(
            f"Provider '{name}' answered {response.status} to GET {LIST_PATH}: it has no models"
            " list there."
        )
    if response.status >= 300:
        raise client.errors.from_status(response.status, response.headers, body)
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        raise InvalidUpstreamReply(
            f"Provider '{name}' answered a models list that is not JSON.", provider=name
        ) from None


def _next_page(document: object) -> str | None:
    if not isinstance(document, dict) or document.get("has_more") is not True:
        return None
    last = document.get("last_id")
    return last if isinstance(last, str) and last else None


def _entries_of(document: object) -> list[ListedModel]:
    # OpenAI's and Anthropic's lists hold their entries in ``data``; Together's is a bare array.
    items = document.get("data") if isinstance(document, dict) else document
    if not isinstance(items, list):
        return []
    return [model for item in items if (model := _model_of(item)) is not None]


def _model_of(item: object) -> ListedModel | None:
    if not isinstance(item, dict):
        return None
    model_id = item.get("id")
    if not isinstance(model_id, str) or not model_id:
        return None
    return ListedModel(
        id=model_id,
        display_name=_text(item.get("display_name")) or _text(item.get("name")),
        created=_created(item),
        context_length=next(
            (n for field in _CONTEXT_FIELDS if (n := _count(item.get(field))) is not None), None
        ),
        price=_price(item.get("pricing")),
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _created(item: dict[str, object]) -> int | None:
    created = _count(item.get("created"))
    if created is not None:
        return created
    stamp = item.get("created_at")
    if isinstance(stamp, str):
        with contextlib.suppress(ValueError):
            return int(datetime.fromisoformat(stamp).timestamp())
    return None


def _price(pricing: object) -> Price | None:
    if not isinstance(pricing, dict):
        return None
    per_token = _amounts(pricing.get("prompt"), pricing.get("completion"))
    if per_token is not None:
        return Price(*(round(amount * PER_MILLION, 6) for amount in per_token))
    per_million = _amounts(pricing.get("input"), pricing.get("output"))
    return Price(*per_million) if per_million is not None else None


def _amounts(first: object, second: object) -> tuple[float, float] | None:
    """Two prices, given as numbers or decimal strings; None unless both are (OpenRouter marks
    a variable price with -1)."""
    amounts = []
    for value in (first, second):
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            return None
        try:
            amount = float(value)
        except ValueError:
            return None
        if not amount >= 0:  # negative, or NaN
            return None
        amounts.append(amount)
    return amounts[0], amounts[1]
