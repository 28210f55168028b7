"""HTTP backends: providers reached over the OpenAI or Anthropic protocol.

One long-lived ``httpx.AsyncClient`` per credential (``clients.py``); failures are mapped into the
error tree at this edge (``errors.py``); the protocol is data (``dialects.py``), not branches.
"""
