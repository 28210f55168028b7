from mlx_manager.protocols.table import ApiType
from mlx_manager.providers.catalogue import (
    CATALOGUE,
    CLOUD_TYPES,
    BackendType,
    spec_for,
)

EXPECTED = {
    "openai": ("openai", "https://api.openai.com"),
    "anthropic": ("anthropic", "https://api.anthropic.com"),
    "together": ("openai", "https://api.together.xyz"),
    "groq": ("openai", "https://api.groq.com/openai"),
    "fireworks": ("openai", "https://api.fireworks.ai/inference"),
    "mistral": ("openai", "https://api.mistral.ai"),
    "deepseek": ("openai", "https://api.deepseek.com"),
    "openai_compatible": ("openai", None),
    "anthropic_compatible": ("anthropic", None),
}


def test_every_cloud_type_has_one_row_with_its_protocol_and_default_url() -> None:
    assert {spec.backend_type.value for spec in CATALOGUE} == set(EXPECTED)
    for spec in CATALOGUE:
        assert (spec.api_type.value, spec.default_base_url) == EXPECTED[spec.backend_type.value]
        assert spec.label


def test_local_is_a_backend_type_but_not_a_cloud_type() -> None:
    assert BackendType("local") is BackendType.LOCAL
    assert BackendType.LOCAL not in CLOUD_TYPES
    assert set(BackendType) - set(CLOUD_TYPES) == {BackendType.LOCAL}


def test_compatible_types_follow_their_name() -> None:
    assert spec_for(BackendType.OPENAI_COMPATIBLE).api_types == (ApiType.OPENAI,)
    assert spec_for(BackendType.ANTHROPIC_COMPATIBLE).api_types == (ApiType.ANTHROPIC,)


def test_enum_values_are_the_stored_strings() -> None:
    assert [a.value for a in ApiType] == ["openai", "anthropic"]
    assert str(BackendType.GROQ) == "groq"
