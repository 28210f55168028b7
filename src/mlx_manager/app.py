"""``create_app(settings)``: the FastAPI application and the lifespan that builds its parts."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import timedelta
from typing import TYPE_CHECKING

import anyio
import httpx
from fastapi import FastAPI
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mlx_manager import __version__
from mlx_manager.accounts.passwords import Passwords
from mlx_manager.accounts.service import AccountService
from mlx_manager.accounts.tokens import SessionTokens
from mlx_manager.api import health as health_api
from mlx_manager.api import metrics as metrics_api
from mlx_manager.api.admin import admin_token as admin_token_api
from mlx_manager.api.admin import auth as auth_api
from mlx_manager.api.admin import config as config_api
from mlx_manager.api.admin import keys as keys_api
from mlx_manager.api.admin import logs as logs_api
from mlx_manager.api.admin import models as local_models_api
from mlx_manager.api.admin import provider_models as provider_models_api
from mlx_manager.api.admin import providers as providers_api
from mlx_manager.api.admin import rules as rules_api
from mlx_manager.api.admin import users as users_api
from mlx_manager.api.auth import load_or_create_admin_token
from mlx_manager.api.browser_boundary import BrowserBoundary
from mlx_manager.api.client_address import ClientAddresses
from mlx_manager.api.errors import DatabaseOutage, install_admin_error_handlers
from mlx_manager.api.gateway_app import GatewayApp
from mlx_manager.api.inference import chat as chat_api
from mlx_manager.api.inference import count_tokens as count_tokens_api
from mlx_manager.api.inference import embeddings as embeddings_api
from mlx_manager.api.inference import models as models_api
from mlx_manager.api.inference.access import install_refusal_handler
from mlx_manager.api.inference.chat import chat_endpoint
from mlx_manager.api.inference.surface import install_unknown_path_handler
from mlx_manager.api.limits import BodySizeLimit
from mlx_manager.api.request_id import RequestIdMiddleware
from mlx_manager.api.state import AppState
from mlx_manager.backends.http.clients import ProviderClients
from mlx_manager.backends.http.model_list import ProviderModelLists
from mlx_manager.backends.http.timeouts import UpstreamTimeouts
from mlx_manager.backends.http.token_estimate import TokenEstimator
from mlx_manager.backends.mlx import EngineConfig, MLXBackend
from mlx_manager.backends.mlx.download import ModelDownloads
from mlx_manager.backends.mlx.hub_token import HubTokenStore
from mlx_manager.cluster.topics import Topic
from mlx_manager.config_file import apply_config_file, load_config_file
from mlx_manager.errors import GatewayError
from mlx_manager.gateway.service import Gateway
from mlx_manager.gateway.stored_responses import ResponseStore
from mlx_manager.gateway.token_count import TokenCounter
from mlx_manager.gateway_keys.limiter import RateLimiter, SlidingWindowLimiter
from mlx_manager.gateway_keys.service import GatewayKeyService
from mlx_manager.gc_tuning import settle_heap
from mlx_manager.observability.recorder import RequestRecorder, start_observer
from mlx_manager.providers.directory import ProviderDirectory
from mlx_manager.providers.secrets import KeyCipher, load_or_create_secret
from mlx_manager.providers.service import ProviderService
from mlx_manager.routing.failover import RetryPolicy
from mlx_manager.routing.health import HealthPolicy, RetryBudget, TargetHealth
from mlx_manager.routing.router import Router
from mlx_manager.routing.service import RuleService
from mlx_manager.settings import Settings
from mlx_manager.storage.database import create_engine, session_factory
from mlx_manager.storage.migrate import upgrade_to_head
from mlx_manager.web.static_files import STATIC_DIR, mount_web

if TYPE_CHECKING:
    from mlx_manager.cluster.shared_mode import SharedMode

log = logging.getLogger("mlx_manager")


def create_app(settings: Settings, *, serving: bool = False) -> FastAPI:
    """``serving``: this process serves the app until it exits (``mlx-manager serve``), so the
    garbage collector is tuned for it once started; tests and one-off runs leave it alone."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Every part registers its own clean-up as it is built, so a start-up that fails half
        # way (a bad config file, an unreachable database) still closes what it opened.
        async with AsyncExitStack() as stack:
            app.state.mm = await _start(settings, stack)
            if serving:
                settle_heap()
            yield

    app = GatewayApp(title="MLX Manager", version=__version__, lifespan=lifespan)
    install_admin_error_handlers(app)
    install_refusal_handler(app)
    app.include_router(auth_api.router)
    app.include_router(admin_token_api.router)
    app.include_router(users_api.router)
    app.include_router(keys_api.router)
    app.include_router(providers_api.router)
    app.include_router(provider_models_api.router)
    app.include_router(rules_api.router)
    app.include_router(config_api.router)
    app.include_router(local_models_api.router)
    v1 = (chat_api.router, count_tokens_api.router, models_api.router, embeddings_api.router)
    for v1_router in v1:
        app.include_router(v1_router)
    app.include_router(logs_api.router)
    app.include_router(health_api.router)
    app.include_router(metrics_api.router)
    # Innermost first: each added middleware wraps the ones before it.
    app.add_middleware(DatabaseOutage)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(BrowserBoundary, settings=settings)
    # Outside the size limit and the browser boundary, so refused requests are recorded too.
    app.add_middleware(RequestRecorder)
    app.add_middleware(RequestIdMiddleware)
    # The chat endpoints: the same middleware, in the same order, without FastAPI's layers;
    # chat_endpoint answers database trouble itself (its one database call is a session check).
    app.chat_lane = RequestIdMiddleware(
        RequestRecorder(
            BrowserBoundary(
                BodySizeLimit(chat_endpoint, max_bytes=settings.max_body_bytes),
                settings=settings,
            )
        )
    )

    install_unknown_path_handler(app, v1)
    # Last, so the UI's fallback never shadows an API route.
    mount_web(app, STATIC_DIR)
    return app


