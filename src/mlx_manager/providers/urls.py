"""Base URLs: normalised so clients can append ``/v1/...``, and checked for where they lead.

A stored base never ends in ``/v1``. A base URL is refused when it could never be called safely
(spaces, line breaks or other control characters, a port out of range), when it carries a user
name or password (``https://user:key@host``: a key belongs in the provider's ``api_key``, which is
encrypted, while a URL is shown, logged and sent back in replies), and by default when it
leads to a link-local or cloud-metadata address, where a stored key or a forged request would
reach the machine's own credentials. Loopback and private ranges stay allowed: that is where
Ollama, vLLM and LM Studio listen.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import unicodedata
from urllib.parse import urlsplit

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

_LINK_LOCAL = (ipaddress.ip_network("169.254.0.0/16"), ipaddress.ip_network("fe80::/10"))
# Metadata services outside the link-local ranges: AWS over IPv6, Alibaba Cloud.
_METADATA_ADDRESSES = {
    ipaddress.ip_address("fd00:ec2::254"),
    ipaddress.ip_address("100.100.100.200"),
}
_METADATA_NAMES = {"metadata.google.internal", "metadata.goog", "instance-data.ec2.internal"}
# Hosts that ``inet_aton`` reads as IPv4 (``2852039166``, ``0xa9fea9fe``, ``169.254.43518``),
# as the resolver does when the URL is called.
_NUMERIC_HOST = re.compile(r"[0-9a-fx.]+")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
DEFAULT_PORTS = {"http": 80, "https": 443}


class InvalidBaseUrl(ValueError):
    pass


def normalize_base_url(raw: str | None) -> str | None:
    """Trim what users type into the form a client can append ``/v1/...`` to.

    ``None`` or blank means "the type's default". Trailing slashes and one trailing ``/v1`` go,
    so ``https://x/v1/`` and ``https://x`` are the same base and a URL is never doubled.
    """
    if raw is None:
        return None
    url = raw.strip()
    if not url:
        return None
    # urlsplit quietly drops tabs and line breaks, so they are looked for first.
    if any(unicodedata.category(c)[0] in "CZ" for c in url):
        raise InvalidBaseUrl("must not contain spaces, line breaks or other control characters")
    if "\\" in url:
        raise InvalidBaseUrl("must not contain a backslash")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidBaseUrl("must be an http:// or https:// URL with a host")
    if parts.query or parts.fragment:
        raise InvalidBaseUrl("must not contain a query string or fragment")
    if "@" in parts.netloc:
        raise InvalidBaseUrl(
            "must not contain a user name or password (user:secret@host); put a key in api_key"
        )
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        raise InvalidBaseUrl("has a port that is not a number from 1 to 65535")
    url = url.rstrip("/")
    if url.lower().endswith("/v1"):
        url = url[: -len("/v1")].rstrip("/")
    return url


def origin(url: str) -> str:
    """Where a key sent to ``url`` goes: scheme, host and port (``https://api.groq.com:443``)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".")
    port = parts.port or DEFAULT_PORTS.get(parts.scheme, 0)
    return f"{parts.scheme}://{f'[{host}]' if ':' in host else host}:{port}"


def link_local_problem(url: str) -> str | None:
    """Why ``url`` leads to a link-local or metadata address, or None when it does not.

    Literal addresses and the metadata services' names are checked; a name of one's own that
    resolves to such an address is not: that needs a check where the connection is made."""
    host = (urlsplit(url).hostname or "").rstrip(".")
    if host in _METADATA_NAMES:
        return f"{host} is a cloud metadata service"
    address = _address(host)
    if address is None:
        return None
    for candidate in _embedded(address):
        if candidate in _METADATA_ADDRESSES:
            return f"{host} is a cloud metadata address"
        if any(candidate in network for network in _LINK_LOCAL):
            return f"{host} is a link-local address, where cloud metadata services answer"
    return None


def _address(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if _NUMERIC_HOST.fullmatch(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def _embedded(address: Address) -> list[Address]:
    """The address, and the IPv4 address an IPv6 one carries (mapped, 6to4, NAT64)."""
    found: list[Address] = [address]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            found.append(address.ipv4_mapped)
        if address.sixtofour is not None:
            found.append(address.sixtofour)
        if address in _NAT64:
            found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return found
