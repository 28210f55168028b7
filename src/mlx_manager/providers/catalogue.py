"""The provider catalogue: one row per backend type. Adding a provider is adding a row.

A row holds the facts a provider's requests depend on: each protocol it serves (its default base
URL, how a key is sent, where the protocol's paths live under that base), whether its model list
names what a target may ask for, and where its documentation is. Base URLs and auth styles are
the providers' documented ones (each row's ``docs_url``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from mlx_manager.errors import InvalidRequest
from mlx_manager.protocols.table import PROTOCOLS, ApiType

# The model listing's path, as protocols write their paths (``/v1/...``).
MODELS_PATH = "/v1/models"
# The part of each protocol path that a row's ``Endpoint.version`` stands in for.
_V1 = "/v1"
# What Azure accepts as a deployment name; anything else (``..``, a slash) could only lead
# elsewhere on the resource, so it is refused rather than sent.
_DEPLOYMENT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


class BackendType(StrEnum):
    LOCAL = "local"
    OPENAI = "openai"
    ANTHROPIC = "anthropic"
    TOGETHER = "together"
    GROQ = "groq"
    FIREWORKS = "fireworks"
    MISTRAL = "mistral"
    DEEPSEEK = "deepseek"
    GEMINI = "gemini"
    OPENROUTER = "openrouter"
    XAI = "xai"
    CEREBRAS = "cerebras"
    PERPLEXITY = "perplexity"
    AZURE_OPENAI = "azure_openai"
    MOONSHOT = "moonshot"
    ZHIPU = "zhipu"
    MINIMAX = "minimax"
    QWEN = "qwen"
    OLLAMA = "ollama"
    LM_STUDIO = "lm_studio"
    VLLM = "vllm"
    LLAMA_CPP = "llama_cpp"
    OPENAI_COMPATIBLE = "openai_compatible"
    ANTHROPIC_COMPATIBLE = "anthropic_compatible"
    OPENAI_RESPONSES_COMPATIBLE = "openai_responses_compatible"


class ProviderGroup(StrEnum):
    """How the provider form groups the types."""

    CLOUD = "cloud"
    LOCAL_SERVER = "local_server"
    GENERIC = "generic"


class AuthStyle(StrEnum):
    """The header a key travels in."""

    # ``Authorization: Bearer <key>``: OpenAI's, and many Anthropic-protocol endpoints'.
    BEARER = "bearer"
    # ``x-api-key: <key>``: Anthropic's own.
    X_API_KEY = "x-api-key"
    # ``api-key: <key>``: Azure OpenAI's.
    API_KEY = "api-key"


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One protocol a provider serves: where it lives by default and how a key goes with it."""

    api_type: ApiType
    # None: the user must give a base URL.
    base_url: str | None
    auth: AuthStyle
    # What stands where protocol paths say ``/v1``: most bases take ``/v1/chat/completions``,
    # a versioned base (Gemini's ``.../v1beta/openai``, Z.ai's ``.../api/paas/v4``) takes
    # ``/chat/completions``.
    version: str = _V1
    # Set for Azure OpenAI's deployment URLs: a target's model names the deployment, and every
    # call carries this ``api-version``
    # (``{base}/openai/deployments/{model}/chat/completions?api-version=...``).
    deployment_api_version: str | None = None
    # Whether a model listing is served here. Where none is (or none is documented), a
    # connection test POSTs an empty body to the chat path instead: a key refused answers
    # 401/403, a key accepted the body's 400 or 422, and no tokens are spent.
    models: bool = True

    def url(self, base_url: str, path: str, model: str | None = None) -> str:
        """Where ``path`` (a protocol path such as ``/v1/chat/completions``) is served at
        ``base_url``; ``model`` matters only to deployment URLs, where it is required for
        everything but the model listing."""
        rest = path.removeprefix(_V1)
        api_version = self.deployment_api_version
        if api_version is None:
            return base_url + self.version + rest
        if path == MODELS_PATH:
            return f"{base_url}/openai{rest}?api-version={api_version}"
        if model is None or not _DEPLOYMENT_NAME.fullmatch(model):
            raise InvalidRequest(
                f"'{model}' is not an Azure OpenAI deployment name (letters, digits, '.', '_'"
                " and '-', up to 64): a target's model names the deployment",
                param="model",
            )
        return f"{base_url}/openai/deployments/{model}{rest}?api-version={api_version}"

    @property
    def per_model(self) -> bool:
        """Whether the URL depends on the model (and so cannot be cached by path)."""
        return self.deployment_api_version is not None

    @property
    def models_list(self) -> bool:
        """Whether the listing names what a target may ask for: a deployment URL's names
        deployments, which Azure's listing (of base models) does not."""
        return self.models and not self.per_model

    def auth_headers(self, api_key: str | None) -> dict[str, str]:
        """The protocol's own fixed headers (such as ``anthropic-version``), and the key in
        this endpoint's header when there is one."""
        headers = PROTOCOLS[self.api_type].auth_headers(None)
        if api_key:
            name, value = _AUTH_HEADERS[self.auth]
            headers[name] = value.format(key=api_key)
        return headers


