"""Settings: masking, type checks, encryption at rest, app_password, and the health checks."""

from pathlib import Path

import pytest

from tests.conftest import login, make_app
from web import jobs
from web.settings.store import SETTINGS


def test_settings_list_every_key_with_secrets_masked(auth_client):
    auth_client.put("/api/settings/smtp_password", json={"value": "hunter2-smtp"})
    settings = auth_client.get("/api/settings").get_json()
    assert set(settings) == set(SETTINGS)
    assert settings["smtp_password"] == "********" and settings["app_password"] == "********"
    assert settings["hibp_api_key"] == ""  # not set yet
    assert settings["smtp_port"] == 587 and settings["retention_days"] == 90
    assert settings["smtp_to_emails"] == "[]"
    assert settings["postback_allow_private"] is False and settings["cert_expiry_warning_days"] == 30


@pytest.mark.parametrize("key, value, shown", [
    ("smtp_server", "smtp.example.com", "smtp.example.com"),
    ("smtp_port", 2525, 2525),
    ("smtp_port", "465", 465),
    ("smtp_to_emails", ["a@example.com", "b@example.com"], '["a@example.com", "b@example.com"]'),
    ("smtp_to_emails", '["a@example.com"]', '["a@example.com"]'),
    ("retention_days", 30, 30),
    ("hibp_api_key", "abc123", "********"),
    ("hibp_base_url", "http://127.0.0.1:9999/api/v3/", "http://127.0.0.1:9999/api/v3"),
    ("dns_nameservers", "127.0.0.1, ::1", ["127.0.0.1", "::1"]),
    ("postback_allow_private", True, True),
    ("watchlist_interval_minutes", 15, 15),
])
def test_valid_updates_are_stored_and_echoed(auth_client, key, value, shown):
    response = auth_client.put(f"/api/settings/{key}", json={"value": value})
    assert response.status_code == 200
    assert response.get_json() == {"message": "Setting updated successfully", "key": key, "value": shown}
    assert auth_client.get("/api/settings").get_json()[key] == shown


@pytest.mark.parametrize("key, value, fragment", [
    ("no_such_key", 1, "Unknown setting 'no_such_key'"),
    ("smtp_port", 70000, "smtp_port must be between 1 and 65535"),
    ("smtp_port", 0, "smtp_port must be between 1 and 65535"),
    ("smtp_port", "abc", "smtp_port must be an integer"),
    ("smtp_port", True, "smtp_port must be an integer"),
    ("smtp_server", 5, "smtp_server must be a string"),
    ("smtp_server", "a\r\nRCPT TO:<x@y>", "must be a single line"),
    ("smtp_to_emails", ["not-an-email"], "is not an email address"),
    ("retention_days", -1, "retention_days must be between 0"),
    ("postback_allow_private", "maybe", "must be true or false"),
    ("hibp_base_url", "file:///etc/passwd", "must be an http:// or https:// URL"),
    ("dns_nameservers", ["8.8.8.8; rm"], "is not an IP address"),
    ("app_password", "short", "app_password must be at least 8 characters"),
])
def test_invalid_updates_are_400_and_change_nothing(auth_client, key, value, fragment):
    before = auth_client.get("/api/settings").get_json()
    response = auth_client.put(f"/api/settings/{key}", json={"value": value})
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "Invalid setting" and fragment in body["message"]
    assert auth_client.get("/api/settings").get_json() == before


def test_missing_value_is_400_with_the_seed_error(auth_client):
    response = auth_client.put("/api/settings/smtp_server", json={"val": "x"})
    assert response.status_code == 400
    assert response.get_json()["error"] == "Missing required field: value"


def test_secret_settings_are_not_in_the_database_file_in_clear_text(app, auth_client):
    secret = "sk-live-4f9a1c77e0b2-very-secret"
    assert auth_client.put("/api/settings/hibp_api_key", json={"value": secret}).status_code == 200
    assert auth_client.put("/api/settings/smtp_password", json={"value": secret + "-smtp"}).status_code == 200
    data_dir = Path(app.config["SNEAKY_DATA_DIR"])
    raw = b"".join(path.read_bytes() for path in data_dir.glob("test.db*"))
    assert secret.encode() not in raw
    assert b"hibp_api_key" in raw  # the row is there, only its value is sealed
    with app.app_context():
        from web.settings.store import get_setting
        assert get_setting("hibp_api_key") == secret


def test_key_file_is_private_and_reused(tmp_path):
    app = make_app(tmp_path)
    jobs.stop(app)
    key_file = tmp_path / "data" / "secret.key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert make_app(tmp_path).config["SECRET_KEY"] == app.config["SECRET_KEY"]


def test_app_password_changes_the_admin_login(client):
    login(client)
    assert client.put("/api/settings/app_password", json={"value": "a new passphrase"}).status_code == 200
    client.get("/auth/logout")
    assert client.post("/auth/login", json={"password": "a new passphrase"}).status_code == 200
    assert client.post("/auth/login", json={"password": "correct horse battery"}).status_code == 401


def test_health_is_public_and_reports_the_database(client):
    assert client.get("/api/settings/health").get_json() == {"status": "healthy", "database": "connected"}
    health = client.get("/health").get_json()
    assert health == {"status": "ok", "version": health["version"], "db": "connected",
                      "modules_loaded": ["hibp", "emailrep", "gravatar", "domain_intel", "github_commits", "wayback",
                                         "breach_deep"]}


def test_health_is_500_unhealthy_when_the_database_is_unreachable(tmp_path):
    from web import create_app

    app = create_app({"TESTING": True, "SNEAKY_DATA_DIR": str(tmp_path),
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing-dir/db.sqlite"})
    response = app.test_client().get("/api/settings/health")
    assert response.status_code == 500
    body = response.get_json()
    assert body["status"] == "unhealthy" and body["database"] == "disconnected" and body["error"]
    assert app.test_client().get("/health").get_json()["db"] == "error"
