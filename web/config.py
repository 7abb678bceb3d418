"""Application configuration: defaults read from the environment, overridable by a mapping."""

import os
from pathlib import Path

from tzlocal import get_localzone_name


def _env_flag(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def load_config():
    """Return the configuration mapping built from SNEAKY_* and the seeds' variables."""
    data_dir = Path(os.environ.get("SNEAKY_DATA_DIR", "data")).resolve()
    return {
        "SNEAKY_HOST": os.environ.get("SNEAKY_HOST", "127.0.0.1"),
        "SNEAKY_PORT": int(os.environ.get("SNEAKY_PORT", "5000")),
        "SNEAKY_DATA_DIR": str(data_dir),
        "SQLALCHEMY_DATABASE_URI": os.environ.get("SNEAKY_DB_URL")
        or f"sqlite:///{data_dir / 'sneakyscanner.db'}",
        "SNEAKY_CONFIG_DIR": str(Path(os.environ.get("SNEAKY_CONFIG_DIR", "configs")).resolve()),
        "SNEAKY_OUTPUT_DIR": str(Path(os.environ.get("SNEAKY_OUTPUT_DIR", "output")).resolve()),
        "SNEAKY_ADMIN_EMAIL": os.environ.get("SNEAKY_ADMIN_EMAIL", "admin@localhost"),
        "SNEAKY_ADMIN_PASSWORD": os.environ.get("SNEAKY_ADMIN_PASSWORD"),
        "SNEAKY_SECRET_KEY": os.environ.get("SNEAKY_SECRET_KEY"),
        "CORS_ORIGINS": os.environ.get("CORS_ORIGINS", "*"),
        # Reverse proxies in front of the app whose X-Forwarded-For/-Proto to trust (login limits
        # count per client address, so behind a proxy this must be set).
        "TRUSTED_PROXIES": int(os.environ.get("SNEAKY_TRUSTED_PROXIES", "0")),
        "SESSION_COOKIE_SECURE": _env_flag("SESSION_COOKIE_SECURE"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "ENABLE_INVESTIGATION_CACHE": _env_flag("ENABLE_INVESTIGATION_CACHE"),
        "BCRYPT_ROUNDS": 12,
        # Sessions end after this long idle, and in any case this long after login.
        "SESSION_IDLE_MINUTES": int(os.environ.get("SNEAKY_SESSION_IDLE_MINUTES", "120")),
        "SESSION_MAX_HOURS": int(os.environ.get("SNEAKY_SESSION_MAX_HOURS", "24")),
        # Failed logins (and MFA codes) allowed per window before a 429 with Retry-After.
        "LOGIN_WINDOW_SECONDS": 900,
        "LOGIN_MAX_FAILURES_PER_ACCOUNT": 5,
        "LOGIN_MAX_FAILURES_PER_ADDRESS": 20,
        "SCAN_WORKERS": int(os.environ.get("SNEAKY_SCAN_WORKERS", "4")),
        # nmap gets this long per scan before the scan is failed as timed out.
        "SCAN_TIMEOUT_SECONDS": int(os.environ.get("SNEAKY_SCAN_TIMEOUT", "3600")),
        "NMAP_PATH": os.environ.get("SNEAKY_NMAP_PATH", "nmap"),
        "CHROMIUM_PATH": os.environ.get("SNEAKY_CHROMIUM_PATH", "/usr/bin/chromium"),
        # Cron schedules fire in this IANA time zone unless a schedule names its own.
        "SCHEDULER_TIMEZONE": os.environ.get("SNEAKY_TIMEZONE") or get_localzone_name() or "UTC",
        # Each investigation module gets this long; a cached complete result is reused this long.
        "INVESTIGATION_MODULE_TIMEOUT": float(os.environ.get("SNEAKY_MODULE_TIMEOUT", "20")),
        "INVESTIGATION_CACHE_HOURS": 24,
        # Postback retries wait this long, doubling each time (or what Retry-After says).
        "POSTBACK_BACKOFF_SECONDS": 2.0,
        # Uploads (breach dumps) larger than this are refused; the CLI import has no limit.
        "MAX_CONTENT_LENGTH": 256 * 1024 * 1024,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "JSON_SORT_KEYS": False,
    }
