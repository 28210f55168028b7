"""HTTP in: thin FastAPI routers. ``inference/`` serves ``/v1``; ``admin/`` serves ``/api``.

Routers decode, call a service, encode. Errors become responses in exactly one place per
protocol (``api/errors.py``).
"""
