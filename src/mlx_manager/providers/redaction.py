"""Secrets taken out of text that came from an upstream, before it becomes our words.

Upstreams echo what they were sent: real providers quote part of a rejected key, proxies and
debugging servers echo whole headers. Every path that turns upstream text into an error message,
a log line or a relayed error event passes it through a ``Redactor``, which removes

- the credential's own key wherever 8 or more of its characters stand in a row (matched without
  regard to case: some proxies lowercase what they echo), and
- anything shaped like a credential: ``Authorization`` / ``x-api-key`` values, Bearer tokens, and
  the key formats providers hand out (``sk-``, ``sk-ant-``, ``gsk_``, ``xai-``, ``hf_`` …).

A whole key is shown as ``sk-…abcd`` (``secrets.mask``): enough to tell which key it was, never
enough to use it. What a redactor does not know (other credentials' keys) only the shapes catch.
"""

from __future__ import annotations

import re

from mlx_manager.providers.secrets import mask

# Shorter runs of a key's characters are too common to mean the key (and too short to use).
FRAGMENT = 8
REDACTED = "[redacted]"
# Bytes that begin an error event in each protocol's stream (OpenAI ``{"error": …}``,
# Anthropic ``event: error``, the Responses API's ``"type":"error"`` and a failed response's
# ``"error":{…}``): relayed chunks are only rewritten from there on. A Responses stream names
# ``"error":null`` in every response it carries, which is no error.
_ERROR_MARK = b'"error"'
_NO_ERROR = re.compile(rb"\s*:\s*null")
_MARK_OPENINGS = tuple(_ERROR_MARK[:n] for n in range(1, len(_ERROR_MARK)))
# Keys are printable ASCII (``schemas.ApiKey``); folding ASCII only keeps every index in place.
_FOLD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")

_HEADER_VALUE = re.compile(
    r"""(?ix)
    \b((?:proxy-)?authorization|x-api-key|api[-_]key|x-goog-api-key)  # the header's name
    (["']?\s*[:=]\s*["']?)                                            # as header, JSON or repr
    ((?:bearer|basic|token)\s+)?                                      # the scheme, kept
    ([^\s"',;}\]\\]+)                                                 # the value
    """
)
_BEARER = re.compile(r"(?i)\b(bearer|basic)(\s+)([A-Za-z0-9._~+/=\-]{8,})")
# The fixed openings of providers' key formats: the same for every key, so not a fragment of one.
_PUBLIC_PREFIX = re.compile(
    r"^(?:sk-ant-(?:api|admin)\d\d-|sk-(?:proj|svcacct|admin|or-v1)-|sk-ant-|sk-|gsk_|xai-|hf_"
    r"|pplx-|nvapi-|fw_|r8_)"
)
# Real keys run 24 to 160 characters past their opening; shorter runs are names, not keys.
_KEY_SHAPE = re.compile(
    r"\b(?:sk-ant-|sk-|gsk_|xai-|hf_|pplx-|nvapi-|fw_|r8_|AIza)[A-Za-z0-9_\-]{16,}"
)


def _masked(value: str) -> str:
    # Already masked by us (or by the upstream): leave it as it is.
    return value if "…" in value or "*" in value else mask(value)


def redact_shapes(text: str) -> str:
    """``text`` without anything shaped like a credential."""
    text = _HEADER_VALUE.sub(lambda m: f"{m[1]}{m[2]}{m[3] or ''}{_masked(m[4])}", text)
    text = _BEARER.sub(lambda m: f"{m[1]}{m[2]}{_masked(m[3])}", text)
    return _KEY_SHAPE.sub(lambda m: mask(m[0]), text)


class Redactor:
    """Redaction for one credential; built once per credential, its fragment set on first use."""

    __slots__ = ("_fragments", "_key")

    def __init__(self, key: str | None = None) -> None:
        self._key = key.strip().translate(_FOLD) if key and key.strip() else None
        self._fragments: dict[str, int] | None = None

    def text(self, text: str, *, keep: str | None = None) -> str:
        """``text`` without this credential's key, its fragments, or credential shapes.

        ``keep`` (the provider's own name, shown everywhere anyway) is left as it is, even when
        it looks like a key; unless it holds a fragment of the key."""
        if keep and len(keep) >= FRAGMENT and keep in text and self._without_key(keep) == keep:
            return keep.join(self.text(part) for part in text.split(keep))
        return redact_shapes(self._without_key(text))

    def relay(self) -> RelayRedaction:
        """A redaction for the chunks of one relayed stream."""
        return RelayRedaction(self)

    def _without_key(self, text: str) -> str:
        key = self._key
        if key is None:
            return text
        if len(key) < FRAGMENT:
            return re.sub(re.escape(key), REDACTED, text, flags=re.IGNORECASE)
        fragments = self._fragments
        if fragments is None:
            fragments = self._fragments = _fragments_of(key)
        low = text.translate(_FOLD)
        spans: list[list[int]] = []
        for i in range(len(low) - FRAGMENT + 1):
            offset = fragments.get(low[i : i + FRAGMENT])
            if offset is None:
                continue
            if spans and i <= spans[-1][1]:
                spans[-1][1] = i + FRAGMENT
                continue
            # Take in the key's public opening too when it stands right before.
            floor = spans[-1][1] if spans else 0
            start = i
            while offset and start > floor and low[start - 1] == key[offset - 1]:
                start -= 1
                offset -= 1
            spans.append([start, i + FRAGMENT])
        if not spans:
            return text
        parts: list[str] = []
        done = 0
        for start, end in spans:
            parts.append(text[done:start])
            parts.append(mask(text[start:end]) if end - start == len(key) else REDACTED)
            done = end
        parts.append(text[done:])
        return "".join(parts)


def _fragments_of(key: str) -> dict[str, int]:
    """Each run of ``FRAGMENT`` characters of ``key``, with where it starts in the key; runs
    inside a public opening (``sk-proj-``) are left out."""
    opening = _PUBLIC_PREFIX.match(key)
    first = max(0, (opening.end() if opening else 0) - FRAGMENT + 1)
    fragments: dict[str, int] = {}
    for i in range(first, len(key) - FRAGMENT + 1):
        fragments.setdefault(key[i : i + FRAGMENT], i)
    return fragments


class RelayRedaction:
    """Chunks of one stream relayed as bytes: passed on untouched until an error event begins,
    rewritten from then on. The check on each chunk is one byte search; a key cut by a chunk
    boundary loses its fragments of 8 or more characters on either side."""

    __slots__ = ("_cut", "_on", "_redactor")

    def __init__(self, redactor: Redactor) -> None:
        self._redactor = redactor
        self._on = False
        # The end of the last chunk when it may hold the start of a mark cut in two.
        self._cut = b""

    def chunk(self, data: bytes) -> bytes:
        if not self._on:
            if not _marked(data) and not (
                self._cut and _ERROR_MARK in self._cut + data[: len(_ERROR_MARK)]
            ):
                self._cut = data[-len(_ERROR_MARK) :] if data.endswith(_MARK_OPENINGS) else b""
                return data
            self._on = True
        text = data.decode(errors="surrogateescape")
        clean = self._redactor.text(text)
        return data if clean == text else clean.encode(errors="surrogateescape")


def _marked(data: bytes) -> bool:
    """Whether ``data`` holds the mark of an error (a mark at its very end counts)."""
    at = data.find(_ERROR_MARK)
    while at >= 0:
        after = at + len(_ERROR_MARK)
        if not _NO_ERROR.match(data, after):
            return True
        at = data.find(_ERROR_MARK, after)
    return False
