"""Gateway keys: who may call ``/v1``, for which models, and how fast.

Owns the keys (stored as SHA-256 hashes, held in memory for the hot path), their model scopes,
and the rate limiter behind requests- and tokens-per-minute limits. It does not own HTTP: how a key
is read from headers and how a refusal is shaped is ``api/inference/access.py``.
"""
