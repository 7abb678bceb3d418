"""The same app on PostgreSQL (SNEAKY_DB_URL): migrations, a real scan, settings, deletion."""

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests import peers
from tests.conftest import login, make_app, wait_for_scan, write_config
from tests.test_scans_api import QUICK_CONFIG
from web import jobs
from web.extensions import db


def _as_cluster_owner(command):
    # initdb refuses to run as root; the Debian package's postgres user owns the cluster then.
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--"] + command
    return command


@pytest.fixture(scope="module")
def postgres_url():
    """A throwaway PostgreSQL server on a loopback port, started from Debian's binaries."""
    bin_dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
    assert bin_dirs, "PostgreSQL is not installed (make test installs the postgresql package)"
    bin_dir = Path(bin_dirs[-1])
    # Not under pytest's tmp dir: that one is private to root, and the cluster owner must reach it.
    base = Path(tempfile.mkdtemp(prefix="sneaky-pg-"))
    if os.geteuid() == 0:
        shutil.chown(base, user="postgres")
    data = base / "data"
    port = peers.free_port()
    subprocess.run(_as_cluster_owner([str(bin_dir / "initdb"), "-D", str(data), "-U", "sneaky",
                                      "--auth=trust", "-E", "UTF8"]), check=True, capture_output=True)
    subprocess.run(_as_cluster_owner([str(bin_dir / "pg_ctl"), "-D", str(data), "-w", "-l", str(base / "log"),
                                      "-o", f"-p {port} -k {base} -h 127.0.0.1", "start"]),
                   check=True, capture_output=True)
    try:
        for name in ("sneaky", "sneaky_features"):
            subprocess.run(_as_cluster_owner([str(bin_dir / "createdb"), "-h", "127.0.0.1",
                                              "-p", str(port), "-U", "sneaky", name]),
                           check=True, capture_output=True)
        yield f"postgresql://sneaky@127.0.0.1:{port}/sneaky"
    finally:
        subprocess.run(_as_cluster_owner([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"]),
                       capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def test_app_runs_a_scan_on_postgresql(tmp_path, postgres_url, services):
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=postgres_url)
    try:
        with app.app_context():
            assert db.engine.dialect.name == "postgresql"
        client = app.test_client()
        login(client)
        assert client.get("/api/settings/health").get_json()["database"] == "connected"
        assert client.put("/api/settings/smtp_password", json={"value": "pg-secret"}).status_code == 200
        assert client.get("/api/settings").get_json()["smtp_password"] == "********"

        write_config(app, "quick.yaml", QUICK_CONFIG.format(port=services.http_port))
        scan_id = client.post("/api/scans", json={"config_file": "quick.yaml"}).get_json()["scan_id"]
        assert wait_for_scan(client, scan_id)["status"] == "completed"
        document = client.get(f"/api/scans/{scan_id}").get_json()
        port = document["sites"][0]["ips"][0]["ports"][0]
        assert (port["port"], port["state"], port["expected"]) == (services.http_port, "open", True)
        assert client.get("/api/scans?status=completed").get_json()["total"] == 1
        assert client.delete(f"/api/scans/{scan_id}").status_code == 200
        assert client.get(f"/api/scans/{scan_id}").status_code == 404
    finally:
        jobs.stop(app, wait=True)
        with app.app_context():
            db.engine.dispose()


def test_accounts_investigations_and_watchlist_on_postgresql(tmp_path, postgres_url):
    from tests.conftest import api_key_for, wait_for_investigation
    from web.watchlist.monitor import run_monitoring_pass

    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=postgres_url.rsplit("/", 1)[0] + "/sneaky_features")
    try:
        client = app.test_client()
        login(client)
        assert client.post("/api/users", json={"email": "pg@example.test", "password": "postgres passphrase ok"}
                           ).status_code == 201
        headers = {"X-API-Key": api_key_for(client, "pg@example.test", "postgres passphrase ok")}
        dump = tmp_path / "dump.txt"
        dump.write_text("victim@example.org:pw\n")
        assert app.test_cli_runner().invoke(args=["breach", "import", str(dump), "--name", "PgLeak"]).exit_code == 0
        entry = client.post("/api/v1/email", json={"email": "victim@example.org"}, headers=headers).get_json()["email"]
        client.post(f"/api/v1/email/{entry['id']}/monitoring", headers=headers)
        assert run_monitoring_pass(app) == 1
        breaches = client.get(f"/api/v1/email/{entry['id']}", headers=headers).get_json()["email"]["breaches"]
        assert [b["name"] for b in breaches] == ["PgLeak"]
        investigation = client.post("/api/investigate", json={"email": "victim@example.org", "modules": ["breach_deep"]},
                                    headers=headers).get_json()["id"]
        report = wait_for_investigation(client, investigation, headers=headers)
        assert report["status"] == "complete"
        assert report["findings_by_module"]["breach_deep"][0]["metadata"]["name"] == "PgLeak"
    finally:
        jobs.stop(app, wait=True)
        with app.app_context():
            db.engine.dispose()


def test_one_scheduler_per_postgresql_database(tmp_path, postgres_url):
    url = postgres_url.rsplit("/", 1)[0] + "/sneaky_features"
    first = make_app(tmp_path / "machine-a", SQLALCHEMY_DATABASE_URI=url)
    second = make_app(tmp_path / "machine-b", SQLALCHEMY_DATABASE_URI=url)  # another data dir: another machine
    try:
        assert jobs.is_leader(first) and not jobs.is_leader(second)
    finally:
        jobs.stop(second)
        jobs.stop(first)
    third = make_app(tmp_path / "machine-c", SQLALCHEMY_DATABASE_URI=url)
    try:
        assert jobs.is_leader(third)  # the lock was given back
    finally:
        jobs.stop(third)
        for app in (first, second, third):
            with app.app_context():
                db.engine.dispose()
