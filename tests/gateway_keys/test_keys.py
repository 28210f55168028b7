"""Keys: generated with a prefix, found by hash, scoped by model globs, expiring."""

from __future__ import annotations

from mlx_manager.gateway_keys.keys import GatewayKey, KeyTable, generate_key, hash_key


def test_the_table_finds_a_key_by_its_hash_only() -> None:
    key = generate_key()
    assert key.startswith("mmk_") and len(key) > 40
    table = KeyTable([(hash_key(key), GatewayKey(id=1, name="ci"))])
    found = table.find(key)
    assert found is not None and found.name == "ci"
    assert table.find(key + "x") is None
    assert table.find(hash_key(key)) is None
    assert table.find("sk-whatever") is None


def test_model_patterns_are_globs_and_empty_means_any() -> None:
    anything = GatewayKey(id=1, name="a")
    scoped = GatewayKey(id=2, name="b", model_patterns=("gpt-4o*", "groq-team/*"))
    assert anything.allows_model("whatever/model")
    assert scoped.allows_model("gpt-4o-mini")
    assert scoped.allows_model("groq-team/llama-3.1-8b")
    assert not scoped.allows_model("claude-sonnet")
    assert not scoped.allows_model("my-gpt-4o")


def test_expiry() -> None:
    key = GatewayKey(id=1, name="a", expires_at=100.0)
    assert not key.expired(99.0)
    assert key.expired(100.0)
    assert not GatewayKey(id=2, name="b").expired(1e12)
