"""What both protocol packages share about wire values: validation into typed models, and ids.

Wire models are pydantic models in strict mode (no ``"1"`` -> ``1`` coercion) that ignore unknown
fields. A validation failure becomes ``InvalidRequest`` whose ``param`` names the offending field
in the caller's own terms (``messages[2].content[0].image_url.url``).
"""

from __future__ import annotations

import uuid
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from mlx_manager.errors import InvalidRequest

M = TypeVar("M", bound=BaseModel)

# pydantic names union members in error locations ('str', 'list[OpenAIContentPart]'); they are
# not fields of the caller's JSON, so they are left out of ``param``.
_TYPE_LABELS = frozenset({"str", "int", "float", "bool", "dict", "list", "none", "literal"})


class WireModel(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


def validate(model: type[M], body: object) -> M:
    """Validate ``body`` as ``model``; any failure is an ``InvalidRequest`` naming the field."""
    if not isinstance(body, dict):
        raise InvalidRequest("The request body must be a JSON object.")
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        raise _invalid(exc) from None


def _invalid(exc: ValidationError) -> InvalidRequest:
    # A union reports one error per member; the deepest one is the most specific.
    error = max(exc.errors(include_url=False), key=lambda e: len(e["loc"]))
    param = param_path(error["loc"])
    return InvalidRequest(f"Invalid value for '{param}': {error['msg']}.", param=param)


def param_path(loc: tuple[int | str, ...]) -> str:
    """``('messages', 0, 'content')`` -> ``messages[0].content``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in _TYPE_LABELS or "[" in part or part[:1].isupper():
            continue
        else:
            out += f".{part}" if out else part
    return out


def new_id(prefix: str) -> str:
    return prefix + uuid.uuid4().hex[:24]


def reprefix_id(id_: str, *, prefix: str, foreign: str) -> str:
    """An id in this protocol's style, keeping an upstream id's body so logs can be matched up.

    ``msg_abc`` becomes ``chatcmpl-abc`` and back; an id already in style is kept; none is made.
    """
    if not id_:
        return new_id(prefix)
    if id_.startswith(prefix):
        return id_
    return prefix + id_.removeprefix(foreign)