_AUTH_HEADERS = {
    AuthStyle.BEARER: ("Authorization", "Bearer {key}"),
    AuthStyle.X_API_KEY: ("x-api-key", "{key}"),
    AuthStyle.API_KEY: ("api-key", "{key}"),
}


def openai(
    base_url: str | None,
    *,
    auth: AuthStyle = AuthStyle.BEARER,
    version: str = _V1,
    models: bool = True,
) -> Endpoint:
    return Endpoint(ApiType.OPENAI, base_url, auth, version, models=models)


def anthropic(
    base_url: str | None, *, auth: AuthStyle = AuthStyle.X_API_KEY, models: bool = True
) -> Endpoint:
    return Endpoint(ApiType.ANTHROPIC, base_url, auth, models=models)


def responses(base_url: str | None) -> Endpoint:
    """OpenAI's Responses API, at ``/v1/responses`` beside an OpenAI-style model listing."""
    return Endpoint(ApiType.OPENAI_RESPONSES, base_url, AuthStyle.BEARER)


@dataclass(frozen=True, slots=True)
class ProviderSpec:
    backend_type: BackendType
    label: str
    group: ProviderGroup
    # The protocols a credential of this type may choose; the first is the default.
    endpoints: tuple[Endpoint, ...]
    docs_url: str
    # Whether a key is normally needed; local and compatible servers often run without one.
    key_required: bool = True
    # Whether the provider also serves OpenAI's Responses API, a fact for the UI. Where the
    # gateway can call it there (a documented base URL and bearer key), the row also lists a
    # Responses endpoint.
    responses: bool = False
    # OpenAI's own API wants ``max_completion_tokens`` (reasoning models refuse ``max_tokens``);
    # compatible servers commonly know only ``max_tokens``.
    max_tokens_field: Literal["max_tokens", "max_completion_tokens"] = "max_tokens"
    # Whether its Anthropic endpoint takes ``output_config.format`` (structured outputs), so a
    # JSON schema asked for is sent as one; Anthropic-compatible servers get a forced tool.
    json_schema_output: bool = False
    # The base URL's shape, shown as a placeholder where there is no default.
    base_url_example: str | None = None
    # What a user should know when adding one (shown beside the form).
    note: str | None = None

    @property
    def api_type(self) -> ApiType:
        return self.endpoints[0].api_type

    @property
    def api_types(self) -> tuple[ApiType, ...]:
        return tuple(endpoint.api_type for endpoint in self.endpoints)

    @property
    def models_list(self) -> bool:
        """Whether the default protocol's listing names what targets may ask for."""
        return self.endpoints[0].models_list

    @property
    def default_base_url(self) -> str | None:
        return self.endpoints[0].base_url

    def endpoint(self, api_type: ApiType) -> Endpoint:
        """The endpoint of ``api_type``. A credential stored with a protocol its row no longer
        lists keeps working with that protocol's plain endpoint (its own auth, ``/v1`` paths)."""
        for endpoint in self.endpoints:
            if endpoint.api_type is api_type:
                return endpoint
        auth = AuthStyle.X_API_KEY if api_type is ApiType.ANTHROPIC else AuthStyle.BEARER
        return Endpoint(api_type, None, auth)


_KEYLESS = "Runs without a key unless the server was started with one."

