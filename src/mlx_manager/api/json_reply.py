"""JSON replies rendered by orjson, for the chat endpoints' hot path (their replies and errors).

Starlette's ``JSONResponse`` renders with the standard library's ``json``, several times slower
on a chat completion; FastAPI's ``ORJSONResponse`` is deprecated in favour of response models,
which the chat lane does not use.
"""

from __future__ import annotations

import orjson
from starlette.responses import JSONResponse


class JSONReply(JSONResponse):
    def render(self, content: object) -> bytes:
        return orjson.dumps(content)
