"""A provider's reply that fails validation, said briefly: which field, and what is wrong with it.

pydantic's own text is for developers: a banner naming our wire model, the offending input
echoed back, and a link to its documentation. A caller or operator reading a 502 needs only
``choices[0].message: Field required``.
"""

from __future__ import annotations

from pydantic import ValidationError

from mlx_manager.errors import GatewayError, UpstreamError
from mlx_manager.protocols.wire import param_path

# A reply wrong in many places is named by its first few.
_SHOWN = 3


def malformed(exc: Exception, *, provider: str, what: str) -> UpstreamError:
    """``exc``, raised while validating a provider's ``what`` (reply, chunk, event), as the
    ``UpstreamError`` that reports it."""
    return UpstreamError(f"{provider} sent a malformed {what}: {_describe(exc)}", provider=provider)


def _describe(exc: Exception) -> str:
    if isinstance(exc, GatewayError):
        return exc.message
    if not isinstance(exc, ValidationError):
        return str(exc)
    # A union reports one error per member, at the same field: each field is named once.
    problems: dict[str, str] = {}
    for error in exc.errors(include_url=False, include_input=False, include_context=False):
        field = param_path(error["loc"])
        problems.setdefault(field, f"{field}: {error['msg']}" if field else error["msg"])
    shown = list(problems.values())[:_SHOWN]
    more = len(problems) - len(shown)
    return "; ".join(shown) + (f"; and {more} more" if more else "")
