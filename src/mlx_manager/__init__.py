"""MLX Manager: one local gateway for every LLM client."""

__version__ = "0.1.0"
