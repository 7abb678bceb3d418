"""Fixtures: a fresh app on a fresh SQLite file per test, real services on loopback, one shared scan."""

import textwrap
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests import peers
from web import create_app, jobs
from web.auth.accounts import ensure_admin
from web.database import upgrade_schema

ADMIN_EMAIL = "admin@example.test"
ADMIN_PASSWORD = "correct horse battery"


def make_app(base_dir, **overrides):
    """A migrated app with an admin and a running scheduler, all under `base_dir`."""
    base_dir = Path(base_dir)
    for name in ("data", "configs", "output"):
        (base_dir / name).mkdir(parents=True, exist_ok=True)
    config = {
        "TESTING": True,
        "SNEAKY_DATA_DIR": str(base_dir / "data"),
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{base_dir / 'data' / 'test.db'}",
        "SNEAKY_CONFIG_DIR": str(base_dir / "configs"),
        "SNEAKY_OUTPUT_DIR": str(base_dir / "output"),
        "SNEAKY_ADMIN_EMAIL": ADMIN_EMAIL,
        "SNEAKY_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "SNEAKY_SECRET_KEY": None,
        "BCRYPT_ROUNDS": 4,  # production uses 12; tests log in hundreds of times
    }
    config.update(overrides)
    app = create_app(config)
    upgrade_schema(app)
    ensure_admin(app)
    jobs.start(app)
    return app


def write_config(app, name, text):
    """Write a YAML scan config into the app's config dir; returns its path."""
    path = Path(app.config["SNEAKY_CONFIG_DIR"]) / name
    path.write_text(textwrap.dedent(text))
    return path


def login(client, password=ADMIN_PASSWORD, **extra):
    response = client.post("/auth/login", json={"password": password, **extra})
    assert response.status_code == 200, response.get_json()
    return response


def wait_for_scan(client, scan_id, timeout=180):
    """Poll the status endpoint until the scan leaves `running`; returns the status body."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get(f"/api/scans/{scan_id}/status").get_json()
        if body["status"] != "running":
            return body
        time.sleep(0.2)
    raise AssertionError(f"scan {scan_id} still running after {timeout}s")


def wait_for_investigation(client, investigation_id, timeout=30, headers=None):
    """Poll the report until the investigation is complete or failed; returns the report."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        report = client.get(f"/api/report/{investigation_id}", headers=headers or {}).get_json()
        if report["status"] in ("complete", "failed"):
            return report
        time.sleep(0.05)
    raise AssertionError(f"investigation {investigation_id} still running after {timeout}s")


@pytest.fixture
def app(tmp_path):
    app = make_app(tmp_path)
    yield app
    jobs.stop(app, wait=True)
    with app.app_context():
        from web.extensions import db
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def auth_client(app):
    """A test client logged in as the admin."""
    client = app.test_client()
    login(client)
    return client


@pytest.fixture(scope="session")
def services():
    """Real services on 127.0.0.1: a plain HTTP server, one with a hostile banner, a closed port."""
    plain = peers.serve_plain_http()
    banner = peers.serve_banner_http()
    yield SimpleNamespace(
        http_port=plain.server_address[1],
        banner_port=banner.server_address[1],
        closed_port=peers.free_port(),
    )
    plain.shutdown()
    banner.shutdown()


SERVICES_CONFIG = """\
title: Loopback <b>services</b>
scan:
  ports: "{banner_port}"
  service_detection: true
sites:
  - name: Test services
    ips:
      - address: 127.0.0.1
        expected:
          ping: true
          tcp_ports: [{http_port}, {closed_port}]
"""


@pytest.fixture(scope="session")
def shared_scan(tmp_path_factory, services):
    """One completed real scan of the loopback services, shared by the tests that only read it."""
    app = make_app(tmp_path_factory.mktemp("shared-scan"))
    write_config(app, "services.yaml", SERVICES_CONFIG.format(**vars(services)))
    client = app.test_client()
    login(client)
    response = client.post("/api/scans", json={"config_file": "services.yaml"})
    assert response.status_code == 201, response.get_json()
    scan_id = response.get_json()["scan_id"]
    status = wait_for_scan(client, scan_id)
    assert status["status"] == "completed", status
    yield SimpleNamespace(app=app, scan_id=scan_id, services=services)
    jobs.stop(app, wait=True)


@pytest.fixture
def shared_client(shared_scan):
    """A logged-in client of the shared scan's app."""
    client = shared_scan.app.test_client()
    login(client)
    return client


@pytest.fixture
def make_user(app):
    """Create a user row directly: `make_user(email=..., password=..., is_admin=...)`."""
    from web.extensions import db
    from web.models import User

    def factory(email="member@example.test", password="member passphrase", name="Member", is_admin=False):
        with app.app_context():
            user = User(email=email, name=name, is_admin=is_admin)
            user.set_password(password, 4)
            db.session.add(user)
            db.session.commit()
            return SimpleNamespace(id=user.id, email=email, password=password)

    return factory


def api_key_for(client, email, password, device="pytest"):
    """Log in through the SimpleLogin API and return the new API key."""
    response = client.post("/api/auth/login", json={"email": email, "password": password, "device": device})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["api_key"]
