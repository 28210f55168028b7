"""The management API under ``/api``: the admin token or an admin's session for settings, users
and keys; ``/api/auth`` for signing up and in."""
