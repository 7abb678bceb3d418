"""Users, API keys over every header, user info, logout: the SimpleLogin account API through HTTP."""

import base64
import logging

import pytest

from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, api_key_for, login
from web.extensions import db
from web.models import ApiKey

PNG_1PX = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082")).decode()


def test_login_returns_a_key_per_device_usable_in_every_header(client):
    response = client.post("/api/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD,
                                                    "device": "laptop"})
    body = response.get_json()
    assert response.status_code == 200
    assert body["mfa_enabled"] is False and body["mfa_key"] == "" and body["email"] == ADMIN_EMAIL
    key = body["api_key"]
    assert key.startswith("sk_") and len(key) > 40
    for header in ("X-API-Key", "Authentication", "api-key"):
        info = client.get("/api/user_info", headers={header: key})
        assert info.status_code == 200, header
        assert info.get_json()["email"] == ADMIN_EMAIL
    assert client.get("/api/scans", headers={"Authentication": key}).status_code == 200


@pytest.mark.parametrize("body, status", [
    ({}, 400),
    ({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}, 400),
    ({"email": ADMIN_EMAIL, "password": "wrong", "device": "x"}, 401),
    ({"email": "nobody@example.test", "password": ADMIN_PASSWORD, "device": "x"}, 401),
])
def test_api_login_errors(client, body, status):
    response = client.post("/api/auth/login", json=body)
    assert response.status_code == status and "error" in response.get_json()


def test_unknown_email_and_wrong_password_look_the_same(client):
    unknown = client.post("/api/auth/login", json={"email": "x@example.test", "password": "p", "device": "d"})
    wrong = client.post("/api/auth/login", json={"email": ADMIN_EMAIL, "password": "p", "device": "d"})
    assert (unknown.status_code, unknown.get_json()) == (wrong.status_code, wrong.get_json())