def app_from_environment() -> FastAPI:
    """The app with settings from ``MLX_MANAGER_*`` only: the factory worker processes import
    (``uvicorn --factory mlx_manager.app:app_from_environment``)."""
    return create_app(Settings(), serving=True)


def health_policy(settings: Settings) -> HealthPolicy:
    return HealthPolicy(
        window=settings.health_window,
        min_requests=settings.health_min_requests,
        failure_rate=settings.health_failure_rate,
        cooldown_base=settings.health_cooldown_base,
        cooldown_max=settings.health_cooldown_max,
        rate_limit_max=settings.rate_limit_backoff_max,
    )


async def _start(settings: Settings, stack: AsyncExitStack) -> AppState:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    url = settings.resolved_database_url()
    await anyio.to_thread.run_sync(upgrade_to_head, url)
    engine = create_engine(url, timeout=settings.database_timeout)
    stack.push_async_callback(engine.dispose)
    sessions = session_factory(engine)
    secret = load_or_create_secret(
        settings.data_dir, settings.secret_key.get_secret_value() if settings.secret_key else None
    )
    admin_token, generated = load_or_create_admin_token(
        settings.data_dir,
        settings.admin_token.get_secret_value() if settings.admin_token else None,
    )
    if generated:
        _announce_token(settings, admin_token)
    http = await stack.enter_async_context(httpx.AsyncClient(follow_redirects=False))
    # Several replicas: changes, limits and target health shared through Redis.
    shared: SharedMode | None = None
    if settings.redis_url:
        # Imported only in shared mode: redis-py adds a quarter second to start-up.
        from mlx_manager.cluster.shared_mode import start_shared_mode

        shared = await start_shared_mode(settings, stack, health_policy=health_policy(settings))
    providers = ProviderService(
        sessions=sessions,
        cipher=KeyCipher(secret),
        directory=ProviderDirectory(),
        http=http,
        test_timeout=settings.provider_test_timeout,
        on_change=_on_change(shared, Topic.PROVIDERS),
        allow_link_local=settings.allow_link_local_upstreams,
    )
    await providers.load()
    local = MLXBackend(_engine_config(settings))
    stack.push_async_callback(local.aclose)
    downloads = ModelDownloads(
        data_dir=settings.data_dir,
        catalog=local.catalog,
        tokens=HubTokenStore(settings.data_dir, KeyCipher(secret)),
    )
    stack.push_async_callback(downloads.aclose)
    # Downloads cut short by the last stop go on in the background.
    downloads.resume()
    router = Router(
        directory=providers.directory,
        local_models=lambda: [m.name for m in local.list_models()],
        timeouts=UpstreamTimeouts(
            connect=settings.upstream_connect_timeout,
            first_byte=settings.upstream_first_byte_timeout,
            idle=settings.upstream_idle_timeout,
        ),
    )
    health = shared.health if shared is not None else TargetHealth(health_policy(settings))
    rules = RuleService(
        sessions=sessions, router=router, health=health, on_change=_on_change(shared, Topic.RULES)
    )
    await rules.load()
    if settings.config is not None:
        config = load_config_file(settings.config)
        await apply_config_file(config, providers=providers, rules=rules)
    clients = ProviderClients()
    stack.push_async_callback(clients.aclose)
    # Closed before the clients: a list still being fetched is cancelled, not cut off.
    model_lists = ProviderModelLists(clients)
    stack.push_async_callback(model_lists.aclose)
    retry_budget = RetryBudget(
        ratio=settings.retry_budget_ratio, min_per_second=settings.retry_budget_min_per_second
    )
    retry_policy = RetryPolicy(
        retries_per_target=settings.retries_per_target,
        backoff_base=settings.retry_backoff_base,
        backoff_cap=settings.retry_backoff_cap,
    )
    # Preloading must not delay start-up; a pinned model that fails to load is logged.
    tasks = {
        asyncio.create_task(_preload(local, name), name=f"preload {name}")
        for name in settings.local_pinned
    }
    stack.callback(lambda: [task.cancel() for task in tasks])
    limiter: RateLimiter = shared.limiter if shared is not None else SlidingWindowLimiter()
    keys = await _gateway_keys(
        settings, sessions, limiter, stack, on_change=_on_change(shared, Topic.KEYS)
    )
    # One tiktoken encoding, for count_tokens and for replies that come without usage.
    estimator = TokenEstimator()
    observer = start_observer(
        settings=settings,
        engine=engine,
        sessions=sessions,
        health=health,
        engine_status=local.status,
        directory=providers.directory,
        estimator=estimator,
    )
    # Runs before the engine is disposed: the request log's last rows are written first.
    stack.push_async_callback(observer.aclose)
    responses = ResponseStore(sessions, retention_days=settings.request_log_retention_days)
    # The same: responses still being written are written before the engine goes.
    stack.push_async_callback(responses.aclose)
    if shared is not None:
        shared.watch(providers=providers.load, rules=rules.load, keys=keys.load)
        observer.metrics.registry.register(shared.collector())
    return AppState(
        settings=settings,
        engine=engine,
        sessions=sessions,
        providers=providers,
        router=router,
        rules=rules,
        admin_token=admin_token,
        model_lists=model_lists,
        local=local,
        gateway=Gateway(
            router=router,
            clients=clients,
            local=local,
            health=health,
            budget=retry_budget,
            policy=retry_policy,
            default_max_tokens=settings.default_max_tokens,
        ),
        responses=responses,
        token_counter=TokenCounter(
            router=router, clients=clients, local=local, estimator=estimator
        ),
        downloads=downloads,
        accounts=AccountService(
            sessions=sessions,
            tokens=SessionTokens(secret),
            passwords=Passwords(),
            session_ttl=timedelta(minutes=settings.session_ttl_minutes),
        ),
        keys=keys,
        open_without_keys=settings.loopback_only or settings.allow_open,
        limiter=limiter,
        client_addresses=ClientAddresses(settings.trusted_proxies),
        observer=observer,
    )


