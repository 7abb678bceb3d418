"""The scans API through HTTP: trigger, list, read, poll, delete, and every documented error."""

import os
from datetime import timedelta
from pathlib import Path

import pytest

from tests.conftest import wait_for_scan, write_config
from web.extensions import db
from web.models import Scan
from web.models.base import utcnow

QUICK_CONFIG = """\
title: Quick
scan: {{ports: "{port}", service_detection: false}}
sites:
  - name: Loopback
    ips:
      - address: 127.0.0.1
        expected: {{ping: true, tcp_ports: [{port}]}}
"""


def add_scans(app, count, status="completed"):
    """Insert finished scan rows directly, as earlier runs would have left them."""
    with app.app_context():
        start = utcnow()
        for index in range(count):
            started = start - timedelta(minutes=index)
            db.session.add(Scan(title=f"Scan {index}", config_file="/x.yaml", status=status,
                                timestamp=started, started_at=started))
        db.session.commit()


@pytest.mark.parametrize("method, path", [
    ("get", "/api/scans"), ("post", "/api/scans"), ("get", "/api/scans/1"),
    ("get", "/api/scans/1/status"), ("delete", "/api/scans/1"), ("get", "/api/settings"),
])
def test_api_requires_login(client, method, path):
    response = getattr(client, method)(path)
    assert response.status_code == 401
    assert response.get_json()["error"] == "Unauthorized"


def test_trigger_scan_runs_it_to_completion(app, auth_client, services):
    write_config(app, "quick.yaml", QUICK_CONFIG.format(port=services.http_port))
    response = auth_client.post("/api/scans", json={"config_file": "quick.yaml"})
    assert response.status_code == 201
    body = response.get_json()
    assert body == {"scan_id": body["scan_id"], "status": "running", "message": "Scan queued successfully"}
    status = wait_for_scan(auth_client, body["scan_id"])
    assert status["status"] == "completed" and status["error_message"] is None
    assert status["completed_at"].endswith("Z")
    document = auth_client.get(f"/api/scans/{body['scan_id']}").get_json()
    ports = document["sites"][0]["ips"][0]["ports"]
    assert [(p["port"], p["state"], p["expected"]) for p in ports] == [(services.http_port, "open", True)]


@pytest.mark.parametrize("body, fragment", [
    (None, "Send JSON with config_file"),
    ({}, "Send JSON with config_file"),
    ({"config_file": ""}, "config_file is required"),
    ({"config_file": 42}, "config_file is required"),
    ({"config_file": "missing.yaml"}, "Config file not found: missing.yaml"),
    ({"config_file": "../outside.yaml"}, "inside the config directory"),
    ({"config_file": "/etc/passwd"}, "inside the config directory"),
    ({"config_file": "escape.yaml"}, "inside the config directory"),
    ({"config_file": "broken.yaml"}, "not valid YAML at line 3"),
    ({"config_file": "bad-field.yaml"}, "sites.0.ips.0.address"),
    ({"config_file": "smuggle-target.yaml"}, "'127.0.0.1 -oN /tmp/x' is not an IP address"),
    ({"config_file": "smuggle-ports.yaml"}, "scan.ports: '22 --script vuln'"),
])
def test_trigger_with_an_unusable_config_is_a_400(app, auth_client, tmp_path, body, fragment):
    (tmp_path / "outside.yaml").write_text("title: T\nsites: [{name: S, ips: [{address: 127.0.0.1}]}]\n")
    os.symlink(tmp_path / "outside.yaml", Path(app.config["SNEAKY_CONFIG_DIR"]) / "escape.yaml")
    write_config(app, "broken.yaml", "title: T\nsites: [\n\t]\n")
    write_config(app, "bad-field.yaml", "title: T\nsites: [{name: S, ips: [{address: not-an-ip}]}]\n")
    write_config(app, "smuggle-target.yaml",
                 "title: T\nsites: [{name: S, ips: [{address: '127.0.0.1 -oN /tmp/x'}]}]\n")
    write_config(app, "smuggle-ports.yaml",
                 "title: T\nscan: {ports: '22 --script vuln'}\nsites: [{name: S, ips: [{address: 127.0.0.1}]}]\n")
    response = auth_client.post("/api/scans", json=body) if body is not None else auth_client.post(
        "/api/scans", data="<not-json/>", content_type="application/xml")
    assert response.status_code == 400
    error = response.get_json()
    assert error["error"] == "Invalid config file"
    assert fragment in error["message"]
    with app.app_context():
        assert Scan.query.count() == 0  # nothing half-written


