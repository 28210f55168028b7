"""Password hashing with Argon2id, off the event loop and a few at a time.

Each hash costs tens of milliseconds and 64 MiB, so hashing runs in worker threads behind a small
capacity limit: a burst of sign-in attempts queues instead of exhausting memory.
"""

from __future__ import annotations

import anyio
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# Verified when the username is unknown, so a miss takes as long as a wrong password. A stored
# hash (of "not-a-password", with PasswordHasher's default cost) rather than one made at start-up,
# which would cost a sixth of a second and 64 MiB on every start.
_DUMMY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$CJLtNvf/42Zg8RrKkfL+Ow"
    "$rrVQX88BN4IH5S7gjcsDENNKeZpo4RlCsT0PD25tDK0"
)


class Passwords:
    def __init__(self, *, concurrency: int = 4) -> None:
        self._hasher = PasswordHasher()
        self._limit = anyio.CapacityLimiter(concurrency)

    async def hash(self, password: str) -> str:
        return await anyio.to_thread.run_sync(self._hasher.hash, password, limiter=self._limit)

    async def verify(self, stored_hash: str | None, password: str) -> bool:
        """Whether ``password`` matches; ``stored_hash`` None (no such user) never matches."""
        target = stored_hash if stored_hash is not None else _DUMMY_HASH
        matched = await anyio.to_thread.run_sync(self._check, target, password, limiter=self._limit)
        return matched and stored_hash is not None

    def _check(self, stored_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(stored_hash, password)
        except (VerificationError, InvalidHashError):
            return False
