"""Rules a credential must satisfy whatever way it arrives (create, update, test)."""

from __future__ import annotations

from dataclasses import dataclass

from mlx_manager.protocols.table import ApiType
from mlx_manager.providers.catalogue import BackendType, spec_for
from mlx_manager.providers.urls import InvalidBaseUrl, link_local_problem, normalize_base_url

# How an operator lets providers live at link-local addresses (``settings.py``).
ALLOW_LINK_LOCAL = "MLX_MANAGER_ALLOW_LINK_LOCAL_UPSTREAMS"


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str
    message: str


class InvalidFields(Exception):
    """One or more fields are wrong; answered as 422 with a message per field."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors


@dataclass(frozen=True, slots=True)
class CheckedTarget:
    api_type: ApiType | None
    base_url: str | None


def check_target(
    *,
    backend_type: BackendType,
    api_type: ApiType | None,
    base_url: str | None,
    allow_link_local: bool = False,
) -> CheckedTarget:
    """Normalise the URL and check type, protocol and URL against the catalogue; link-local
    and metadata addresses only with ``allow_link_local``."""
    errors: list[FieldError] = []
    if backend_type is BackendType.LOCAL:
        raise InvalidFields(
            [FieldError("backend_type", "'local' models need no credential; choose a cloud type")]
        )
    spec = spec_for(backend_type)
    try:
        url = normalize_base_url(base_url)
    except InvalidBaseUrl as exc:
        errors.append(FieldError("base_url", str(exc)))
        url = None
    else:
        # A protocol the type does not serve is reported below, not as a missing URL.
        chosen = api_type if api_type in spec.api_types else spec.api_type
        # Azure's portal shows the resource both bare and as ``.../openai/v1``; deployment URLs
        # add ``/openai`` themselves, so a typed one goes rather than doubling.
        if url is not None and spec.endpoint(chosen).per_model:
            url = url.removesuffix("/openai")
        if url is None and spec.endpoint(chosen).base_url is None:
            errors.append(
                FieldError("base_url", f"{spec.label} providers need a base URL (none by default)")
            )
        elif url is not None and not allow_link_local:
            problem = check_upstream_address(url)
            if problem is not None:
                errors.append(problem)
    if api_type is not None and api_type not in spec.api_types:
        allowed = " or ".join(a.value for a in spec.api_types)
        errors.append(
            FieldError("api_type", f"{spec.label} speaks {allowed}, not {api_type.value}")
        )
    if errors:
        raise InvalidFields(errors)
    return CheckedTarget(api_type=api_type, base_url=url)


def check_upstream_address(url: str) -> FieldError | None:
    """A field error when ``url`` leads to a link-local or cloud-metadata address."""
    problem = link_local_problem(url)
    if problem is None:
        return None
    return FieldError(
        "base_url", f"refused: {problem}. Set {ALLOW_LINK_LOCAL}=true to allow such addresses"
    )
