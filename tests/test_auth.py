"""Session login and logout, for curl scripts and for browsers."""

import pytest

from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, login
from web import passwords
from web.auth.accounts import ensure_admin
from web.extensions import db
from web.models import User


def test_password_only_login_is_the_admin(client):
    response = client.post("/auth/login", json={"password": ADMIN_PASSWORD})
    assert response.status_code == 200
    assert response.get_json() == {"message": "Login successful", "redirect": "/dashboard"}
    assert client.get("/api/scans").status_code == 200


def test_email_and_password_login(client):
    response = client.post("/auth/login", json={"email": ADMIN_EMAIL.upper(), "password": ADMIN_PASSWORD})
    assert response.status_code == 200


@pytest.mark.parametrize("body", [
    {"password": "wrong password"},
    {"email": ADMIN_EMAIL, "password": "wrong password"},
    {"email": "nobody@example.test", "password": ADMIN_PASSWORD},
])
def test_bad_credentials_are_401_with_one_message(client, body):
    response = client.post("/auth/login", json=body)
    assert response.status_code == 401
    assert response.get_json() == {"error": "Invalid password", "message": "The email or password is incorrect"}
    assert client.get("/api/scans").status_code == 401


@pytest.mark.parametrize("body", [{}, {"password": ""}, {"password": 5}, {"email": ["x"], "password": "p"}])
def test_missing_or_malformed_fields_are_400(client, body):
    response = client.post("/auth/login", json=body)
    assert response.status_code == 400 and "error" in response.get_json()


def test_logout_redirects_to_login_and_ends_the_session(client):
    login(client)
    response = client.get("/auth/logout")
    assert response.status_code == 302 and response.headers["Location"].endswith("/auth/login")
    assert client.get("/api/scans").status_code == 401


def test_unauthenticated_browser_is_sent_to_login(client):
    response = client.get("/dashboard", headers={"Accept": "text/html"})
    assert response.status_code == 302
    assert "/auth/login?next=/dashboard" in response.headers["Location"]


def form_token(client, path="/auth/login"):
    """The CSRF token a browser would find in the form at `path`."""
    page = client.get(path).get_data(as_text=True)
    return page.split('name="csrf_token" value="')[1].split('"')[0]


def test_browser_form_login_follows_next_but_never_off_site(client):
    response = client.post("/auth/login", data={"password": ADMIN_PASSWORD, "next": "/scans",
                                                "csrf_token": form_token(client)})
    assert response.status_code == 302 and response.headers["Location"] == "/scans"
    client.get("/auth/logout")
    response = client.post("/auth/login", data={"password": ADMIN_PASSWORD, "next": "//evil.example/x",
                                                "csrf_token": form_token(client)})
    assert response.headers["Location"] == "/dashboard"


def test_form_login_without_the_csrf_token_is_refused(client):
    response = client.post("/auth/login", data={"password": ADMIN_PASSWORD})
    assert response.status_code == 403
    assert client.get("/api/scans").status_code == 401


def test_browser_form_login_failure_shows_the_form_again(client):
    response = client.post("/auth/login", data={"email": "who@example.test", "password": "nope",
                                                "csrf_token": form_token(client)})
    assert response.status_code == 401
    page = response.get_data(as_text=True)
    assert "The email or password is incorrect." in page and 'value="who@example.test"' in page


def test_first_start_generates_and_prints_a_password_once(tmp_path, capsys):
    from tests.conftest import make_app
    from web import jobs

    app = make_app(tmp_path, SNEAKY_ADMIN_PASSWORD=None, BCRYPT_ROUNDS=12)
    jobs.stop(app)
    printed = capsys.readouterr().err
    assert "Generated password:" in printed
    password = printed.split("Generated password:")[1].split()[0]
    with app.app_context():
        admin = User.query.one()
        assert admin.is_admin and admin.password_hash.startswith("$2b$12$")
        assert admin.check_password(password)
        assert ensure_admin(app) is None  # second start: nothing created, nothing printed
    assert "Generated password" not in capsys.readouterr().err


def test_long_passphrases_are_neither_truncated_nor_rejected():
    passphrase = "correct horse battery staple " * 5  # 145 bytes, past bcrypt's 72
    stored = passwords.hash_password(passphrase, 4)
    assert passwords.verify_password(passphrase, stored)
    assert not passwords.verify_password(passphrase[:72], stored)


def test_password_hash_is_not_the_password(app):
    with app.app_context():
        admin = db.session.execute(db.select(User)).scalar_one()
        assert ADMIN_PASSWORD not in admin.password_hash


def test_a_browser_without_a_csrf_token_gets_a_page_not_json(client):
    response = client.post("/auth/login", data={"password": ADMIN_PASSWORD}, headers={"Accept": "text/html"})
    assert response.status_code == 403 and response.mimetype == "text/html"
    assert "csrf_token" in response.get_data(as_text=True)
