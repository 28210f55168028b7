"""What a replica announces when it changes shared configuration (no Redis import here, so the
app imports it for free when shared mode is off)."""

from enum import StrEnum


class Topic(StrEnum):
    # In reload order: rules bind to providers.
    PROVIDERS = "providers"
    RULES = "rules"
    KEYS = "keys"
