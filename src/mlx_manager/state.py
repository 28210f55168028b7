"""What the lifespan builds once and every request shares."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from mlx_manager.accounts.service import AccountService
from mlx_manager.api.client_address import ClientAddresses
from mlx_manager.api.inference.chat_service import ChatService
from mlx_manager.backends.http.clients import ProviderClients
from mlx_manager.backends.http.model_list import ProviderModelLists
from mlx_manager.backends.mlx import MLXBackend
from mlx_manager.backends.mlx.download import ModelDownloads
from mlx_manager.gateway_keys.limiter import RateLimiter
from mlx_manager.gateway_keys.service import GatewayKeyService
from mlx_manager.observability.recorder import Observer
from mlx_manager.providers.service import ProviderService
from mlx_manager.routing.failover import RetryPolicy
from mlx_manager.routing.health import RetryBudget, TargetHealth
from mlx_manager.routing.router import Router
from mlx_manager.routing.service import RuleService
from mlx_manager.settings import Settings


@dataclass(slots=True)
class AppState:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    # For management calls (connection tests); provider traffic uses ``clients``.
    http: httpx.AsyncClient
    providers: ProviderService
    # The gateway calls ``router.plan_route(model)``; ``rules`` is the settings API's service.
    router: Router
    rules: RuleService
    admin_token: str
    clients: ProviderClients
    model_lists: ProviderModelLists
    health: TargetHealth
    retry_budget: RetryBudget
    retry_policy: RetryPolicy
    local: MLXBackend
    # Model downloads from the Hugging Face Hub, and the stored Hub token.
    downloads: ModelDownloads
    chat: ChatService
    # Start-up work that runs on after start-up (preloading pinned models); cancelled at exit.
    background: set[asyncio.Task[None]]
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