def test_list_paginates_newest_first(app, auth_client):
    add_scans(app, 25)
    first = auth_client.get("/api/scans").get_json()
    assert (first["total"], first["page"], first["per_page"], first["pages"]) == (25, 1, 20, 2)
    assert [s["title"] for s in first["scans"][:2]] == ["Scan 0", "Scan 1"]
    second = auth_client.get("/api/scans?page=2&per_page=20").get_json()
    assert len(second["scans"]) == 5 and second["scans"][-1]["title"] == "Scan 24"
    assert auth_client.get("/api/scans?per_page=1").get_json()["pages"] == 25
    assert auth_client.get("/api/scans?page=9").get_json()["scans"] == []
    summary = first["scans"][0]
    assert set(summary) == {"id", "timestamp", "duration", "status", "title", "config_file",
                            "triggered_by", "started_at", "completed_at"}


def test_list_filters_by_status(app, auth_client):
    add_scans(app, 3, status="completed")
    add_scans(app, 2, status="failed")
    failed = auth_client.get("/api/scans?status=failed").get_json()
    assert failed["total"] == 2 and {s["status"] for s in failed["scans"]} == {"failed"}
    assert auth_client.get("/api/scans?status=running").get_json()["total"] == 0


@pytest.mark.parametrize("query", ["page=0", "page=-1", "page=abc", "per_page=0", "per_page=101", "per_page=1.5"])
def test_invalid_pagination_is_a_400(auth_client, query):
    response = auth_client.get(f"/api/scans?{query}")
    assert response.status_code == 400
    assert response.get_json() == {"error": "Invalid pagination parameters",
                                   "message": "Page and per_page must be positive integers (per_page at most 100)"}


def test_invalid_status_filter_is_a_400(auth_client):
    response = auth_client.get("/api/scans?status=paused")
    assert response.status_code == 400 and "running, completed, failed" in response.get_json()["message"]