CATALOGUE: tuple[ProviderSpec, ...] = (
    ProviderSpec(
        BackendType.OPENAI,
        "OpenAI",
        ProviderGroup.CLOUD,
        (openai("https://api.openai.com"), responses("https://api.openai.com")),
        "https://platform.openai.com/docs/api-reference/chat",
        responses=True,
        max_tokens_field="max_completion_tokens",
    ),
    ProviderSpec(
        BackendType.ANTHROPIC,
        "Anthropic",
        ProviderGroup.CLOUD,
        (anthropic("https://api.anthropic.com"),),
        "https://docs.anthropic.com/en/api/messages",
        json_schema_output=True,
    ),
    ProviderSpec(
        BackendType.GEMINI,
        "Google Gemini",
        ProviderGroup.CLOUD,
        (openai("https://generativelanguage.googleapis.com/v1beta/openai", version=""),),
        "https://ai.google.dev/gemini-api/docs/openai",
    ),
    ProviderSpec(
        BackendType.AZURE_OPENAI,
        "Azure OpenAI",
        ProviderGroup.CLOUD,
        (Endpoint(ApiType.OPENAI, None, AuthStyle.API_KEY, deployment_api_version="2024-10-21"),),
        "https://learn.microsoft.com/en-us/azure/ai-foundry/openai/reference",
        responses=True,
        base_url_example="https://YOUR-RESOURCE.openai.azure.com",
        note="The base URL is the resource's endpoint; a target's model is a deployment name.",
    ),
    ProviderSpec(
        BackendType.OPENROUTER,
        "OpenRouter",
        ProviderGroup.CLOUD,
        (
            openai("https://openrouter.ai/api"),
            anthropic("https://openrouter.ai/api", auth=AuthStyle.BEARER),
            responses("https://openrouter.ai/api"),
        ),
        "https://openrouter.ai/docs/api-reference/overview",
        responses=True,
    ),
    ProviderSpec(
        BackendType.XAI,
        "xAI",
        ProviderGroup.CLOUD,
        (openai("https://api.x.ai"), responses("https://api.x.ai")),
        "https://docs.x.ai/docs/api-reference",
        responses=True,
    ),
    ProviderSpec(
        BackendType.MISTRAL,
        "Mistral",
        ProviderGroup.CLOUD,
        (openai("https://api.mistral.ai"),),
        "https://docs.mistral.ai/api/",
    ),
    # DeepSeek serves the Anthropic protocol under /anthropic, with no model listing there.
    ProviderSpec(
        BackendType.DEEPSEEK,
        "DeepSeek",
        ProviderGroup.CLOUD,
        (
            openai("https://api.deepseek.com"),
            anthropic("https://api.deepseek.com/anthropic", models=False),
        ),
        "https://api-docs.deepseek.com/",
    ),
    ProviderSpec(
        BackendType.GROQ,
        "Groq",
        ProviderGroup.CLOUD,
        (openai("https://api.groq.com/openai"),),
        "https://console.groq.com/docs/openai",
    ),
    ProviderSpec(
        BackendType.CEREBRAS,
        "Cerebras",
        ProviderGroup.CLOUD,
        (openai("https://api.cerebras.ai"),),
        "https://inference-docs.cerebras.ai/resources/openai",
    ),
    ProviderSpec(
        BackendType.TOGETHER,
        "Together AI",
        ProviderGroup.CLOUD,
        (openai("https://api.together.xyz"),),
        "https://docs.together.ai/docs/openai-api-compatibility",
    ),
    ProviderSpec(
        BackendType.FIREWORKS,
        "Fireworks AI",
        ProviderGroup.CLOUD,
        (openai("https://api.fireworks.ai/inference"),),
        "https://docs.fireworks.ai/tools-sdks/openai-compatibility",
    ),
    # Perplexity serves /chat/completions at its root and lists no models.
    ProviderSpec(
        BackendType.PERPLEXITY,
        "Perplexity",
        ProviderGroup.CLOUD,
        (openai("https://api.perplexity.ai", version="", models=False),),
        "https://docs.perplexity.ai/api-reference/chat-completions-post",
    ),
    # The Chinese providers' Anthropic endpoints are documented for Claude Code's
    # ANTHROPIC_AUTH_TOKEN (a bearer token) or ANTHROPIC_API_KEY (x-api-key), as each row says;
    # only MiniMax documents a model listing beside one. Z.ai documents none at all.
    ProviderSpec(
        BackendType.MOONSHOT,
        "Moonshot AI (Kimi)",
        ProviderGroup.CLOUD,
        (
            openai("https://api.moonshot.ai"),
            anthropic("https://api.moonshot.ai/anthropic", auth=AuthStyle.BEARER, models=False),
        ),
        "https://platform.moonshot.ai/docs/api/chat",
        note="Mainland China accounts use https://api.moonshot.cn.",
    ),
    ProviderSpec(
        BackendType.ZHIPU,
        "Zhipu GLM (Z.ai)",
        ProviderGroup.CLOUD,
        (
            openai("https://api.z.ai/api/paas/v4", version="", models=False),
            anthropic("https://api.z.ai/api/anthropic", auth=AuthStyle.BEARER, models=False),
        ),
        "https://docs.z.ai/api-reference/introduction",
        note="Mainland China accounts use https://open.bigmodel.cn/api/paas/v4"
        " (Anthropic protocol: https://open.bigmodel.cn/api/anthropic).",
    ),
    ProviderSpec(
        BackendType.MINIMAX,
        "MiniMax",
        ProviderGroup.CLOUD,
        (openai("https://api.minimax.io"), anthropic("https://api.minimax.io/anthropic")),
        "https://platform.minimax.io/docs/api-reference/text-anthropic-api",
        responses=True,
        note="Mainland China accounts use https://api.minimaxi.com.",
    ),
    ProviderSpec(
        BackendType.QWEN,
        "Qwen (DashScope)",
        ProviderGroup.CLOUD,
        (
            openai("https://dashscope-intl.aliyuncs.com/compatible-mode"),
            anthropic("https://dashscope-intl.aliyuncs.com/apps/anthropic", models=False),
        ),
        "https://www.alibabacloud.com/help/en/model-studio/anthropic-api-messages",
        note="The international (Singapore) endpoint; mainland China accounts use"
        " https://dashscope.aliyuncs.com.",
    ),
    # Local servers serve both protocols at one base and read a key, when started with one,
    # as a bearer token.
    ProviderSpec(
        BackendType.OLLAMA,
        "Ollama",
        ProviderGroup.LOCAL_SERVER,
        (
            openai("http://localhost:11434"),
            anthropic("http://localhost:11434", auth=AuthStyle.BEARER),
        ),
        "https://docs.ollama.com/api/openai-compatibility",
        key_required=False,
        note=_KEYLESS,
    ),
    ProviderSpec(
        BackendType.LM_STUDIO,
        "LM Studio",
        ProviderGroup.LOCAL_SERVER,
        (
            openai("http://localhost:1234"),
            anthropic("http://localhost:1234", auth=AuthStyle.BEARER),
            responses("http://localhost:1234"),
        ),
        "https://lmstudio.ai/docs/developer/openai-compat",
        key_required=False,
        responses=True,
        note=_KEYLESS,
    ),
    ProviderSpec(
        BackendType.VLLM,
        "vLLM",
        ProviderGroup.LOCAL_SERVER,
        (
            openai("http://localhost:8000"),
            anthropic("http://localhost:8000", auth=AuthStyle.BEARER),
        ),
        "https://docs.vllm.ai/en/stable/serving/openai_compatible_server.html",
        key_required=False,
        note=_KEYLESS,
    ),
    ProviderSpec(
        BackendType.LLAMA_CPP,
        "llama.cpp server",
        ProviderGroup.LOCAL_SERVER,
        (
            openai("http://localhost:8080"),
            anthropic("http://localhost:8080", auth=AuthStyle.BEARER),
        ),
        "https://github.com/ggml-org/llama.cpp/blob/master/tools/server/README.md",
        key_required=False,
        note=_KEYLESS,
    ),
    ProviderSpec(
        BackendType.OPENAI_COMPATIBLE,
        "OpenAI-compatible",
        ProviderGroup.GENERIC,
        (openai(None),),
        "https://platform.openai.com/docs/api-reference/chat",
        key_required=False,
        base_url_example="https://llm.example.com",
    ),
    ProviderSpec(
        BackendType.ANTHROPIC_COMPATIBLE,
        "Anthropic-compatible",
        ProviderGroup.GENERIC,
        (anthropic(None),),
        "https://docs.anthropic.com/en/api/messages",
        key_required=False,
        base_url_example="https://llm.example.com",
    ),
    ProviderSpec(
        BackendType.OPENAI_RESPONSES_COMPATIBLE,
        "OpenAI Responses-compatible",
        ProviderGroup.GENERIC,
        (responses(None),),
        "https://platform.openai.com/docs/api-reference/responses",
        key_required=False,
        responses=True,
        base_url_example="https://llm.example.com",
        note="For models served only over the Responses API (/v1/responses).",
    ),
)

_BY_TYPE = {spec.backend_type: spec for spec in CATALOGUE}


def spec_for(backend_type: BackendType) -> ProviderSpec:
    """The catalogue row of a cloud type; ``local`` has none (it is not a credential)."""
    try:
        return _BY_TYPE[backend_type]
    except KeyError:
        raise ValueError(f"'{backend_type}' is not a cloud provider type") from None


CLOUD_TYPES: tuple[BackendType, ...] = tuple(spec.backend_type for spec in CATALOGUE)
