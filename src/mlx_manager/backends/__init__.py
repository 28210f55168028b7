"""Backends serve IR chat requests: HTTP providers (``http/``) and the local MLX engine (``mlx/``).

A backend turns a ``ChatRequest`` into a stream of IR events. It knows nothing of routing rules,
storage or the caller's protocol.
"""
