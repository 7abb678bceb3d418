"""Settings: the known keys, their types and defaults, validation, and encrypted storage."""

import ipaddress
import json
import re
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import urlparse

from flask import current_app

from web import crypto
from web.auth.sessions import revoke_user_sessions
from web.passwords import password_problem
from web.extensions import db
from web.models import Setting, User

MASK = "********"
SECRET_SUFFIXES = ("_password", "_api_key", "_secret", "_token")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


class SettingError(ValueError):
    """A setting update that cannot be applied; the message says why."""


def _as_int(low, high):
    def check(value):
        if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise SettingError("must be an integer")
        if not low <= value <= high:
            raise SettingError(f"must be between {low} and {high}")
        return value
    return check


def _as_bool(value):
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    if not isinstance(value, bool):
        raise SettingError("must be true or false")
    return value


def _as_text(max_length=500):
    def check(value):
        if not isinstance(value, str):
            raise SettingError("must be a string")
        if len(value) > max_length:
            raise SettingError(f"must be at most {max_length} characters")
        if any(ch in value for ch in "\r\n\x00"):
            raise SettingError("must be a single line")
        return value.strip()
    return check


def _as_email_or_empty(value):
    value = _as_text(320)(value)
    if value and not _EMAIL.match(value):
        raise SettingError(f"{value!r} is not an email address")
    return value


def _as_url(value):
    value = _as_text(500)(value)
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise SettingError("must be an http:// or https:// URL")
    return value.rstrip("/")


def _as_list(item_check):
    def check(value):
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                try:
                    value = json.loads(text)
                except ValueError:
                    raise SettingError("must be a JSON list or a comma-separated list") from None
            else:
                value = [part.strip() for part in text.split(",") if part.strip()]
        if not isinstance(value, list):
            raise SettingError("must be a list")
        return [item_check(item) for item in value]
    return check


def _email_item(value):
    value = _as_email_or_empty(value)
    if not value:
        raise SettingError("must not contain empty addresses")
    return value


def _nameserver_item(value):
    """An IP address, optionally with a port: 127.0.0.1, 127.0.0.1:5353, ::1, [::1]:5353."""
    text = str(value).strip()
    host, port = text, None
    if text.startswith("[") and "]:" in text:
        host, port = text[1:].split("]:", 1)
    elif text.count(":") == 1:
        host, port = text.split(":")
    try:
        ipaddress.ip_address(host)
        if port is not None and not 1 <= int(port) <= 65535:
            raise ValueError
    except ValueError:
        raise SettingError(f"{value!r} is not an IP address (optionally with :port)") from None
    return text


def _as_password(value):
    problem = password_problem(value)
    if problem:
        raise SettingError(problem.replace("Password ", "", 1))
    return value


@dataclass(frozen=True)
class SettingSpec:
    default: Any
    check: Callable[[Any], Any]
    list_as_json_text: bool = False  # the seed shows smtp_to_emails as a JSON string


SETTINGS = {
    "smtp_server": SettingSpec("", _as_text(255)),
    "smtp_port": SettingSpec(587, _as_int(1, 65535)),
    "smtp_username": SettingSpec("", _as_text(320)),
    "smtp_password": SettingSpec("", _as_text(500)),
    "smtp_from_email": SettingSpec("", _as_email_or_empty),
    "smtp_to_emails": SettingSpec([], _as_list(_email_item), list_as_json_text=True),
    "retention_days": SettingSpec(90, _as_int(0, 36500)),
    "app_password": SettingSpec("", _as_password),
    "hibp_api_key": SettingSpec("", _as_text(200)),
    "hibp_base_url": SettingSpec("https://haveibeenpwned.com/api/v3", _as_url),
    "emailrep_api_key": SettingSpec("", _as_text(200)),
    "emailrep_base_url": SettingSpec("https://emailrep.io", _as_url),
    "gravatar_base_url": SettingSpec("https://api.gravatar.com/v3", _as_url),
    "github_token": SettingSpec("", _as_text(500)),
    "github_base_url": SettingSpec("https://api.github.com", _as_url),
    "wayback_base_url": SettingSpec("https://web.archive.org", _as_url),
    "dns_nameservers": SettingSpec([], _as_list(_nameserver_item)),
    "watchlist_interval_minutes": SettingSpec(60, _as_int(1, 10080)),
    "postback_allow_private": SettingSpec(False, _as_bool),
    "cert_expiry_warning_days": SettingSpec(30, _as_int(1, 3650)),
}


def is_secret(key):
    """True for keys stored encrypted and shown masked."""
    return key.endswith(SECRET_SUFFIXES)


def get_setting(key):
    """The current value of one setting (decrypted), or its default."""
    spec = SETTINGS[key]
    row = db.session.get(Setting, key)
    if row is None:
        return spec.default
    if row.encrypted:
        plaintext = crypto.decrypt(row.value)
        return spec.default if plaintext is None else json.loads(plaintext)
    return json.loads(row.value)


def all_settings():
    """Every setting's real value, for jobs that need them (never for responses)."""
    return {key: get_setting(key) for key in SETTINGS if key != "app_password"}


def public_value(key, value):
    """A value as a response may show it: secrets masked, seed-shaped lists as JSON text."""
    if is_secret(key):
        return MASK if value or key == "app_password" else ""
    if SETTINGS[key].list_as_json_text:
        return json.dumps(value)
    return value


def public_settings():
    """Every setting as `GET /api/settings` shows it."""
    return {key: public_value(key, get_setting(key)) for key in SETTINGS}


def update_setting(key, raw_value):
    """Validate and store one setting; returns the stored value. Raises SettingError."""
    spec = SETTINGS.get(key)
    if spec is None:
        raise SettingError(f"Unknown setting {key!r}; known settings: {', '.join(SETTINGS)}")
    try:
        value = spec.check(raw_value)
    except SettingError as exc:
        raise SettingError(f"{key} {exc}") from None
    if key == "app_password":
        # The admin's login password: kept only as a bcrypt hash on the user row.
        admin = User.first_admin()
        admin.set_password(value, current_app.config["BCRYPT_ROUNDS"])
        db.session.commit()
        revoke_user_sessions(admin.id, keep_current=True)
        return value
    encoded = json.dumps(value)
    row = db.session.get(Setting, key) or Setting(key=key)
    row.encrypted = is_secret(key)
    row.value = crypto.encrypt(encoded) if row.encrypted else encoded
    db.session.add(row)
    db.session.commit()
    return value
