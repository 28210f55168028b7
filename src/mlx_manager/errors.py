"""The one error tree of MLX Manager.

Every failure the gateway reports is one of these classes; each pins its HTTP status and a
stable ``code``. Exactly one place per protocol (``api/errors.py``) turns them into responses.

    GatewayError
    ├── InvalidRequest          400  invalid_request_error
    │   └── Untranslatable      400  a field that the target protocol cannot carry
    ├── Unauthorized            401  authentication_error
    │   └── InvalidKey          401  invalid_api_key: a key presented that is not one
    ├── Forbidden               403  permission_error
    ├── NotFound                404  not_found_error
    │   └── ModelNotFound       404  model_not_found
    ├── MethodNotAllowed        405  method_not_allowed
    ├── Conflict                409  conflict
    ├── PayloadTooLarge         413  request_too_large
    ├── RateLimited             429  rate_limit_error
    ├── UpstreamError           502  an upstream answered with an error (keeps its status)
    │   ├── InvalidUpstreamReply 502  a 200 that is no success: truncated, an error object
    │   ├── UpstreamTimeout     504
    │   ├── UpstreamUnavailable 503  unreachable, connection refused, DNS
    │   └── UpstreamRateLimited 429
    ├── NoRouteAvailable        503  every target failed; carries each attempt's error
    ├── EngineError             500  the local MLX engine failed
    └── CredentialUnreadable    409  a stored key can no longer be decrypted
"""

from __future__ import annotations

from typing import ClassVar


class GatewayError(Exception):
    """Base of every error the gateway reports to a caller."""

    status_code: ClassVar[int] = 500
    code: ClassVar[str] = "internal_error"
    # Seconds after which trying again may succeed; sent as ``Retry-After`` when set.
    retry_after: float | None = None
    # Whether a client's retry could help; sent as ``x-should-retry``, which the official
    # SDKs obey over their own rules, when set.
    should_retry: bool | None = None

    def __init__(self, message: str, *, param: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param

    @property
    def status(self) -> int:
        return self.status_code


class InvalidRequest(GatewayError):
    status_code = 400
    code = "invalid_request_error"


class Untranslatable(InvalidRequest):
    """A request field that the serving protocol cannot express; refused, never dropped."""

    code = "unsupported_parameter"

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"'{field}' cannot be served by this route: {reason}", param=field)


class Unauthorized(GatewayError):
    status_code = 401
    code = "authentication_error"


class InvalidKey(Unauthorized):
    """A key was presented and is not valid: trying again with it cannot help."""

    code = "invalid_api_key"
    should_retry = False


class Forbidden(GatewayError):
    status_code = 403
    code = "permission_error"


class NotFound(GatewayError):
    status_code = 404
    code = "not_found_error"


class ModelNotFound(NotFound):
    code = "model_not_found"


class MethodNotAllowed(GatewayError):
    status_code = 405
    code = "method_not_allowed"


class Conflict(GatewayError):
    status_code = 409
    code = "conflict"


class PayloadTooLarge(GatewayError):
    status_code = 413
    code = "request_too_large"


class RateLimited(GatewayError):
    status_code = 429
    code = "rate_limit_error"

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class UpstreamError(GatewayError):
    """An upstream provider failed. Keeps the upstream's status when it answered one."""

    status_code = 502
    code = "upstream_error"

    def __init__(
        self,
        message: str,
        *,
        provider: str,
        upstream_status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.provider = provider
        self.upstream_status = upstream_status
        self.retry_after = retry_after

    @property
    def status(self) -> int:
        if self.upstream_status is not None and 400 <= self.upstream_status < 600:
            return self.upstream_status
        return self.status_code

    @property
    def fails_over(self) -> bool:
        """Whether another target might succeed: the provider, not the request, is at fault.

        401/403 mean this credential is bad; 400/404/422 mean the request is, and go back at once.
        """
        return self.transient or self.status in (401, 403)

    @property
    def transient(self) -> bool:
        """Whether the same target may succeed if asked again a little later."""
        return self.status >= 500 or self.status in (408, 429)


class InvalidUpstreamReply(UpstreamError):
    code = "invalid_upstream_reply"


class UpstreamTimeout(UpstreamError):
    status_code = 504
    code = "upstream_timeout"


class UpstreamUnavailable(UpstreamError):
    status_code = 503
    code = "upstream_unavailable"


class UpstreamRateLimited(UpstreamError):
    status_code = 429
    code = "upstream_rate_limited"


class NoRouteAvailable(GatewayError):
    """Every target of a route failed; the message lists each attempt."""

    status_code = 503
    code = "no_route_available"

    def __init__(self, message: str, *, attempts: list[GatewayError]) -> None:
        super().__init__(message)
        self.attempts = attempts
        # When the soonest target may serve again, if any said so.
        hints = [e.retry_after for e in attempts if e.retry_after is not None]
        self.retry_after = min(hints) if hints else None

    @property
    def status(self) -> int:
        # Attempts that all failed alike keep that status (an upstream's 401 stays a 401).
        statuses = {attempt.status for attempt in self.attempts}
        return statuses.pop() if len(statuses) == 1 else self.status_code


class EngineError(GatewayError):
    status_code = 500
    code = "engine_error"


class CredentialUnreadable(GatewayError):
    status_code = 409
    code = "credential_unreadable"
