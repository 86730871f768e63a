"""Password hashes: salted scrypt at OWASP's parameters, checked in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from engine.settings import Settings

# OWASP Password Storage Cheat Sheet: scrypt with N=2^17 (128 MiB), r=8, p=1.
OWASP_N, OWASP_R, OWASP_P = 2**17, 8, 1
DIGEST_BYTES = 32
SALT_BYTES = 16
_SLACK = 1024 * 1024  # OpenSSL's own buffers besides scrypt's V and B arrays


@dataclass(frozen=True)
class ScryptCost:
    """scrypt's work factors; a stored hash carries the ones it was made with."""

    n: int = OWASP_N
    r: int = OWASP_R
    p: int = OWASP_P

    @property
    def maxmem(self) -> int:
        """The memory scrypt needs (OpenSSL refuses more than `maxmem`, 32 MiB by default)."""
        return 128 * self.r * (self.n + 2) + 128 * self.r * self.p + _SLACK


def current_cost() -> ScryptCost:
    """The cost new hashes get: OWASP's unless REGLAMENT_PASSWORD_SCRYPT_N lowers it (tests)."""
    return ScryptCost(n=Settings.from_env().password_scrypt_n)


def hash_password(password: str, cost: ScryptCost | None = None) -> str:
    """A salted scrypt hash in the form scrypt$n$r$p$salt$hash."""
    cost = cost or current_cost()
    salt = secrets.token_bytes(SALT_BYTES)
    digest = scrypt(password, salt, cost)
    return f"scrypt${cost.n}${cost.r}${cost.p}${salt.hex()}${digest.hex()}"


def check_password(stored: str, password: str) -> bool:
    """Whether `password` matches a stored hash (constant-time comparison)."""
    parsed = _parse(stored)
    if parsed is None:
        return False
    cost, salt, digest = parsed
    return hmac.compare_digest(scrypt(password, salt, cost), digest)


def check_dummy(password: str) -> None:
    """Spend what a real check costs, so an unknown login answers as slowly as a known one."""
    check_password(_DUMMY_PREFIX.format(cost=current_cost()), password)


def needs_rehash(stored: str) -> bool:
    """Whether a hash was made with other parameters than new hashes get."""
    parsed = _parse(stored)
    return parsed is None or parsed[0] != current_cost()


def scrypt(password: str, salt: bytes, cost: ScryptCost) -> bytes:
    """The scrypt digest of a password (the one place that hashes)."""
    return hashlib.scrypt(
        password.encode("utf-8"),
        salt=salt,
        n=cost.n,
        r=cost.r,
        p=cost.p,
        maxmem=cost.maxmem,
        dklen=DIGEST_BYTES,
    )


def _parse(stored: str) -> tuple[ScryptCost, bytes, bytes] | None:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return None
        return ScryptCost(int(n), int(r), int(p)), bytes.fromhex(salt), bytes.fromhex(digest)
    except ValueError:
        return None


# A hash of nothing at the current cost: checking against it costs what a real check does.
_DUMMY_PREFIX = "scrypt${cost.n}${cost.r}${cost.p}$" + "00" * SALT_BYTES + "$" + "00" * DIGEST_BYTES
