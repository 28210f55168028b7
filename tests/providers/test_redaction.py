"""The redactor: a credential's key, its fragments and credential shapes leave upstream text."""

from __future__ import annotations

import pytest

from mlx_manager.providers.redaction import REDACTED, Redactor, redact_shapes

# No public opening: every run of 8 of its characters is secret.
KEY = "cnry7Hq2Lm9Nq4Rs6Tu8Vw0Ab3Cd5Ef7Gh9Ij1Kl3Mn5"
OPENAI = "sk-proj-Zq8vN3kT5wR7yU1iO9pA2sD4fG6hJ8kL0zX3cV5bN7mQ1wE3rT5yU7iO9pA2sD4"


def fragments(key: str, start: int = 0) -> list[str]:
    return [key[i : i + 8] for i in range(start, len(key) - 7)]


def assert_clean(text: str, key: str = KEY, start: int = 0) -> None:
    found = [f for f in fragments(key, start) if f.lower() in text.lower()]
    assert found == [], text


@pytest.mark.parametrize(
    "echo",
    [
        f"Invalid API key: {KEY}",
        f"Incorrect key provided: {KEY[:20]}...{KEY[-6:]}",
        f"key ends in {KEY[-12:]}",
        f"middle {KEY[9:17]} of it",
        f'{{"headers": {{"authorization": "Bearer {KEY}", "x-api-key": "{KEY}"}}}}',
        f"{{'Authorization': 'Bearer {KEY}'}}",
        f"authorization: bearer {KEY.lower()}",
        f"X-API-KEY: {KEY.upper()}",
        f"twice {KEY}{KEY} and again {KEY}",
        f"cut at the end {KEY[:30]}",
    ],
)
def test_the_key_and_every_fragment_of_it_go(echo: str) -> None:
    assert_clean(Redactor(KEY).text(echo))


def test_a_whole_key_is_shown_as_its_last_four() -> None:
    assert Redactor(KEY).text(f"rejected {KEY}.") == "rejected cnr…3Mn5."
    assert Redactor(KEY).text(f"part {KEY[5:25]} here") == f"part {REDACTED} here"


def test_a_public_opening_alone_is_not_a_fragment() -> None:
    redactor = Redactor(OPENAI)
    masked = "Incorrect API key provided: sk-proj-****sD4. Check it."
    assert redactor.text(masked) == masked
    assert redactor.text(f"got {OPENAI}") == "got sk-…2sD4"
    cleaned = redactor.text(f"got {OPENAI[:14]}")
    assert cleaned == f"got {REDACTED}"
    assert_clean(redactor.text(f"{OPENAI[3:40]} {OPENAI[30:]}"), OPENAI)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Authorization: Bearer abcdefghijkl123", "Authorization: Bearer abc…l123"),
        ('{"x-api-key": "plainvalue123456"}', '{"x-api-key": "pla…3456"}'),
        ("api_key=secretvalue99", "api_key=sec…ue99"),
        ("Proxy-Authorization: Basic dXNlcjpwYXNzd29yZA==", "Proxy-Authorization: Basic dXN…ZA=="),
        ("sent bearer eyJhbGciOiJIUzI1NiJ9.payload", "sent bearer eyJ…load"),
        ("gsk_8Hj2Kl4Mn6Pq8Rs0Tu2Vw4Xy6Za8Bc0De2Fg4", "gsk…2Fg4"),
        ("sk-ant-api03-Xy7Kp2Lm9Nq4Rs6Tu8Vw0Ab3Cd5", "sk-…3Cd5"),
        ("xai-Ab12Cd34Ef56Gh78Ij90Kl12", "xai…Kl12"),
        ("hf_AbCdEfGhIjKlMnOpQrStUvWx", "hf_…UvWx"),
        # Not credentials: words, short names, already-masked keys.
        ("Bearer token required", "Bearer token required"),
        ("provider xai-team is cooling down", "provider xai-team is cooling down"),
        (
            "Incorrect API key provided: sk-proj-****5yU7",
            "Incorrect API key provided: sk-proj-****5yU7",
        ),
        ("Authorization: Bearer sk-…abcd", "Authorization: Bearer sk-…abcd"),
        ("the task-abcdefghijklmnopqrst failed", "the task-abcdefghijklmnopqrst failed"),
    ],
)
def test_credential_shapes_are_masked_whoever_owns_them(text: str, expected: str) -> None:
    assert redact_shapes(text) == expected
    assert Redactor(None).text(text) == expected


def test_the_provider_name_is_kept_even_when_shaped_like_a_key() -> None:
    name = "xai-production-europe-1"
    text = f"{name}: rejected Bearer {KEY}"
    assert Redactor(KEY).text(text, keep=name) == f"{name}: rejected Bearer cnr…3Mn5"
    # A name made of the key is no name to keep.
    assert_clean(Redactor(KEY).text(f"{KEY[:12]}: {KEY}", keep=KEY[:12]))


def test_short_keys_go_whole() -> None:
    assert Redactor("abc123").text("key ABC123 refused") == f"key {REDACTED} refused"


def test_relayed_chunks_pass_untouched_until_an_error_event() -> None:
    relay = Redactor(KEY).relay()
    content = b'data: {"choices":[{"delta":{"content":"Bearer abcdefghijklmnop"}}]}\n\n'
    assert relay.chunk(content) is content
    error = f'data: {{"error": {{"message": "bad key {KEY}"}}}}\n\n'.encode()
    cleaned = relay.chunk(error)
    assert KEY.encode() not in cleaned and b"cnr\xe2\x80\xa63Mn5" in cleaned
    # From the error on, every chunk is redacted: the rest of the event may follow later.
    assert_clean(relay.chunk(KEY[10:].encode() + b'"}}\n\n').decode())


def test_a_responses_stream_names_no_error_until_it_has_one() -> None:
    relay = Redactor(KEY).relay()
    created = b'event: response.created\ndata: {"response":{"error":null,"id":"r"}}\n\n'
    spaced = b'data: {"response": {"error" : null, "text": "Bearer abcdefghijklmnop"}}\n\n'
    assert relay.chunk(created) is created and relay.chunk(spaced) is spaced
    failed = f'data: {{"type":"response.failed","response":{{"error":{{"message":"{KEY}"}}}}}}\n\n'
    assert_clean(relay.chunk(failed.encode()).decode())
    event = f'data: {{"type":"error","message":"bad key {KEY}"}}\n\n'
    assert_clean(Redactor(KEY).relay().chunk(event.encode()).decode())


def test_an_error_mark_cut_between_chunks_still_turns_redaction_on() -> None:
    relay = Redactor(KEY).relay()
    assert relay.chunk(b'data: {"err') == b'data: {"err'
    rest = relay.chunk(f'or": {{"message": "{KEY}"}}}}\n\n'.encode())
    assert_clean(rest.decode())


def test_bytes_that_are_not_utf8_survive_a_redacted_chunk() -> None:
    relay = Redactor(KEY).relay()
    chunk = b'{"error": "\xff\xfe ' + KEY.encode() + b'"}'
    cleaned = relay.chunk(chunk)
    assert cleaned.startswith(b'{"error": "\xff\xfe ') and KEY.encode() not in cleaned
