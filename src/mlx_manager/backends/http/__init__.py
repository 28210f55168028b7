"""HTTP backends: providers reached over their wire protocol.

One long-lived client per credential (``clients.py``) over a ``Transport`` (``transport.py``:
aiohttp in service, in memory in tests); failures are mapped into the error tree at this edge
(``errors.py``); the protocol is a row of ``protocols.table``, not branches. ``passthrough.py``
is the same-protocol fast path, ``backend.py`` the translated one.
"""