async def _gateway_keys(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    limiter: RateLimiter,
    stack: AsyncExitStack,
    *,
    on_change: Callable[[], None] | None,
) -> GatewayKeyService:
    """The key table in memory, kept in step with storage by a background task."""
    keys = GatewayKeyService(sessions=sessions, limiter=limiter, on_change=on_change)
    await keys.load()
    sync = asyncio.create_task(
        keys.sync_forever(settings.key_sync_interval), name="gateway key sync"
    )

    async def stop() -> None:
        sync.cancel()
        # The last batch of last-used times; the database may be gone by now.
        with contextlib.suppress(SQLAlchemyError):
            await keys.flush()

    stack.push_async_callback(stop)
    return keys


def _on_change(shared: SharedMode | None, topic: Topic) -> Callable[[], None] | None:
    return shared.feed.hook(topic) if shared is not None else None


def _engine_config(settings: Settings) -> EngineConfig:
    config = EngineConfig(
        data_dir=settings.data_dir,
        hf_cache=settings.hf_cache,
        max_loaded_models=settings.local_max_models,
        default_max_tokens=settings.default_max_tokens,
        prompt_cache_bytes=settings.prompt_cache_bytes,
    )
    limit = settings.local_max_memory_gb
    if limit is None:
        return config
    return dataclasses.replace(config, max_memory_bytes=int(limit * 1024**3))


async def _preload(local: MLXBackend, name: str) -> None:
    try:
        await local.load(name, pin=True)
    except GatewayError as exc:
        log.warning("Pinned model '%s' was not preloaded: %s", name, exc.message)


def _announce_token(settings: Settings, token: str) -> None:
    # Printed once, like Jupyter's token: it is the only way in until the user sets their own.
    print(
        "\nMLX Manager admin token (shown once; stored in the data dir):\n"
        f"    {token}\n"
        f"Open http://{settings.host}:{settings.port}/ and sign in with it.\n",
        file=sys.stderr,
        flush=True,
    )
