"""Provider clients: one session per credential, replaced ones closed once they are idle."""

from __future__ import annotations

import asyncio
import dataclasses

import orjson

from mlx_manager.backends.http.clients import ProviderClients
from tests.fakes.upstream import FakeUpstream, Reply
from tests.routing.factories import provider


async def test_replaced_sessions_are_closed_once_idle_and_kept_while_relaying() -> None:
    upstream = FakeUpstream().start()
    try:
        upstream.reply(
            "/v1/slow",
            Reply(sse=[(None, {"n": i}) for i in range(3)], event_delay=0.3),
        )
        clients = ProviderClients()
        current = dataclasses.replace(provider(1, "p"), base_url=upstream.base_url)
        first = clients.get(current)
        response = await first.session.post(first.url("/v1/slow"), data=orjson.dumps({}))
        # The credential changes while the first session is still relaying a stream.
        current = dataclasses.replace(current, name="p-2")
        clients.get(current)
        assert clients.retired == 1 and not first.session.closed
        await response.read()
        response.release()
        sessions = [first.session]
        for n in range(300):
            current = dataclasses.replace(current, name=f"p-{n + 3}")
            sessions.append(clients.get(current).session)
        await asyncio.sleep(0)
        await asyncio.sleep(0.05)
        assert clients.retired == 0
        assert all(s.closed for s in sessions[:-1])
        await clients.aclose()
        assert sessions[-1].closed
    finally:
        upstream.stop()
