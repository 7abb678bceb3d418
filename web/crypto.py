"""The app's master secret: session signing and encryption of secret settings at rest."""

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app

KEY_FILE_NAME = "secret.key"


def _read_or_create_key_file(data_dir):
    path = Path(data_dir) / KEY_FILE_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: two processes starting together cannot both write a key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def _derive(master, purpose):
    return hmac.new(master.encode(), purpose.encode(), hashlib.sha256).digest()


def init_app(app):
    """Load the master secret (SNEAKY_SECRET_KEY or the key file) and derive the app's keys."""
    master = app.config.get("SNEAKY_SECRET_KEY") or _read_or_create_key_file(app.config["SNEAKY_DATA_DIR"])
    app.config["SECRET_KEY"] = _derive(master, "flask-session").hex()
    app.extensions["fernet"] = Fernet(base64.urlsafe_b64encode(_derive(master, "settings-encryption")))


def encrypt(plaintext):
    """Encrypt a string with the app's settings key."""
    return current_app.extensions["fernet"].encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(token):
    """Decrypt a value made by `encrypt`; None when the key has changed since."""
    try:
        return current_app.extensions["fernet"].decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken:
        return None
