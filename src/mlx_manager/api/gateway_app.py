"""The application class: FastAPI, with a short lane for the chat endpoints.

Chat requests are the hot path. Profiles showed FastAPI's own layers (error and telemetry
middleware, its router and dependency injection) taking about half of the gateway's CPU per
request, so ``POST /v1/chat/completions``, ``/v1/messages`` and ``/v1/responses`` go through a
lane built from our own middleware (request id, recorder, browser boundary, size cap) straight
to ``chat_endpoint``, which answers database trouble itself. Every other path, and the OpenAPI
schema of the chat routes, stays FastAPI's, with the same middleware in the same order and
``DatabaseOutage``.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from mlx_manager.api.inference.chat import CHAT_PATHS


class GatewayApp(FastAPI):
    # Set by ``create_app`` once the lane's middleware is built.
    chat_lane: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        lane = self.chat_lane
        if (
            lane is not None
            and scope["type"] == "http"
            and scope["path"] in CHAT_PATHS
            and scope["method"] == "POST"
        ):
            scope["app"] = self
            await lane(scope, receive, send)
            return
        await super().__call__(scope, receive, send)
