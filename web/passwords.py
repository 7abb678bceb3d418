"""Password hashing with bcrypt, safe for passwords longer than bcrypt's 72-byte input."""

import base64
import hashlib

import bcrypt


def _prehash(password):
    # bcrypt reads at most 72 bytes; hashing first keeps long passphrases whole
    # (no silent truncation) and base64 keeps NUL bytes out of bcrypt's input.
    return base64.b64encode(hashlib.sha256(password.encode("utf-8")).digest())


def hash_password(password, rounds=12):
    """A bcrypt hash string of `password` at the given cost."""
    return bcrypt.hashpw(_prehash(password), bcrypt.gensalt(rounds)).decode("ascii")


def verify_password(password, password_hash):
    """True when `password` matches `password_hash`."""
    try:
        return bcrypt.checkpw(_prehash(password), password_hash.encode("ascii"))
    except ValueError:
        return False
