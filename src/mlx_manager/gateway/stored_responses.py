"""Conversation state for the Responses API: ``store`` keeps a response, ``previous_response_id``
continues from one (the HTTP side is ``api/inference/stored_responses.py``).

Off the hot path: a request that neither stores nor continues makes no database call, and one
that stores (``store`` defaults to true) is answered first. Its response is written by a task of
its own once the reply is encoded, and is served from memory until that write is done, so a
caller can continue from it straight away; a stopping server waits for those writes. Only
``previous_response_id`` reads before the reply. Responses older than the request log's
retention (``request_log_retention_days``) are pruned.

Both paths store: a translated reply under an id of the gateway's own, which the encoder gives
the response; a relayed one (a Responses provider's, bytes as they came) under the provider's
id, which is the one its caller sees. The conversation a ``previous_response_id`` names is put
in the request's ``input`` (and the id taken out of what a provider receives, where it would
name nothing), so a provider of either kind receives all of it.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mlx_manager.core import ChatRequest
from mlx_manager.errors import NotFound
from mlx_manager.gateway.inbound import Inbound
from mlx_manager.protocols.responses import ResponsesChat
from mlx_manager.protocols.wire import new_id
from mlx_manager.storage import response_repository as repository
from mlx_manager.storage.tables import StoredResponseRow

log = logging.getLogger(__name__)

# How often the writer prunes expired responses, at most: the request log's default interval.
PRUNE_INTERVAL = 300.0
# Seconds a stopping server waits for the responses still being written.
CLOSE_TIMEOUT = 10.0
# The id column's width: a longer id names nothing stored, and costs no query.
MAX_ID = 64
_ID_PREFIXES = {
    "message": "msg_",
    "function_call": "fc_",
    "function_call_output": "fco_",
    "reasoning": "rs_",
}


class ResponseNotFound(NotFound):
    code = "response_not_found"


class PreviousResponseNotFound(NotFound):
    code = "previous_response_not_found"


@dataclass(slots=True)
class Stored:
    owner: str
    response: dict[str, object]
    input_items: list[object]
    history: list[object]

    def conversation(self) -> list[object]:
        """Every item of the conversation up to and including this response's output."""
        output = self.response.get("output")
        return [*self.history, *self.input_items, *(output if isinstance(output, list) else ())]


def input_items(value: object) -> list[object] | None:
    """A request's ``input`` as items, each with an id (the input items list pages by them);
    None when it is neither a string nor a list, which the decoder refuses."""
    if isinstance(value, str):
        value = [{"type": "message", "role": "user", "content": value}]
    if not isinstance(value, list):
        return None
    items: list[object] = []
    for item in value:
        if isinstance(item, dict):
            item = _normalized(item)
        items.append(item)
    return items


def _normalized(item: dict[str, object]) -> dict[str, object]:
    """An item as the input items list shows it: with an id, and a message's text as a part."""
    kind = item.get("type", "message")
    if not isinstance(item.get("id"), str):
        prefix = _ID_PREFIXES.get(kind, "item_") if isinstance(kind, str) else "item_"
        item = {"id": new_id(prefix), **item}
    content = item.get("content")
    if kind == "message" and isinstance(content, str):
        part = "output_text" if item.get("role") == "assistant" else "input_text"
        item = {**item, "type": "message", "content": [{"type": part, "text": content}]}
    return item


