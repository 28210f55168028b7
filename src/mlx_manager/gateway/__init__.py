"""The gateway service: serving one request, whatever protocol it came in and whatever serves it.

The HTTP edge (``api/``) decodes a request into an ``Inbound`` (each fact about it decided once
there) and hands it to ``Gateway``, which plans the route, calls targets with failover, and hands
back what served it and a neutral result (``results.py``) for the edge to encode. Nothing here
knows Starlette.
"""
