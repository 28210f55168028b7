import pytest

from mlx_manager.providers.urls import InvalidBaseUrl, api_url, normalize_base_url


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("https://api.groq.com/openai", "https://api.groq.com/openai"),
        ("https://api.groq.com/openai/", "https://api.groq.com/openai"),
        ("https://api.groq.com/openai/v1", "https://api.groq.com/openai"),
        ("https://api.groq.com/openai/v1/", "https://api.groq.com/openai"),
        ("  http://127.0.0.1:8000/V1  ", "http://127.0.0.1:8000"),
        ("http://host:8000//", "http://host:8000"),
        ("http://host/v1beta", "http://host/v1beta"),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_normalisation_never_leaves_a_trailing_slash_or_v1(
    typed: str | None, stored: str | None
) -> None:
    assert normalize_base_url(typed) == stored


def test_no_url_is_ever_doubled() -> None:
    for typed in ("http://h/v1", "http://h/v1/", "http://h", "http://h/"):
        base = normalize_base_url(typed)
        assert base is not None
        assert api_url(base, "/v1/models") == "http://h/v1/models"


@pytest.mark.parametrize(
    "bad", ["ftp://host", "host.com", "http://", "javascript:alert(1)", "http://h/?a=1"]
)
def test_non_http_urls_are_refused(bad: str) -> None:
    with pytest.raises(InvalidBaseUrl):
        normalize_base_url(bad)
