"""The client's address: the socket peer, or ``X-Forwarded-For`` when the peer is a trusted proxy.

Without trusted proxies the header is ignored entirely, so a caller cannot choose its own address.
With them, the header is read right to left and the first address that is not a trusted proxy is
the client (the left part of the header is whatever the client sent, and can be forged).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.types import Scope

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class ClientAddresses:
    def __init__(self, trusted_proxies: Iterable[str] = ()) -> None:
        try:
            self._trusted: tuple[_Network, ...] = tuple(
                ipaddress.ip_network(p, strict=False) for p in trusted_proxies
            )
        except ValueError as exc:
            raise ValueError(f"MLX_MANAGER_TRUSTED_PROXIES: {exc}") from None

    def of(self, scope: Scope) -> str:
        client = scope.get("client")
        peer = client[0] if client else "unknown"
        if not self._trusted or not self._is_trusted(peer):
            return str(peer)
        hops = [h.strip() for h in _forwarded_for(scope).split(",") if h.strip()]
        for hop in reversed(hops):
            if not self._is_trusted(hop):
                return hop
        return hops[0] if hops else str(peer)

    def _is_trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self._trusted)


def _forwarded_for(scope: Scope) -> str:
    values = [v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"x-forwarded-for"]
    return ",".join(values)
