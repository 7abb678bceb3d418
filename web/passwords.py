"""Password hashing with bcrypt, safe for passwords longer than bcrypt's 72-byte input."""

import base64
import hashlib
from pathlib import Path

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


MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_BYTES = 1024
_COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")
_common_passwords = None


def _is_common(password):
    global _common_passwords
    if _common_passwords is None:
        lines = _COMMON_PASSWORDS_FILE.read_text().splitlines()
        _common_passwords = {line.strip().lower() for line in lines if line.strip() and not line.startswith("#")}
    return password.strip().lower() in _common_passwords


def password_problem(password, email=None):
    """Why `password` may not be used as a new password, or None when it may."""
    if not isinstance(password, str):
        return "Password must be a string"
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Password must be at least {MIN_PASSWORD_LENGTH} characters"
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        return f"Password must be at most {MAX_PASSWORD_BYTES} bytes"
    if _is_common(password) or (email and password.strip().lower() == email.strip().lower()):
        return "Password is too common: choose a longer passphrase, e.g. four unrelated words"
    return None
