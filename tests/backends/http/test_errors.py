"""Upstream error text becomes our error without the credential's key or credential shapes."""

from __future__ import annotations

import aiohttp
import orjson
import pytest

from mlx_manager.backends.http.errors import MAX_MESSAGE, TransportErrors, error_from_status
from mlx_manager.errors import (
    InvalidRequest,
    UpstreamError,
    UpstreamRateLimited,
    UpstreamUnavailable,
)

KEY = "cnry7Hq2Lm9Nq4Rs6Tu8Vw0Ab3Cd5Ef7Gh9Ij1Kl3Mn5"


def body(message: str) -> bytes:
    return orjson.dumps({"error": {"message": message, "type": "invalid_request_error"}})


@pytest.mark.parametrize("status", [400, 401, 429, 500])
def test_status_errors_lose_the_key_and_keep_the_rest(status: int) -> None:
    errors = TransportErrors("up", key=KEY)
    exc = errors.from_status(status, {"retry-after": "3"}, body(f"bad key {KEY}; {KEY[4:20]}"))
    assert exc.message == f"Provider 'up' answered {status}: bad key cnr…3Mn5; [redacted]"
    assert exc.status == status and exc.retry_after == 3.0
    assert isinstance(exc, UpstreamRateLimited) is (status == 429)


def test_without_the_key_credential_shapes_still_go() -> None:
    echoed = f"headers: {{'authorization': 'Bearer {KEY}'}}"
    exc = error_from_status(401, {}, body(echoed), provider="up")
    assert KEY[:8] not in exc.message and "Bearer cnr…3Mn5" in exc.message


def test_a_plain_text_error_page_is_redacted_too() -> None:
    page = f"<h1>502</h1> upstream said no to Authorization: Bearer {KEY}".encode()
    exc = TransportErrors("up", key=KEY).from_status(502, {}, page)
    assert KEY[:8] not in exc.message


def test_long_upstream_messages_are_cut() -> None:
    exc = error_from_status(500, {}, body("x" * 10_000), provider="up")
    assert len(exc.message) < MAX_MESSAGE + 50 and exc.message.endswith("…")


def test_errors_raised_inside_are_redacted_in_place() -> None:
    errors = TransportErrors("xai-production-europe-1", key=KEY)
    original = UpstreamError(
        f"xai-production-europe-1: echo {KEY}", provider="up", upstream_status=401
    )
    with pytest.raises(UpstreamError) as caught, errors:
        raise original
    assert caught.value is original
    assert caught.value.message == "xai-production-europe-1: echo cnr…3Mn5"
    assert str(caught.value) == caught.value.message and caught.value.status == 401
    with pytest.raises(InvalidRequest, match=r"\[redacted\]"), errors:
        raise InvalidRequest(f"quoted {KEY[3:30]}")


def test_transport_failures_still_map_and_name_no_secret() -> None:
    with pytest.raises(UpstreamUnavailable) as caught, TransportErrors("up", key=KEY):
        raise aiohttp.ClientConnectionError(f"to {KEY}")
    assert KEY[:8] not in caught.value.message


def test_one_instance_serves_many_uses() -> None:
    errors = TransportErrors("up", key=KEY)
    for _ in range(3):
        with pytest.raises(UpstreamError, match="cnr…3Mn5"), errors:
            raise errors.from_status(401, {}, body(KEY))
