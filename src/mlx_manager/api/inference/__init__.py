"""The inference API under ``/v1``: OpenAI and Anthropic endpoints over one serving path."""
