"""``GET``/``DELETE /v1/responses/{id}`` and ``GET /v1/responses/{id}/input_items``: the
Responses API's stored responses (``gateway/stored_responses.py`` keeps them).

A response belongs to its caller: a gateway key, else a signed-in user, else (the admin token,
an open server's anonymous callers) the server itself. Another caller's response is not found.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from mlx_manager.api.deps import StateDep
from mlx_manager.api.inference.access import Caller, OpenAICaller
from mlx_manager.api.json_reply import JSONReply
from mlx_manager.gateway.stored_responses import ResponseNotFound, ResponseStore, Stored

router = APIRouter(prefix="/responses", tags=["inference"])


def owner_of(caller: Caller) -> str:
    if caller.key is not None:
        return f"key:{caller.key.id}"
    return f"user:{caller.user_id}" if caller.user_id is not None else ""


async def _stored(store: ResponseStore, id_: str, caller: Caller) -> Stored:
    stored = await store.get(id_, owner_of(caller))
    if stored is None:
        raise ResponseNotFound(f"Response with id '{id_}' not found.")
    return stored


@router.get("/{response_id}", summary="A stored response")
async def get_response(response_id: str, state: StateDep, caller: OpenAICaller) -> JSONReply:
    return JSONReply((await _stored(state.responses, response_id, caller)).response)


@router.delete("/{response_id}", summary="Delete a stored response")
async def delete_response(response_id: str, state: StateDep, caller: OpenAICaller) -> JSONReply:
    if not await state.responses.delete(response_id, owner_of(caller)):
        raise ResponseNotFound(f"Response with id '{response_id}' not found.")
    return JSONReply({"id": response_id, "object": "response", "deleted": True})


@router.get("/{response_id}/input_items", summary="A stored response's input items")
async def list_input_items(
    response_id: str,
    state: StateDep,
    caller: OpenAICaller,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    order: Literal["asc", "desc"] = "desc",
    after: str | None = None,
) -> JSONReply:
    stored = await _stored(state.responses, response_id, caller)
    items = [i for i in stored.input_items if isinstance(i, dict)]
    if order == "desc":
        items.reverse()
    start = 0
    if after is not None:
        ids = [item.get("id") for item in items]
        start = ids.index(after) + 1 if after in ids else len(items)
    page = items[start : start + limit]
    return JSONReply(
        {
            "object": "list",
            "data": page,
            "first_id": page[0].get("id") if page else None,
            "last_id": page[-1].get("id") if page else None,
            "has_more": start + limit < len(items),
        }
    )
