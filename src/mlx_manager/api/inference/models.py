"""``GET /v1/models`` and ``GET /v1/models/{id}``: every model name a client can use.

Rule aliases, local models, and ``provider-name/model`` for what each provider lists (those that
``MLX_MANAGER_LIST_PROVIDER_MODELS`` names; every one by default), with the context length and
price where the provider's list gives them. Only the names the caller's key may use, when its
key limits the models.

An Anthropic client (one sending ``anthropic-version``, see ``surface.py``) gets Anthropic's
shapes: ``{"type": "model", "id", "display_name", "created_at"}`` entries in pages of ``limit``
(20 by default) with ``has_more``, ``first_id`` and ``last_id``, paged by ``after_id`` or
``before_id``. Everyone else gets OpenAI's. Provider lists come from ``ProviderModelLists``: never
fetched for a chat, and here waited for only when never fetched yet, and briefly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import QueryParams
from starlette.responses import Response

from mlx_manager.api.deps import StateDep
from mlx_manager.api.inference.access import Caller, admit
from mlx_manager.api.inference.replies import error_response
from mlx_manager.api.inference.surface import caller_protocol
from mlx_manager.api.json_reply import JSONReply
from mlx_manager.api.state import AppState
from mlx_manager.backends.http.model_list import ListedModel, ListStatus, ModelList
from mlx_manager.errors import InvalidRequest, ModelNotFound
from mlx_manager.protocols.table import ANTHROPIC, WireProtocol
from mlx_manager.routing.router import RouteSource

router = APIRouter(prefix="/v1", tags=["inference"])

# How long the listing waits for a provider's list that was never fetched (one just added).
FIRST_LIST_WAIT = 2.0
ANTHROPIC_PAGE = 20
ANTHROPIC_MAX_PAGE = 1000
PRICE_UNIT = "USD per million tokens"


@dataclass(frozen=True, slots=True)
class Asker:
    protocol: WireProtocol
    caller: Caller


async def _asker(request: Request, state: StateDep) -> Asker:
    protocol = caller_protocol(request.url.path, request.headers)
    return Asker(protocol, await admit(protocol, request, state))


AskerDep = Annotated[Asker, Depends(_asker)]


@dataclass(frozen=True, slots=True)
class _Model:
    id: str
    owner: str
    listed: ListedModel | None = None


@router.get("/models", summary="Model list (OpenAI's shape; Anthropic's for Anthropic clients)")
async def list_models(request: Request, state: StateDep, asker: AskerDep) -> Response:
    models, _ = await _models(state, asker.caller)
    if asker.protocol is not ANTHROPIC:
        return JSONReply({"object": "list", "data": [_openai(m) for m in models]})
    try:
        return JSONReply(_anthropic_page(models, request.query_params))
    except InvalidRequest as exc:
        return error_response(asker.protocol, exc)


@router.get("/models/{model_id:path}", summary="One model (OpenAI's or Anthropic's shape)")
async def retrieve_model(model_id: str, state: StateDep, asker: AskerDep) -> Response:
    """A listed model, or a name the gateway routes (a rule matches it, or a provider's prefix
    whose list does not say otherwise); else a 404 in the caller's shape."""
    models, lists = await _models(state, asker.caller)
    found = next((m for m in models if m.id == model_id), None)
    if found is None and asker.caller.allows_model(model_id):
        found = _routed(state, model_id, lists)
    if found is None:
        return error_response(
            asker.protocol,
            ModelNotFound(
                f"The model '{model_id}' does not exist, or this caller may not use it;"
                " GET /v1/models lists the models there are.",
                param="model",
            ),
        )
    return JSONReply(_anthropic(found) if asker.protocol is ANTHROPIC else _openai(found))


