"""Wire protocols: pure codecs between OpenAI / Anthropic JSON and the IR in ``core``.

Each protocol package holds both directions of its codec: the server side for callers speaking
that protocol (``decode_request``, ``encode_response``, ``encode_stream``) and the client side
that HTTP backends use towards providers of that protocol (``encode_request``,
``decode_response``, ``decode_stream``). ``table.py`` puts each protocol's both sides in one row,
which the rest of the server looks up. ``sse.py`` is the only place SSE framing lives.

No I/O, no HTTP, no routing: a codec sees one value and returns another. What the IR cannot carry
is refused with ``errors.Untranslatable``; malformed input raises ``errors.InvalidRequest``.
Same-protocol passthrough (which skips the IR) is not handled here.
"""
