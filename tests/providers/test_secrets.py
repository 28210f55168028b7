import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from mlx_manager.providers.secrets import (
    KeyCipher,
    UndecryptableKey,
    load_or_create_secret,
    mask,
)

KEY = "sk-live-0123456789abcdef"


def test_round_trip_and_ciphertext_hides_the_key() -> None:
    cipher = KeyCipher("a passphrase")
    sealed = cipher.encrypt(KEY)
    assert KEY not in sealed
    assert cipher.decrypt(sealed) == KEY
    # Fernet tokens are randomised: equal keys do not give equal ciphertexts.
    assert cipher.encrypt(KEY) != sealed


def test_a_real_fernet_key_is_used_as_is() -> None:
    raw = Fernet.generate_key().decode()
    assert Fernet(raw.encode()).decrypt(KeyCipher(raw).encrypt("x").encode()) == b"x"


def test_another_secret_cannot_decrypt() -> None:
    sealed = KeyCipher("one").encrypt(KEY)
    with pytest.raises(UndecryptableKey):
        KeyCipher("two").decrypt(sealed)


def test_generated_secret_is_private_and_stable(tmp_path: Path) -> None:
    first = load_or_create_secret(tmp_path, None)
    path = tmp_path / "secret.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_secret(tmp_path, None) == first
    assert load_or_create_secret(tmp_path, "configured") == "configured"


def test_mask_shows_only_the_last_four() -> None:
    assert mask(KEY) == "sk-…cdef"
    assert mask("short") == "…"