async def _models(state: AppState, caller: Caller) -> tuple[list[_Model], dict[int, ModelList]]:
    """Every model name the caller may use, first of equal names winning, and the provider
    lists they came from."""
    models = [_Model(alias, "mlx-manager") for alias in state.router.aliases()]
    models += [_Model(name, "local") for name in sorted(state.router.local_models())]
    settings = state.settings
    everyone = state.providers.directory.all()
    state.model_lists.retain(p.id for p in everyone)
    providers = sorted(
        (p for p in everyone if settings.lists_models_of(p.name)), key=lambda p: p.name
    )
    lists = await state.model_lists.current(providers, wait=FIRST_LIST_WAIT) if providers else {}
    for provider in providers:
        listing = lists.get(provider.id)
        if listing is not None:
            models += [_Model(f"{provider.name}/{m.id}", provider.name, m) for m in listing.models]
    unique: dict[str, _Model] = {}
    for model in models:
        if caller.allows_model(model.id):
            unique.setdefault(model.id, model)
    return list(unique.values()), lists


def _routed(state: AppState, name: str, lists: dict[int, ModelList]) -> _Model | None:
    try:
        explanation = state.router.explain(name)
    except ModelNotFound:
        return None
    if explanation.source is RouteSource.LOCAL:
        return _Model(name, "local")
    if explanation.source is not RouteSource.PROVIDER_PREFIX:
        return _Model(name, "mlx-manager")
    candidate = explanation.candidates[0]
    provider = candidate.provider
    assert provider is not None  # a prefix names a provider
    listing = lists.get(provider.id) or state.model_lists.cached(provider)
    if listing is None or listing.status is not ListStatus.OK:
        return _Model(name, provider.name)
    listed = next((m for m in listing.models if m.id == candidate.model), None)
    return _Model(name, provider.name, listed) if listed is not None else None


def _facts(listed: ListedModel | None) -> dict[str, object]:
    """What the provider's list said beyond the name."""
    if listed is None:
        return {}
    facts: dict[str, object] = {}
    if listed.context_length is not None:
        facts["context_length"] = listed.context_length
    if listed.price is not None:
        facts["pricing"] = {
            "input": listed.price.input,
            "output": listed.price.output,
            "unit": PRICE_UNIT,
        }
    return facts


def _created(model: _Model) -> int:
    return (model.listed.created or 0) if model.listed is not None else 0


def _openai(model: _Model) -> dict[str, object]:
    return {
        "id": model.id,
        "object": "model",
        "created": _created(model),
        "owned_by": model.owner,
        **_facts(model.listed),
    }


def _anthropic(model: _Model) -> dict[str, object]:
    listed = model.listed
    created = datetime.fromtimestamp(_created(model), UTC)
    return {
        "type": "model",
        "id": model.id,
        "display_name": (listed.display_name if listed is not None else None) or model.id,
        "created_at": created.isoformat().replace("+00:00", "Z"),
        **_facts(listed),
    }


def _anthropic_page(models: list[_Model], query: QueryParams) -> dict[str, object]:
    raw_limit = query.get("limit", str(ANTHROPIC_PAGE))
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= ANTHROPIC_MAX_PAGE:
        raise InvalidRequest(
            f"limit must be a whole number from 1 to {ANTHROPIC_MAX_PAGE}.", param="limit"
        )
    limit = int(raw_limit)
    after, before = query.get("after_id"), query.get("before_id")
    if after is not None and before is not None:
        raise InvalidRequest("Give after_id or before_id, not both.", param="after_id")
    ids = [m.id for m in models]
    if after is not None:
        start = _position(ids, after, "after_id") + 1
        end = start + limit
        more = end < len(ids)
    elif before is not None:
        end = _position(ids, before, "before_id")
        start = max(0, end - limit)
        more = start > 0
    else:
        start, end = 0, limit
        more = end < len(ids)
    page = models[start:end]
    return {
        "data": [_anthropic(m) for m in page],
        "has_more": more,
        "first_id": page[0].id if page else None,
        "last_id": page[-1].id if page else None,
    }


def _position(ids: list[str], anchor: str, param: str) -> int:
    try:
        return ids.index(anchor)
    except ValueError:
        raise InvalidRequest(
            f"{param} '{anchor}' is not a model of this list.", param=param
        ) from None
