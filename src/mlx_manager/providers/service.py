"""Provider credentials: create, change, delete, test — keeping the directory in step."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mlx_manager.errors import Conflict, NotFound
from mlx_manager.protocols.table import ApiType
from mlx_manager.providers.catalogue import CATALOGUE, BackendType, spec_for
from mlx_manager.providers.connection_test import ConnectionReport, test_connection
from mlx_manager.providers.directory import ProviderDirectory, resolve, stored_prices
from mlx_manager.providers.schemas import (
    ConnectionTestRequest,
    EndpointDefaults,
    ModelPrice,
    ProviderCreate,
    ProviderDefaults,
    ProviderPublic,
    ProviderUpdate,
)
from mlx_manager.providers.secrets import KeyCipher, last4
from mlx_manager.providers.urls import origin
from mlx_manager.providers.validation import (
    CheckedTarget,
    FieldError,
    InvalidFields,
    check_target,
    check_upstream_address,
)
from mlx_manager.storage import provider_repository as repo
from mlx_manager.storage.tables import ProviderRow


def catalogue_defaults() -> list[ProviderDefaults]:
    return [
        ProviderDefaults(
            backend_type=spec.backend_type,
            label=spec.label,
            group=spec.group,
            api_type=spec.api_type,
            api_types=list(spec.api_types),
            base_url=spec.default_base_url,
            endpoints=[
                EndpointDefaults(
                    api_type=e.api_type,
                    base_url=e.base_url,
                    auth=e.auth,
                    deployment_api_version=e.deployment_api_version,
                    models_list=e.models_list,
                )
                for e in spec.endpoints
            ],
            key_required=spec.key_required,
            models_list=spec.models_list,
            responses=spec.responses,
            docs_url=spec.docs_url,
            base_url_example=spec.base_url_example,
            note=spec.note,
        )
        for spec in CATALOGUE
    ]


class ProviderService:
    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        cipher: KeyCipher,
        directory: ProviderDirectory,
        http: httpx.AsyncClient,
        test_timeout: float,
        on_change: Callable[[], None] | None = None,
        allow_link_local: bool = False,
    ) -> None:
        self._sessions = sessions
        # ``settings.allow_link_local_upstreams``: base URLs at link-local and metadata addresses.
        self._allow_link_local = allow_link_local
        # Called after each committed change, so other replicas reload (``cluster``).
        self._on_change = on_change
        self._cipher = cipher
        self.directory = directory
        self._http = http
        self._test_timeout = test_timeout

    async def load(self) -> None:
        """Fill the directory from storage; run once at start-up."""
        async with self._sessions() as session:
            rows = await repo.list_all(session)
            self.directory.replace_all(resolve(row, self._cipher) for row in rows)

    def public(self, row: ProviderRow) -> ProviderPublic:
        resolved = resolve(row, self._cipher)
        return ProviderPublic(
            id=row.id,
            name=row.name,
            backend_type=resolved.backend_type,
            api_type=resolved.api_type,
            base_url=row.base_url,
            effective_base_url=resolved.base_url,
            has_key=resolved.has_key,
            key_last4=row.key_last4 or (last4(resolved._api_key) if resolved._api_key else None),
            key_status="unreadable" if resolved.key_unreadable else "ok",
            prices=stored_prices(row),
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    async def list(self) -> list[ProviderPublic]:
        async with self._sessions() as session:
            return [self.public(row) for row in await repo.list_all(session)]

    async def get(self, provider_id: int) -> ProviderPublic:
        async with self._sessions() as session:
            return self.public(await self._row(session, provider_id))

    async def create(self, body: ProviderCreate) -> ProviderPublic:
        target = self._check(body.backend_type, body.api_type, body.base_url)
        row = ProviderRow(
            name=body.name.strip(),
            backend_type=body.backend_type.value,
            api_type=(target.api_type or spec_for(body.backend_type).api_type).value,
            base_url=target.base_url,
            prices=_stored(body.prices),
        )
        self._set_key(row, body.api_key.get_secret_value() if body.api_key else None)
        return await self._save(row)

    async def update(self, provider_id: int, body: ProviderUpdate) -> ProviderPublic:
        fields = body.model_fields_set
        async with self._sessions() as session:
            row = await self._row(session, provider_id)
            backend_type = body.backend_type or BackendType(row.backend_type)
            type_changed = backend_type.value != row.backend_type
            api_type = body.api_type if "api_type" in fields else _stored_api_type(row)
            if type_changed and "api_type" not in fields:
                api_type = None  # the new type's own protocol
            base_url = body.base_url if "base_url" in fields else row.base_url
            target = self._check(backend_type, api_type, base_url)
            if row.encrypted_api_key is not None and "api_key" not in fields:
                _refuse_moving_the_key(row, backend_type, target)
            if body.name is not None:
                row.name = body.name.strip()
            row.backend_type = backend_type.value
            row.api_type = (target.api_type or spec_for(backend_type).api_type).value
            row.base_url = target.base_url
            if "prices" in fields:
                row.prices = _stored(body.prices or {})
            if "api_key" in fields:
                self._set_key(row, body.api_key.get_secret_value() if body.api_key else None)
            return await self._save(row, session)

    async def delete(self, provider_id: int) -> None:
        async with self._sessions() as session:
            await repo.delete(session, await self._row(session, provider_id))
        self.directory.remove(provider_id)
        self._changed()

    async def test_saved(self, provider_id: int) -> ConnectionReport:
        provider = self.directory.get(provider_id)
        if provider is None:
            raise NotFound(f"No provider with id {provider_id}.")
        # Saved before link-local addresses were refused, or under the setting since turned off.
        problem = None if self._allow_link_local else check_upstream_address(provider.base_url)
        if problem is not None:
            raise InvalidFields([problem])
        return await test_connection(
            self._http,
            spec=spec_for(provider.backend_type),
            api_type=provider.api_type,
            base_url=provider.base_url,
            api_key=provider.api_key(),
            timeout=self._test_timeout,
        )

    async def test_unsaved(self, body: ConnectionTestRequest) -> ConnectionReport:
        target = self._check(body.backend_type, body.api_type, body.base_url)
        spec = spec_for(body.backend_type)
        api_type = target.api_type or spec.api_type
        return await test_connection(
            self._http,
            spec=spec,
            api_type=api_type,
            base_url=target.base_url or spec.endpoint(api_type).base_url or "",
            api_key=body.api_key.get_secret_value() if body.api_key else None,
            timeout=self._test_timeout,
        )

    def _check(
        self, backend_type: BackendType, api_type: ApiType | None, base_url: str | None
    ) -> CheckedTarget:
        return check_target(
            backend_type=backend_type,
            api_type=api_type,
            base_url=base_url,
            allow_link_local=self._allow_link_local,
        )

    def _set_key(self, row: ProviderRow, key: str | None) -> None:
        key = key.strip() if key else None
        row.encrypted_api_key = self._cipher.encrypt(key) if key else None
        row.key_last4 = last4(key) if key else None

    async def _row(self, session: AsyncSession, provider_id: int) -> ProviderRow:
        row = await repo.get(session, provider_id)
        if row is None:
            raise NotFound(f"No provider with id {provider_id}.")
        return row

    async def _save(self, row: ProviderRow, session: AsyncSession | None = None) -> ProviderPublic:
        if session is None:
            async with self._sessions() as own:
                return await self._save(row, own)
        try:
            saved = await repo.save(session, row)
        except repo.DuplicateName as exc:
            raise Conflict(f"A provider named '{exc.args[0]}' already exists.") from None
        self.directory.put(resolve(saved, self._cipher))
        self._changed()
        return self.public(saved)

    def _changed(self) -> None:
        if self._on_change is not None:
            self._on_change()


def _stored(prices: Mapping[str, ModelPrice]) -> dict[str, dict[str, float]] | None:
    return {
        model.strip(): price.model_dump(exclude_none=True) for model, price in prices.items()
    } or None


def _refuse_moving_the_key(
    row: ProviderRow, backend_type: BackendType, target: CheckedTarget
) -> None:
    """A stored key goes only where it was entered for: a change of scheme, host or port (the
    base URL's, or the default of the type and protocol) must bring the key again, or whoever
    can edit providers could send it to an address of their choosing. The path alone may
    change."""
    before = row.base_url or _default_url(BackendType(row.backend_type), _stored_api_type(row))
    after = target.base_url or _default_url(backend_type, target.api_type)
    if origin(before) != origin(after):
        raise InvalidFields(
            [
                FieldError(
                    "api_key",
                    f"this change moves the provider from {origin(before)} to {origin(after)}:"
                    " enter its API key again in the same change (a stored key is never sent to"
                    " a new host)",
                )
            ]
        )


def _default_url(backend_type: BackendType, api_type: ApiType | None) -> str:
    spec = spec_for(backend_type)
    return spec.endpoint(api_type or spec.api_type).base_url or ""


def _stored_api_type(row: ProviderRow) -> ApiType | None:
    return ApiType(row.api_type) if row.api_type else None
