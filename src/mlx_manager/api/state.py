"""What the lifespan builds once and every request to the HTTP API shares."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from mlx_manager.accounts.service import AccountService
from mlx_manager.api.client_address import ClientAddresses
from mlx_manager.backends.http.model_list import ProviderModelLists
from mlx_manager.backends.mlx import MLXBackend
from mlx_manager.backends.mlx.download import ModelDownloads
from mlx_manager.gateway.service import Gateway
from mlx_manager.gateway.stored_responses import ResponseStore
from mlx_manager.gateway.token_count import TokenCounter
from mlx_manager.gateway_keys.limiter import RateLimiter
from mlx_manager.gateway_keys.service import GatewayKeyService
from mlx_manager.observability.recorder import Observer
from mlx_manager.providers.service import ProviderService
from mlx_manager.routing.router import Router
from mlx_manager.routing.service import RuleService
from mlx_manager.settings import Settings


@dataclass(slots=True)
class AppState:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    providers: ProviderService
    # The live rules (the gateway plans routes with them); ``rules`` is the settings API's service.
    router: Router
    rules: RuleService
    admin_token: str
    model_lists: ProviderModelLists
    local: MLXBackend
    # Model downloads from the Hugging Face Hub, and the stored Hub token.
    downloads: ModelDownloads
    # Serves /v1: routes, fails over, and hands back what the endpoints encode.
    gateway: Gateway
    # The Responses API's stored responses.
    responses: ResponseStore
    # Serves /v1/messages/count_tokens by the same routes.
    token_counter: TokenCounter
    # Who may call: accounts and sessions for /api, gateway keys for /v1.
    accounts: AccountService
    keys: GatewayKeyService
    # /v1 serves anyone while no gateway key exists: on a loopback host, or with ``allow_open``.
    open_without_keys: bool
    # Gateway keys' per-minute limits and failed sign-ins per client address.
    limiter: RateLimiter
    client_addresses: ClientAddresses
    # Metrics, the request log and readiness (``observability``).
    observer: Observer
