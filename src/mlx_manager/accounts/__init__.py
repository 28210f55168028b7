"""User accounts: people, their passwords (Argon2), roles and signed-in sessions.

Owns who a signed-in caller is and what role they hold. It does not own HTTP (cookies and headers
are ``api/auth.py``), the start-up admin token (also ``api/auth.py``), or the keys that ``/v1``
callers present (``gateway_keys``).
"""