class ResponseStore:
    """Stored responses: those still being written, in memory, and the database's."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], *, retention_days: float | None
    ) -> None:
        self._sessions = sessions
        self._retention_days = retention_days
        self._writing: dict[str, tuple[Stored, asyncio.Task[None]]] = {}
        self._pruned_at = -math.inf

    async def get(self, id_: str, owner: str) -> Stored | None:
        if len(id_) > MAX_ID:
            return None
        writing = self._writing.get(id_)
        if writing is not None:
            stored = writing[0]
            return stored if stored.owner == owner else None
        async with self._sessions() as session:
            row = await repository.get(session, id_, owner=owner)
        if row is None:
            return None
        return Stored(
            owner=row.owner,
            response=row.response,
            input_items=row.input_items,
            history=row.history,
        )

    async def delete(self, id_: str, owner: str) -> bool:
        writing = self._writing.get(id_)
        if writing is not None:
            if writing[0].owner != owner:
                return False
            # Deleted once written, so the write cannot bring it back.
            await asyncio.shield(writing[1])
        async with self._sessions() as session:
            return await repository.delete_one(session, id_, owner=owner)

    def put(self, id_: str, stored: Stored) -> None:
        task = asyncio.create_task(self._write(id_, stored), name=f"store {id_}")
        self._writing[id_] = (stored, task)

    async def prepare(self, inbound: Inbound, owner: str) -> None:
        """Put the conversation ``previous_response_id`` names before the request's input,
        and set on ``inbound`` what stores its response (unless ``store`` is false)."""
        body = inbound.body
        previous = body.get("previous_response_id")
        if body.get("store") is False and not isinstance(previous, str):
            return
        own = input_items(body.get("input"))
        history: list[object] = []
        if isinstance(previous, str):
            stored = await self.get(previous, owner)
            if stored is None:
                raise PreviousResponseNotFound(
                    f"Previous response with id '{previous}' not found.",
                    param="previous_response_id",
                )
            history = stored.conversation()
            if own is not None:
                conversation = [*history, *own]
                body["input"] = conversation
                forwarded = {k: v for k, v in body.items() if k != "previous_response_id"}
                forwarded["input"] = [_sendable(item) for item in conversation]
                inbound.forwarded = forwarded
        store = body.get("store") is not False and own is not None
        keeping = _Keeping(self, owner, own or [], history, keeps=store)
        inbound.decoded = keeping.decoded
        if store:
            inbound.keep = keeping.relayed

    async def _write(self, id_: str, stored: Stored) -> None:
        row = StoredResponseRow(
            id=id_,
            owner=stored.owner,
            created_at=datetime.now(UTC),
            model=str(stored.response.get("model", ""))[:200],
            response=stored.response,
            input_items=stored.input_items,
            history=stored.history,
        )
        try:
            async with self._sessions() as session:
                await repository.insert(session, row)
                await self._prune(session)
        except Exception as exc:
            log.warning("Could not store the response %s: %s", id_, exc)
        finally:
            self._writing.pop(id_, None)

    async def aclose(self) -> None:
        """Wait (a while) for the responses still being written, so a stop loses none."""
        pending = [task for _, task in self._writing.values()]
        if pending:
            await asyncio.wait(pending, timeout=CLOSE_TIMEOUT)

    async def _prune(self, session: AsyncSession) -> None:
        days = self._retention_days
        now = time.monotonic()
        if days is None or now - self._pruned_at < PRUNE_INTERVAL:
            return
        self._pruned_at = now
        before = datetime.now(UTC) - timedelta(days=days)
        deleted = await repository.prune(session, before=before)
        if deleted:
            log.info("Stored responses: pruned %d.", deleted)


@dataclass(slots=True)
class _Keeping:
    """What a request that stores its response or continues a conversation carries."""

    store: ResponseStore
    owner: str
    items: list[object]
    history: list[object]
    keeps: bool = field(default=False, kw_only=True)

    def decoded(self, request: ChatRequest) -> None:
        """A translated request: its response stored under an id of ours."""
        if not isinstance(request, ResponsesChat) or not self.keeps:
            return
        id_ = new_id("resp_")

        def keep(response: dict[str, object]) -> None:
            self.put(id_, response)

        request.response_id = id_
        request.keep = keep

    def relayed(self, response: dict[str, object]) -> None:
        """A relayed response: stored under the provider's id, which its caller was sent."""
        id_ = response.get("id")
        if isinstance(id_, str) and 0 < len(id_) <= MAX_ID:
            self.put(id_, response)

    def put(self, id_: str, response: dict[str, object]) -> None:
        self.store.put(id_, Stored(self.owner, response, self.items, self.history))


def _sendable(item: object) -> object:
    """An item as a provider takes it back: messages and tool outputs carry no id in a request
    (the ids the input items list shows are the gateway's)."""
    if isinstance(item, dict) and item.get("type") in ("message", "function_call_output"):
        return {k: v for k, v in item.items() if k != "id"}
    return item
