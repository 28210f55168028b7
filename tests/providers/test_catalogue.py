"""The catalogue's facts, row by row, and the URL and header building they drive."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlalchemy import String

from mlx_manager.errors import InvalidRequest
from mlx_manager.protocols.table import PROTOCOLS, ApiType
from mlx_manager.providers.catalogue import (
    CATALOGUE,
    CLOUD_TYPES,
    MODELS_PATH,
    AuthStyle,
    BackendType,
    Endpoint,
    ProviderGroup,
    ProviderSpec,
    spec_for,
)
from mlx_manager.storage.tables import ProviderRow

CLOUD, LOCAL, GENERIC = ProviderGroup.CLOUD, ProviderGroup.LOCAL_SERVER, ProviderGroup.GENERIC
OA, AN, RS = ApiType.OPENAI, ApiType.ANTHROPIC, ApiType.OPENAI_RESPONSES
BEARER, X_API_KEY = AuthStyle.BEARER, AuthStyle.X_API_KEY

# Per type: its group, and per protocol the chat URL at the default base and the key's header.
# These are the providers' documented endpoints; a row that changes must change here too.
EXPECTED: dict[str, tuple[ProviderGroup, list[tuple[ApiType, str | None, AuthStyle]]]] = {
    "openai": (
        CLOUD,
        [
            (OA, "https://api.openai.com/v1/chat/completions", BEARER),
            (RS, "https://api.openai.com/v1/responses", BEARER),
        ],
    ),
    "anthropic": (CLOUD, [(AN, "https://api.anthropic.com/v1/messages", X_API_KEY)]),
    "gemini": (
        CLOUD,
        [
            (
                OA,
                "https://generativelanguage.googleapis.com/v1beta/openai/chat/completions",
                BEARER,
            )
        ],
    ),
    "azure_openai": (CLOUD, [(OA, None, AuthStyle.API_KEY)]),
    "openrouter": (
        CLOUD,
        [
            (OA, "https://openrouter.ai/api/v1/chat/completions", BEARER),
            (AN, "https://openrouter.ai/api/v1/messages", BEARER),
            (RS, "https://openrouter.ai/api/v1/responses", BEARER),
        ],
    ),
    "xai": (
        CLOUD,
        [
            (OA, "https://api.x.ai/v1/chat/completions", BEARER),
            (RS, "https://api.x.ai/v1/responses", BEARER),
        ],
    ),
    "mistral": (CLOUD, [(OA, "https://api.mistral.ai/v1/chat/completions", BEARER)]),
    "deepseek": (
        CLOUD,
        [
            (OA, "https://api.deepseek.com/v1/chat/completions", BEARER),
            (AN, "https://api.deepseek.com/anthropic/v1/messages", X_API_KEY),
        ],
    ),
    "groq": (CLOUD, [(OA, "https://api.groq.com/openai/v1/chat/completions", BEARER)]),
    "cerebras": (CLOUD, [(OA, "https://api.cerebras.ai/v1/chat/completions", BEARER)]),
    "together": (CLOUD, [(OA, "https://api.together.xyz/v1/chat/completions", BEARER)]),
    "fireworks": (
        CLOUD,
        [(OA, "https://api.fireworks.ai/inference/v1/chat/completions", BEARER)],
    ),
    "perplexity": (CLOUD, [(OA, "https://api.perplexity.ai/chat/completions", BEARER)]),
    "moonshot": (
        CLOUD,
        [
            (OA, "https://api.moonshot.ai/v1/chat/completions", BEARER),
            (AN, "https://api.moonshot.ai/anthropic/v1/messages", BEARER),
        ],
    ),
    "zhipu": (
        CLOUD,
        [
            (OA, "https://api.z.ai/api/paas/v4/chat/completions", BEARER),
            (AN, "https://api.z.ai/api/anthropic/v1/messages", BEARER),
        ],
    ),
    "minimax": (
        CLOUD,
        [
            (OA, "https://api.minimax.io/v1/chat/completions", BEARER),
            (AN, "https://api.minimax.io/anthropic/v1/messages", X_API_KEY),
        ],
    ),
    "qwen": (
        CLOUD,
        [
            (OA, "https://dashscope-intl.aliyuncs.com/compatible-mode/v1/chat/completions", BEARER),
            (AN, "https://dashscope-intl.aliyuncs.com/apps/anthropic/v1/messages", X_API_KEY),
        ],
    ),
    "ollama": (
        LOCAL,
        [
            (OA, "http://localhost:11434/v1/chat/completions", BEARER),
            (AN, "http://localhost:11434/v1/messages", BEARER),
        ],
    ),
    "lm_studio": (
        LOCAL,
        [
            (OA, "http://localhost:1234/v1/chat/completions", BEARER),
            (AN, "http://localhost:1234/v1/messages", BEARER),
            (RS, "http://localhost:1234/v1/responses", BEARER),
        ],
    ),
    "vllm": (
        LOCAL,
        [
            (OA, "http://localhost:8000/v1/chat/completions", BEARER),
            (AN, "http://localhost:8000/v1/messages", BEARER),
        ],
    ),
    "llama_cpp": (
        LOCAL,
        [
            (OA, "http://localhost:8080/v1/chat/completions", BEARER),
            (AN, "http://localhost:8080/v1/messages", BEARER),
        ],
    ),
    "openai_compatible": (GENERIC, [(OA, None, BEARER)]),
    "anthropic_compatible": (GENERIC, [(AN, None, X_API_KEY)]),
    "openai_responses_compatible": (GENERIC, [(RS, None, BEARER)]),
}


def _chat_url(endpoint: Endpoint) -> str | None:
    if endpoint.base_url is None:
        return None
    return endpoint.url(endpoint.base_url, PROTOCOLS[endpoint.api_type].chat_path, "m")


@pytest.mark.parametrize("row", CATALOGUE, ids=lambda s: s.backend_type.value)
def test_each_row_has_its_documented_endpoints(row: ProviderSpec) -> None:
    assert spec_for(row.backend_type) is row
    group, endpoints = EXPECTED[row.backend_type.value]
    assert row.group is group
    assert [(e.api_type, _chat_url(e), e.auth) for e in row.endpoints] == endpoints
    assert row.label and urlsplit(row.docs_url).scheme == "https"
    # A row without a default base URL shows the shape of one instead.
    assert (row.default_base_url is None) == (row.base_url_example is not None)


def test_every_type_has_one_row() -> None:
    assert {spec.backend_type.value for spec in CATALOGUE} == set(EXPECTED)
    assert len(CATALOGUE) == len(EXPECTED)


def test_local_servers_and_generic_rows_need_no_key_and_cloud_rows_do() -> None:
    for spec in CATALOGUE:
        assert spec.key_required is (spec.group is CLOUD), spec.backend_type
        if spec.group is LOCAL:
            assert urlsplit(spec.default_base_url).hostname == "localhost"


def test_endpoints_without_a_documented_listing_are_probed_by_chat() -> None:
    unlisted = {
        (s.backend_type, e.api_type) for s in CATALOGUE for e in s.endpoints if not e.models
    }
    assert unlisted == {
        (BackendType.PERPLEXITY, OA),
        (BackendType.ZHIPU, OA),
        (BackendType.ZHIPU, AN),
        (BackendType.DEEPSEEK, AN),
        (BackendType.MOONSHOT, AN),
        (BackendType.QWEN, AN),
    }
    # Azure lists base models, not the deployments its targets name.
    not_targets = {s.backend_type for s in CATALOGUE if not s.models_list}
    assert not_targets == {BackendType.AZURE_OPENAI, BackendType.PERPLEXITY, BackendType.ZHIPU}
    # A chat probe names no model, which deployment URLs need.
    for spec in CATALOGUE:
        for endpoint in spec.endpoints:
            assert endpoint.models or not endpoint.per_model


def test_every_stored_type_fits_its_column() -> None:
    """Types are stored as text: a new row needs no migration as long as its name fits."""
    column = ProviderRow.__table__.c.backend_type.type
    assert isinstance(column, String) and column.length is not None
    assert max(len(t.value) for t in BackendType) <= column.length


def test_local_is_a_backend_type_but_not_a_cloud_type() -> None:
    assert BackendType("local") is BackendType.LOCAL
    assert BackendType.LOCAL not in CLOUD_TYPES
    assert set(BackendType) - set(CLOUD_TYPES) == {BackendType.LOCAL}
    with pytest.raises(ValueError, match="not a cloud provider type"):
        spec_for(BackendType.LOCAL)


def test_enum_values_are_the_stored_strings() -> None:
    assert [a.value for a in ApiType] == ["openai", "anthropic", "openai_responses"]
    column = ProviderRow.__table__.c.api_type.type
    assert isinstance(column, String) and column.length is not None
    assert max(len(a.value) for a in ApiType) <= column.length
    assert str(BackendType.GROQ) == "groq"
    assert str(BackendType.AZURE_OPENAI) == "azure_openai"


def test_a_protocol_the_row_no_longer_lists_keeps_its_plain_endpoint() -> None:
    endpoint = spec_for(BackendType.GROQ).endpoint(AN)
    assert (endpoint.api_type, endpoint.base_url, endpoint.auth) == (AN, None, X_API_KEY)
    assert endpoint.url("https://h", "/v1/messages") == "https://h/v1/messages"


@pytest.mark.parametrize(
    ("style", "api_type", "expected"),
    [
        (BEARER, OA, {"Authorization": "Bearer k-1"}),
        (X_API_KEY, AN, {"x-api-key": "k-1", "anthropic-version": "2023-06-01"}),
        (BEARER, AN, {"Authorization": "Bearer k-1", "anthropic-version": "2023-06-01"}),
        (AuthStyle.API_KEY, OA, {"api-key": "k-1"}),
    ],
)
def test_the_key_goes_in_the_endpoints_header_beside_the_protocols_own(
    style: AuthStyle, api_type: ApiType, expected: dict[str, str]
) -> None:
    endpoint = Endpoint(api_type, None, style)
    assert endpoint.auth_headers("k-1") == expected
    # Without a key only the protocol's fixed headers remain.
    assert endpoint.auth_headers(None) == {
        k: v for k, v in expected.items() if k == "anthropic-version"
    }


AZURE = spec_for(BackendType.AZURE_OPENAI).endpoint(OA)
RESOURCE = "https://contoso.openai.azure.com"


@pytest.mark.parametrize(
    ("path", "model", "url"),
    [
        (
            "/v1/chat/completions",
            "gpt-4o-prod",
            f"{RESOURCE}/openai/deployments/gpt-4o-prod/chat/completions?api-version=2024-10-21",
        ),
        (
            "/v1/embeddings",
            "text-embedding-3-small",
            f"{RESOURCE}/openai/deployments/text-embedding-3-small/embeddings"
            "?api-version=2024-10-21",
        ),
        (MODELS_PATH, None, f"{RESOURCE}/openai/models?api-version=2024-10-21"),
        ("/v1/chat/completions", "My_Deploy.v2", None),
    ],
)
def test_azure_urls_name_the_deployment_and_the_api_version(
    path: str, model: str | None, url: str | None
) -> None:
    expected = url or (
        f"{RESOURCE}/openai/deployments/{model}/chat/completions?api-version=2024-10-21"
    )
    assert AZURE.url(RESOURCE, path, model) == expected
    assert AZURE.per_model


@pytest.mark.parametrize("model", [None, "", "..", ".", "a/b", "../../x", "a b", "x" * 65, "-x"])
def test_azure_refuses_names_that_are_no_deployment(model: str | None) -> None:
    with pytest.raises(InvalidRequest, match="deployment name") as caught:
        AZURE.url(RESOURCE, "/v1/chat/completions", model)
    assert caught.value.param == "model"


def test_versioned_bases_drop_the_v1_of_protocol_paths() -> None:
    gemini = spec_for(BackendType.GEMINI).endpoint(OA)
    base = "https://generativelanguage.googleapis.com/v1beta/openai"
    assert gemini.url(base, MODELS_PATH) == f"{base}/models"
    assert gemini.url(base, "/v1/embeddings") == f"{base}/embeddings"
    assert not gemini.per_model
