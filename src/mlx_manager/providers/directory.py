"""The in-memory view of every credential, with keys decrypted: what the hot path reads."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from pydantic import ValidationError

from mlx_manager.errors import CredentialUnreadable
from mlx_manager.protocols.table import ApiType
from mlx_manager.providers.catalogue import BackendType, Endpoint, spec_for
from mlx_manager.providers.schemas import ModelPrice
from mlx_manager.providers.secrets import KeyCipher, UndecryptableKey
from mlx_manager.storage.tables import ProviderRow


@dataclass(frozen=True, slots=True)
class ResolvedProvider:
    id: int
    name: str
    backend_type: BackendType
    api_type: ApiType
    base_url: str
    has_key: bool
    key_unreadable: bool
    _api_key: str | None
    # Per-model price overrides, by the model name sent to the provider.
    prices: Mapping[str, ModelPrice] = field(default_factory=dict)

    def api_key(self) -> str | None:
        """The plaintext key; raises when the stored one no longer decrypts."""
        if self.key_unreadable:
            raise CredentialUnreadable(
                f"The stored API key of provider '{self.name}' cannot be decrypted (the server's"
                " secret key changed). Re-enter it on the Providers page (/providers)."
            )
        return self._api_key

    @property
    def endpoint(self) -> Endpoint:
        """Its protocol's endpoint in the catalogue: URL building and the key's header."""
        return spec_for(self.backend_type).endpoint(self.api_type)

    def __repr__(self) -> str:
        return f"ResolvedProvider(id={self.id}, name={self.name!r}, api_type={self.api_type})"


def resolve(row: ProviderRow, cipher: KeyCipher) -> ResolvedProvider:
    backend_type = BackendType(row.backend_type)
    spec = spec_for(backend_type)
    api_type = ApiType(row.api_type) if row.api_type else spec.api_type
    key: str | None = None
    unreadable = False
    if row.encrypted_api_key:
        try:
            key = cipher.decrypt(row.encrypted_api_key)
        except UndecryptableKey:
            unreadable = True
    return ResolvedProvider(
        id=row.id,
        name=row.name,
        backend_type=backend_type,
        api_type=api_type,
        # A type without a default always has a stored URL; validation guarantees it.
        base_url=row.base_url or spec.endpoint(api_type).base_url or "",
        has_key=row.encrypted_api_key is not None,
        key_unreadable=unreadable,
        _api_key=key,
        prices=stored_prices(row),
    )


def stored_prices(row: ProviderRow) -> dict[str, ModelPrice]:
    """The row's price overrides; an entry that no longer validates is left out, not fatal."""
    prices: dict[str, ModelPrice] = {}
    for model, price in (row.prices or {}).items():
        try:
            prices[model] = ModelPrice.model_validate(price)
        except ValidationError:
            continue
    return prices


class ProviderDirectory:
    """Credentials by id and by name. Replaced wholesale entry by entry, never mutated in place."""

    def __init__(self) -> None:
        self._by_id: dict[int, ResolvedProvider] = {}
        self._by_name: dict[str, ResolvedProvider] = {}
        # Bumped on every change, so caches built from the directory know when to rebuild.
        self.version = 0

    def replace_all(self, providers: Iterable[ResolvedProvider]) -> None:
        self._by_id = {p.id: p for p in providers}
        self._by_name = {p.name: p for p in self._by_id.values()}
        self.version += 1

    def put(self, provider: ResolvedProvider) -> None:
        old = self._by_id.get(provider.id)
        if old is not None:
            self._by_name.pop(old.name, None)
        self._by_id[provider.id] = provider
        self._by_name[provider.name] = provider
        self.version += 1

    def remove(self, provider_id: int) -> None:
        old = self._by_id.pop(provider_id, None)
        if old is not None:
            self._by_name.pop(old.name, None)
        self.version += 1

    def get(self, provider_id: int) -> ResolvedProvider | None:
        return self._by_id.get(provider_id)

    def by_name(self, name: str) -> ResolvedProvider | None:
        return self._by_name.get(name)

    def all(self) -> list[ResolvedProvider]:
        return list(self._by_id.values())