def test_keys_are_never_read_from_the_query_string(client):
    key = api_key_for(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    assert client.get(f"/api/user_info?api_key={key}").status_code == 401
    assert client.get(f"/api/scans?api-key={key}").status_code == 401


def test_a_bad_key_is_401_even_with_a_valid_session_cookie(auth_client):
    assert auth_client.get("/api/scans").status_code == 200
    response = auth_client.get("/api/scans", headers={"X-API-Key": "sk_not-a-real-key"})
    assert response.status_code == 401 and response.get_json()["error"] == "Invalid API key"


def test_keys_are_listed_without_the_key_and_can_be_revoked(app, auth_client):
    created = auth_client.post("/api/api_key", json={"device": "ci-runner"})
    assert created.status_code == 201
    key = created.get_json()["api_key"]
    assert auth_client.get("/api/user_info", headers={"X-API-Key": key}).status_code == 200
    listed = auth_client.get("/api/api_keys").get_json()["api_keys"]
    assert [k["device"] for k in listed] == ["ci-runner"]
    assert listed[0]["last_used_at"] is not None and key not in str(listed)
    with app.app_context():
        assert key not in str(db.session.execute(db.select(ApiKey.key_digest)).scalars().all())
    assert auth_client.delete(f"/api/api_keys/{listed[0]['id']}").get_json() == {"deleted": True}
    assert auth_client.get("/api/user_info", headers={"X-API-Key": key}).status_code == 401
    assert auth_client.delete(f"/api/api_keys/{listed[0]['id']}").status_code == 404


def test_another_users_keys_and_notifications_are_404(app, client, make_user):
    from web.notifications import notify

    member = make_user()
    admin_key = api_key_for(client, ADMIN_EMAIL, ADMIN_PASSWORD, device="admin-phone")
    member_key = api_key_for(client, member.email, member.password)
    with app.app_context():
        admin_key_id = ApiKey.query.filter_by(device="admin-phone").one().id
        admin_note = notify(1, "for the admin only").id
    as_member = {"X-API-Key": member_key}
    assert client.delete(f"/api/api_keys/{admin_key_id}", headers=as_member).status_code == 404
    assert client.post(f"/api/notifications/{admin_note}", headers=as_member).status_code == 404
    assert client.get("/api/notifications", headers=as_member).get_json() == {"more": False, "notifications": []}
    assert [k["device"] for k in client.get("/api/api_keys", headers=as_member).get_json()["api_keys"]] == ["pytest"]
    assert client.get("/api/user_info", headers={"X-API-Key": admin_key}).status_code == 200


def test_members_get_403_on_admin_routes(client, make_user, caplog):
    member = make_user()
    headers = {"X-API-Key": api_key_for(client, member.email, member.password)}
    with caplog.at_level(logging.WARNING):
        for method, path in (("get", "/api/users"), ("post", "/api/users"), ("delete", "/api/users/1"),
                             ("get", "/api/settings"), ("put", "/api/settings/smtp_server")):
            response = getattr(client, method)(path, headers=headers, json={"value": "x"})
            assert response.status_code == 403, path
    assert "admin only" in caplog.text and headers["X-API-Key"] not in caplog.text


def test_admin_creates_lists_and_deletes_users(auth_client, client):
    passphrase = "ein sehr langer Satz über nichts und niemanden, bitte! " * 2  # past bcrypt's 72 bytes
    assert len(passphrase.encode()) >= 100
    created = auth_client.post("/api/users", json={"email": "Analyst@Example.test", "password": passphrase,
                                                   "name": "Analyst", "is_admin": False})
    assert created.status_code == 201
    user = created.get_json()
    assert user["email"] == "analyst@example.test" and user["is_admin"] is False
    assert "analyst@example.test" in [u["email"] for u in auth_client.get("/api/users").get_json()["users"]]
    assert auth_client.post("/api/users", json={"email": "analyst@example.test",
                                                "password": passphrase}).status_code == 409

    member_key = api_key_for(client, "analyst@example.test", passphrase)
    member_session = client.application.test_client()
    login(member_session, password=passphrase, email="analyst@example.test")
    assert member_session.get("/api/user_info").status_code == 200

    assert auth_client.delete(f"/api/users/{user['id']}").status_code == 200
    assert client.get("/api/user_info", headers={"X-API-Key": member_key}).status_code == 401
    assert member_session.get("/api/user_info").status_code == 401
    assert auth_client.delete(f"/api/users/{user['id']}").status_code == 404


@pytest.mark.parametrize("password, fragment", [
    ("short", "at least 8 characters"),
    ("password123", "too common"),
    ("qwertyuiop", "too common"),
    ("new@example.test", "too common"),
])
def test_weak_passwords_are_refused_with_a_reason(auth_client, password, fragment):
    response = auth_client.post("/api/users", json={"email": "new@example.test", "password": password})
    assert response.status_code == 400 and fragment in response.get_json()["message"]


def test_admin_cannot_delete_themselves(auth_client):
    assert auth_client.delete("/api/users/1").status_code == 400


def test_user_info_updates_name_and_picture(auth_client):
    info = auth_client.patch("/api/user_info", json={"name": "Ada", "profile_picture": PNG_1PX}).get_json()
    assert info["name"] == "Ada" and info["profile_picture_url"] == "/api/user_info/profile_picture"
    picture = auth_client.get(info["profile_picture_url"])
    assert picture.mimetype == "image/png" and picture.headers["X-Content-Type-Options"] == "nosniff"
    bad = auth_client.patch("/api/user_info", json={"profile_picture": base64.b64encode(b"<svg onload=x>").decode()})
    assert bad.status_code == 400 and "PNG or JPEG" in bad.get_json()["error"]
    assert auth_client.patch("/api/user_info", json={"profile_picture": None}).get_json()["profile_picture_url"] is None


def test_api_logout_revokes_the_key_it_was_called_with(client):
    key = api_key_for(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    assert client.get("/api/logout", headers={"Authentication": key}).get_json() == {"msg": "User is logged out"}
    assert client.get("/api/user_info", headers={"Authentication": key}).status_code == 401
    assert client.get("/api/logout").status_code == 401


def test_notifications_page_and_mark_read(app, auth_client):
    from web.notifications import notify

    with app.app_context():
        for index in range(21):
            notify(1, "Port {port} opened on {host}", port=index, host="<b>web</b>")
    first = auth_client.get("/api/notifications?page=0").get_json()
    assert first["more"] is True and len(first["notifications"]) == 20
    newest = first["notifications"][0]
    assert newest["message"] == "Port 20 opened on &lt;b&gt;web&lt;/b&gt;"
    assert newest["read"] is False and newest["created_at"] == "now"
    assert auth_client.get("/api/notifications?page=1").get_json()["more"] is False
    assert auth_client.post(f"/api/notifications/{newest['id']}", json={}).status_code == 200
    assert auth_client.get("/api/notifications").get_json()["notifications"][0]["read"] is True
    assert auth_client.get("/api/notifications?page=x").status_code == 400
