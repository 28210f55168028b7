"""Constrained decoding for local models: a forced tool call whose arguments follow the tool's
JSON schema, enforced token by token with llguidance.

Structured output (``response_format``, the Responses API's ``text.format``) reaches the engine
as a forced tool (see ``protocols/openai/structured.py``), so one grammar serves both: the tool
markers, the tool's name, then arguments that the schema allows, then end of sequence. The
output parser then reads a call that always parses. Requests that force no tool get no
processor and pay nothing.
"""

from __future__ import annotations

import json
import weakref
from typing import Any

from mlx_manager.backends.mlx.tools import DEFAULT_TOOL_MARKERS
from mlx_manager.core import ChatRequest, ToolSpec
from mlx_manager.errors import InvalidRequest

# One llguidance tokenizer per mlx-lm tokenizer: building it walks the vocabulary (~1 s).
_TOKENIZERS: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()


def forced_tool(request: ChatRequest) -> ToolSpec | None:
    """The tool the request forces the model to call, when there is exactly one."""
    choice = request.tool_choice
    if choice is None or not request.tools:
        return None
    if choice.mode == "tool":
        return next((t for t in request.tools if t.name == choice.name), None)
    if choice.mode == "any" and len(request.tools) == 1:
        return request.tools[0]
    return None


def _ll_tokenizer(tokenizer: Any) -> Any:
    import llguidance.hf

    cached = _TOKENIZERS.get(tokenizer)
    if cached is None:
        hf = tokenizer._tokenizer
        cached = llguidance.hf.from_tokenizer(hf, eos_token=sorted(tokenizer.eos_token_ids))
        _TOKENIZERS[tokenizer] = cached
    return cached


def _literal(marker: str, tokenizer: Any) -> str:
    """A marker in lark: a special token is named bare, or llguidance would match its bytes."""
    ll = _ll_tokenizer(tokenizer)
    ids = ll.tokenize_str(marker)
    if len(ids) == 1 and ll.is_special_token(ids[0]):
        return marker
    return json.dumps(marker)


def tool_call_grammar(tool: ToolSpec, tokenizer: Any, *, param: str) -> str:
    """The llguidance grammar of one call of ``tool``; ``InvalidRequest`` for a bad schema."""
    import llguidance

    start, end = (_literal(m, tokenizer) for m in tool_markers(tokenizer))
    head = json.dumps(f'{{"name": {json.dumps(tool.name)}, "arguments": ')
    # Compact JSON: a weak model would otherwise spend its tokens on whitespace.
    options = {"x-guidance": {"whitespace_flexible": False}}
    schema = json.dumps({**(tool.parameters or {"type": "object"}), **options})
    lark = f"start: {start} {head} args {json.dumps('}')} {end}\n"
    lark += f"args: %json {schema}\n"
    grammar = llguidance.grammar_from("lark", lark)
    is_error, messages = llguidance.LLMatcher.validate_grammar_with_warnings(grammar)
    if is_error:
        raise InvalidRequest(f"The JSON schema cannot be served: {messages[0]}", param=param)
    return grammar


class SchemaProcessor:
    """An mlx-lm logits processor that keeps one request's output inside its grammar.

    Called once per step with the request's tokens so far; it feeds the matcher the tokens it
    has not seen and masks every token the grammar forbids next. Worker thread only.
    """

    def __init__(self, tokenizer: Any, grammar: str) -> None:
        import llguidance

        ll = _ll_tokenizer(tokenizer)
        self._matcher = llguidance.LLMatcher(ll, grammar)
        self._vocab = ll.vocab_size
        self._seen: int | None = None

    def __call__(self, tokens: Any, logits: Any) -> Any:
        import mlx.core as mx
        import numpy as np

        seen = self._seen
        # The first call sees the prompt only; later ones see one new token each.
        if seen is not None:
            for token in tokens[seen:].tolist():
                self._matcher.consume_token(int(token))
        self._seen = tokens.shape[-1]
        # Once the grammar is complete the mask allows only end of sequence.
        words = np.frombuffer(self._matcher.compute_bitmask(), dtype=np.uint8)
        allowed = np.unpackbits(words, bitorder="little")[: self._vocab].astype(np.bool_)
        width = logits.shape[-1]
        if width > allowed.shape[0]:
            allowed = np.concatenate([allowed, np.zeros(width - allowed.shape[0], np.bool_)])
        mask = mx.array(allowed[:width])
        return mx.where(mask, logits, mx.array(-float("inf"), dtype=logits.dtype))


def tool_markers(tokenizer: Any) -> tuple[str, str]:
    if getattr(tokenizer, "has_tool_calling", False) and tokenizer.tool_call_end:
        return (tokenizer.tool_call_start, tokenizer.tool_call_end)
    return DEFAULT_TOOL_MARKERS
