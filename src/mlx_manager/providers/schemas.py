"""Wire schemas of the provider settings API: create, update, public view, connection test."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, SecretStr

from mlx_manager.protocols.table import ApiType
from mlx_manager.providers.catalogue import AuthStyle, BackendType, ProviderGroup


def _header_safe(key: SecretStr) -> SecretStr:
    # A key travels in an HTTP header: anything else could never work and cannot be sent.
    if not all(32 <= ord(c) < 127 for c in key.get_secret_value().strip()):
        raise ValueError("an API key is printable ASCII characters only")
    return key


ApiKey = Annotated[SecretStr, Field(max_length=4096), AfterValidator(_header_safe)]

# Far above any model's price; a larger figure is a typo.
_MAX_PRICE = 100_000.0


class ModelPrice(BaseModel):
    """A model's price in USD per million tokens, replacing the catalogue's. Cache reads and
    writes left out cost what other prompt tokens cost."""

    model_config = ConfigDict(extra="forbid")

    input_per_mtok: float = Field(ge=0, le=_MAX_PRICE)
    output_per_mtok: float = Field(ge=0, le=_MAX_PRICE)
    cache_read_per_mtok: float | None = Field(default=None, ge=0, le=_MAX_PRICE)
    cache_write_per_mtok: float | None = Field(default=None, ge=0, le=_MAX_PRICE)


# By the model name sent to the provider (a rule target's model, or the name passed through).
ModelPrices = Annotated[
    dict[Annotated[str, Field(min_length=1, max_length=200)], ModelPrice], Field(max_length=1000)
]


class EndpointDefaults(BaseModel):
    """One protocol a provider type serves."""

    api_type: ApiType
    # Null: the user gives the base URL.
    base_url: str | None
    # The header a key travels in: ``bearer`` (Authorization), ``x-api-key`` or ``api-key``.
    auth: AuthStyle
    # Set for deployment URLs (Azure OpenAI): the api-version every call carries.
    deployment_api_version: str | None
    # Whether this protocol's model listing names what a target may ask for.
    models_list: bool


class ProviderDefaults(BaseModel):
    backend_type: BackendType
    label: str
    group: ProviderGroup
    # The default protocol, and every protocol a credential of this type may choose.
    api_type: ApiType
    api_types: list[ApiType]
    # The default protocol's base URL.
    base_url: str | None
    endpoints: list[EndpointDefaults]
    key_required: bool
    # Whether the model listing names what a target may ask for.
    models_list: bool
    # Whether the provider also serves OpenAI's Responses API (its endpoints say where the gateway
    # can call it there).
    responses: bool
    docs_url: str
    # The base URL's shape where there is no default, for a placeholder.
    base_url_example: str | None
    note: str | None


class ProviderDefaultsList(BaseModel):
    providers: list[ProviderDefaults]


class ProviderCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    backend_type: BackendType
    api_type: ApiType | None = None
    base_url: str | None = Field(default=None, max_length=500)
    api_key: ApiKey | None = None
    prices: ModelPrices = Field(default_factory=dict)


class ProviderUpdate(BaseModel):
    """Fields left out stay as they are; ``api_key: null`` or ``""`` removes the stored key;
    ``prices`` replaces every override (``{}`` removes them)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=100)
    backend_type: BackendType | None = None
    api_type: ApiType | None = None
    base_url: str | None = Field(default=None, max_length=500)
    api_key: ApiKey | None = None
    prices: ModelPrices | None = None


class ProviderPublic(BaseModel):
    id: int
    name: str
    backend_type: BackendType
    api_type: ApiType
    # As stored: null means the type's default, which ``effective_base_url`` shows.
    base_url: str | None
    effective_base_url: str
    has_key: bool
    key_last4: str | None
    # "unreadable": the key no longer decrypts (the secret key changed); it must be re-entered.
    key_status: str
    # Per-model price overrides, by model name.
    prices: dict[str, ModelPrice]
    created_at: datetime
    updated_at: datetime


class ProviderList(BaseModel):
    providers: list[ProviderPublic]


class ConnectionTestRequest(ProviderCreate):
    """An unsaved provider to test; ``name`` is optional here."""

    name: str = Field(default="unsaved", min_length=1, max_length=100)


class ConnectionTestResult(BaseModel):
    ok: bool
    status: int | None
    latency_ms: float
    models: list[str]
    error: str | None
