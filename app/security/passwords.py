"""Passwords hashed with Argon2id (memory-hard), via argon2-cffi."""
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# 19 MiB, 2 passes: OWASP's Argon2id baseline; ~20 ms per login on this machine.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# Verifying against this when the account does not exist keeps timing the same either way.
DUMMY_HASH = hash_password("no-such-account-placeholder")


def password_problem(password: str):
    """None when acceptable, else an error code: 8–64 characters, letters and digits."""
    if not isinstance(password, str) or not 8 <= len(password) <= 64:
        return "WEAK_PASSWORD"
    has_letter = any(c.isalpha() for c in password)
    has_digit = any(c.isdigit() for c in password)
    if not (has_letter and has_digit):
        return "WEAK_PASSWORD"
    return None
