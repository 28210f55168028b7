"""Base URL normalisation: clients append ``/v1/...``, so a stored base never ends in ``/v1``."""

from __future__ import annotations

from urllib.parse import urlsplit


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
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidBaseUrl("must be an http:// or https:// URL with a host")
    if parts.query or parts.fragment:
        raise InvalidBaseUrl("must not contain a query string or fragment")
    url = url.rstrip("/")
    if url.lower().endswith("/v1"):
        url = url[: -len("/v1")].rstrip("/")
    return url


def api_url(base_url: str, path: str) -> str:
    """``base_url`` joined with an API path such as ``/v1/models``."""
    return base_url + path
