import pytest

from mlx_manager.providers.catalogue import openai
from mlx_manager.providers.urls import (
    InvalidBaseUrl,
    link_local_problem,
    normalize_base_url,
    origin,
)


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
        assert openai(None).url(base, "/v1/models") == "http://h/v1/models"


@pytest.mark.parametrize(
    "bad", ["ftp://host", "host.com", "http://", "javascript:alert(1)", "http://h/?a=1"]
)
def test_non_http_urls_are_refused(bad: str) -> None:
    with pytest.raises(InvalidBaseUrl):
        normalize_base_url(bad)


@pytest.mark.parametrize(
    "bad",
    [
        "http://h\r\nx-injected: 1",
        "http://host\n/v1",
        "http://ho\tst",
        "http://host/a b",
        "http://host/\x00",
        "http://host/\x7f",
        "http://host/\u200bv1",
        "http://host\\@evil.example",
        "http://host:99999",
        "http://host:0",
        "http://host:port",
        "http://:8000",
    ],
)
def test_urls_that_could_never_be_called_are_refused(bad: str) -> None:
    with pytest.raises(InvalidBaseUrl):
        normalize_base_url(bad)


@pytest.mark.parametrize(
    "bad",
    [
        "https://user:s3cr3t@api.example.com",
        "https://s3cr3t@api.example.com/v1",
        "http://:s3cr3t@host:8000",
        "http://user@host",
        "http://@host",
    ],
)
def test_urls_with_credentials_in_them_are_refused(bad: str) -> None:
    with pytest.raises(InvalidBaseUrl, match="api_key") as raised:
        normalize_base_url(bad)
    assert "s3cr3t" not in str(raised.value)


def test_an_at_sign_in_the_path_is_not_a_credential() -> None:
    assert normalize_base_url("http://host/@team/v1") == "http://host/@team"


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254",
        "http://169.254.170.2/v2",
        "http://169.254.0.1:8080",
        "http://2852039166",
        "http://0xa9fea9fe",
        "http://0251.0376.0251.0376",
        "http://169.254.43518",
        "http://169.254.169.254.",
        "http://[fe80::1]",
        "http://[fe80::1%25eth0]:8000",
        "http://[::ffff:169.254.169.254]",
        "http://[64:ff9b::a9fe:a9fe]",
        "http://[fd00:ec2::254]",
        "http://100.100.100.200",
        "http://metadata.google.internal",
        "http://METADATA.google.internal.",
        "http://metadata.goog",
        "http://instance-data.ec2.internal",
    ],
)
def test_link_local_and_metadata_addresses_are_named(url: str) -> None:
    assert link_local_problem(url) is not None


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:11434",
        "http://localhost:1234",
        "http://[::1]:8000",
        "http://10.0.0.5:8000",
        "http://192.168.1.20",
        "http://172.16.0.9",
        "http://100.64.0.1",
        "http://100.100.100.201",
        "http://[fd12:3456::1]",
        "http://gpu-box:8000",
        "https://api.groq.com/openai",
        "http://cafe",
    ],
)
def test_loopback_private_and_public_addresses_are_fine(url: str) -> None:
    assert link_local_problem(url) is None


def test_an_origin_is_scheme_host_and_port() -> None:
    assert origin("https://api.groq.com/openai") == origin("https://API.groq.com.:443/other")
    assert origin("http://h") == "http://h:80"
    assert origin("http://[::1]:8000/x") == "http://[::1]:8000"
    assert origin("http://h") != origin("https://h")
    assert origin("http://h:8000") != origin("http://h:8001")
