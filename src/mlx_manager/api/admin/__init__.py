"""The management API under ``/api`` (admin token required)."""
