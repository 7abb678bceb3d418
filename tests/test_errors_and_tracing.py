"""One error shape, content negotiation, request IDs, CORS, and no tracebacks."""

import logging

import pytest

from tests.conftest import login
from web.extensions import db
from web.models import User


def test_api_404_is_json_and_browser_404_is_a_page(auth_client):
    api = auth_client.get("/api/scans/999", headers={"Accept": "application/json"})
    assert api.status_code == 404 and api.get_json()["error"] == "Scan not found"
    page = auth_client.get("/scans/999", headers={"Accept": "text/html"})
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert "Scan with ID 999 does not exist" in page.get_data(as_text=True)
    unknown = auth_client.get("/nowhere", headers={"Accept": "application/json"})
    assert unknown.status_code == 404 and set(unknown.get_json()) == {"error", "message"}


def test_wrong_method_is_405_json(auth_client):
    response = auth_client.put("/api/scans")
    assert response.status_code == 405 and response.get_json()["error"] == "Method Not Allowed"
    assert "POST" in response.headers["Allow"]


def test_unexpected_errors_are_500_without_a_traceback(tmp_path):
    from tests.conftest import make_app
    from web import jobs

    def explode():
        raise RuntimeError("secret internals /etc/shadow")

    app = make_app(tmp_path)
    jobs.stop(app)
    app.add_url_rule("/api/explode", "explode", explode)
    response = app.test_client().get("/api/explode")
    assert response.status_code == 500
    assert response.get_json() == {"error": "Internal Server Error", "message": "Internal server error"}
    assert b"Traceback" not in response.data and b"secret internals" not in response.data


def test_every_response_has_a_request_id_and_duration(client, caplog):
    with caplog.at_level(logging.INFO, logger="sneakyscanner.requests"):
        response = client.get("/api/settings/health")
    request_id = response.headers["X-Request-ID"]
    assert len(request_id) == 8 and int(response.headers["X-Request-Duration-Ms"]) >= 0
    assert any(f"[{request_id}] GET /api/settings/health 200" in line for line in caplog.messages)


@pytest.mark.parametrize("incoming, honoured", [
    ("abc-123_x.y", True), ("a" * 64, True), ("a" * 65, False), ("bad id; Injected: 1", False), ("<script>", False), ("", False),
])
def test_incoming_request_id_is_honoured_only_when_sane(client, incoming, honoured):
    response = client.get("/health", headers={"X-Request-ID": incoming})
    assert (response.headers["X-Request-ID"] == incoming) is honoured


def test_login_password_is_never_logged(client, caplog):
    with caplog.at_level(logging.DEBUG):
        client.post("/auth/login", json={"password": "wrong-but-secret-pass"})
    assert "wrong-but-secret-pass" not in caplog.text
    assert "Failed login" in caplog.text


def test_cors_defaults_to_any_origin(client):
    response = client.get("/api/settings/health", headers={"Origin": "https://ui.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "https://ui.example"


def test_cors_origins_restricts_to_the_listed_origins(tmp_path):
    from tests.conftest import make_app
    from web import jobs

    app = make_app(tmp_path, CORS_ORIGINS="https://scanner.example.com,https://admin.example.com")
    jobs.stop(app)
    client = app.test_client()
    allowed = client.get("/api/settings/health", headers={"Origin": "https://admin.example.com"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://admin.example.com"
    denied = client.get("/api/settings/health", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in denied.headers


def test_settings_are_admin_only(app, client):
    with app.app_context():
        member = User(email="member@example.test", name="Member", is_admin=False)
        member.set_password("member password", 4)
        db.session.add(member)
        db.session.commit()
    login(client, password="member password", email="member@example.test")
    assert client.get("/api/settings").status_code == 403
    response = client.put("/api/settings/smtp_server", json={"value": "x"})
    assert response.status_code == 403 and response.get_json()["error"] == "Forbidden"
    assert client.get("/api/scans").status_code == 200  # scans are shared by the team