@pytest.mark.parametrize("method, path", [
    ("get", "/api/scans/4242"), ("get", "/api/scans/4242/status"), ("delete", "/api/scans/4242"),
])
def test_unknown_scan_is_a_404_with_the_seed_body(auth_client, method, path):
    response = getattr(auth_client, method)(path, headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json() == {"error": "Scan not found", "message": "Scan with ID 4242 does not exist"}


def test_delete_removes_rows_and_every_artifact(app, auth_client, services):
    write_config(app, "quick.yaml", QUICK_CONFIG.format(port=services.http_port))
    scan_id = auth_client.post("/api/scans", json={"config_file": "quick.yaml"}).get_json()["scan_id"]
    assert wait_for_scan(auth_client, scan_id)["status"] == "completed"
    document = auth_client.get(f"/api/scans/{scan_id}").get_json()
    artifacts = [Path(document[key]) for key in ("json_path", "html_path", "zip_path")]
    assert all(path.is_file() for path in artifacts)

    response = auth_client.delete(f"/api/scans/{scan_id}")
    assert response.status_code == 200
    assert response.get_json() == {"message": f"Scan {scan_id} deleted successfully"}
    assert not any(path.exists() for path in artifacts)
    assert list(Path(app.config["SNEAKY_OUTPUT_DIR"]).iterdir()) == []
    assert auth_client.get(f"/api/scans/{scan_id}").status_code == 404
    with app.app_context():
        assert db.session.execute(db.text("SELECT count(*) FROM scan_ports")).scalar() == 0


def test_running_scan_cannot_be_deleted(app, auth_client):
    add_scans(app, 1, status="running")
    with app.app_context():
        scan_id = Scan.query.one().id
    response = auth_client.delete(f"/api/scans/{scan_id}")
    assert response.status_code == 409 and response.get_json()["error"] == "Scan is running"


def test_scan_of_an_unreachable_port_spec_still_lists_expected_ports(app, auth_client, services):
    write_config(app, "closed.yaml", QUICK_CONFIG.format(port=services.closed_port))
    scan_id = auth_client.post("/api/scans", json={"config_file": "closed.yaml"}).get_json()["scan_id"]
    assert wait_for_scan(auth_client, scan_id)["status"] == "completed"
    ports = auth_client.get(f"/api/scans/{scan_id}").get_json()["sites"][0]["ips"][0]["ports"]
    assert ports == [{"id": ports[0]["id"], "port": services.closed_port, "protocol": "tcp",
                      "expected": True, "state": "closed", "services": []}]


def test_missing_nmap_fails_the_scan_with_what_to_do(tmp_path, services):
    from tests.conftest import login, make_app
    from web import jobs

    app = make_app(tmp_path, NMAP_PATH=str(tmp_path / "no-such-nmap"))
    try:
        client = app.test_client()
        login(client)
        write_config(app, "quick.yaml", QUICK_CONFIG.format(port=services.http_port))
        scan_id = client.post("/api/scans", json={"config_file": "quick.yaml"}).get_json()["scan_id"]
        status = wait_for_scan(client, scan_id)
        assert status["status"] == "failed"
        assert "nmap is not installed" in status["error_message"] and "apt-get install nmap" in status["error_message"]
        assert client.get(f"/api/scans/{scan_id}").get_json()["sites"] == []
    finally:
        jobs.stop(app, wait=True)


def test_nmap_that_runs_too_long_fails_the_scan_and_keeps_no_files(tmp_path):
    from tests import peers
    from tests.conftest import login, make_app
    from web import jobs

    silent = peers.serve_silent_tcp()  # version detection waits on it far longer than 1 s
    app = make_app(tmp_path, SCAN_TIMEOUT_SECONDS=1)
    try:
        client = app.test_client()
        login(client)
        write_config(app, "slow.yaml", QUICK_CONFIG.format(port=silent.getsockname()[1])
                     .replace("service_detection: false", "service_detection: true"))
        scan_id = client.post("/api/scans", json={"config_file": "slow.yaml"}).get_json()["scan_id"]
        status = wait_for_scan(client, scan_id)
        assert status["status"] == "failed"
        assert status["error_message"] == "nmap did not finish within 1 seconds; scan fewer ports or hosts"
        assert list(Path(app.config["SNEAKY_OUTPUT_DIR"]).iterdir()) == []
    finally:
        jobs.stop(app, wait=True)
        silent.close()


def test_scan_that_cannot_be_queued_is_a_500_and_is_not_left_running(app, auth_client, services):
    from web import jobs

    jobs.stop(app)
    write_config(app, "quick.yaml", QUICK_CONFIG.format(port=services.http_port))
    response = auth_client.post("/api/scans", json={"config_file": "quick.yaml"})
    assert response.status_code == 500
    assert response.get_json() == {"error": "Failed to queue scan", "message": "Internal server error"}
    scans = auth_client.get("/api/scans").get_json()["scans"]
    assert [s["status"] for s in scans] == ["failed"]


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(app):
    with app.app_context():
        assert db.session.execute(db.text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(db.text("PRAGMA busy_timeout")).scalar() >= 5000


def test_migrations_match_the_models(app):
    """A model change without its migration would leave upgraded installs without the column."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with app.app_context(), db.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), db.metadata) == []
