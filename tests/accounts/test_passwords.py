"""Argon2 password hashes: verify, refuse, and never match a missing user."""

from __future__ import annotations

from mlx_manager.accounts.passwords import Passwords


async def test_a_hash_verifies_its_password_only() -> None:
    passwords = Passwords()
    stored = await passwords.hash("correct horse battery")
    assert stored.startswith("$argon2id$")
    assert "correct horse" not in stored
    assert await passwords.verify(stored, "correct horse battery")
    assert not await passwords.verify(stored, "correct horse battery!")


async def test_no_stored_hash_never_matches_even_the_dummy_password() -> None:
    passwords = Passwords()
    assert not await passwords.verify(None, "not-a-password")
    assert not await passwords.verify("garbage", "anything")


def test_the_stored_dummy_hash_costs_what_a_real_one_does() -> None:
    from argon2 import PasswordHasher
    from argon2.low_level import Type

    from mlx_manager.accounts.passwords import _DUMMY_HASH

    hasher = PasswordHasher()
    assert hasher.verify(_DUMMY_HASH, "not-a-password")
    assert not hasher.check_needs_rehash(_DUMMY_HASH)  # same parameters as new hashes
    assert hasher.type is Type.ID
