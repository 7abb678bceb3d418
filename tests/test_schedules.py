"""Schedules through HTTP, firing on their own, one leader per data dir, missed runs coalesced, retention."""

import time
from datetime import timedelta
from pathlib import Path

import pytest

from tests.conftest import login, make_app, wait_for_scan, write_config
from tests.test_scans_api import QUICK_CONFIG, add_scans
from web import jobs
from web.extensions import db
from web.models import Scan, Schedule
from web.models.base import utcnow


@pytest.fixture
def quick_config(app, services):
    return write_config(app, "quick.yaml", QUICK_CONFIG.format(port=services.http_port))


def test_schedule_crud(app, auth_client, quick_config):
    created = auth_client.post("/api/schedules", json={"config_file": "quick.yaml", "cron": "0 3 * * *",
                                                       "timezone": "Europe/Berlin"})
    assert created.status_code == 201
    schedule = created.get_json()
    assert schedule["config_file"] == str(quick_config) and schedule["enabled"] is True
    assert schedule["timezone"] == "Europe/Berlin" and schedule["source"] == "api"
    assert schedule["next_run_at"].endswith(("01:00:00Z", "02:00:00Z"))  # 03:00 in Berlin, in UTC
    assert f"schedule-{schedule['id']}" in jobs.job_ids(app)

    updated = auth_client.put(f"/api/schedules/{schedule['id']}", json={"enabled": False}).get_json()
    assert updated["enabled"] is False and updated["next_run_at"] is None
    assert f"schedule-{schedule['id']}" not in jobs.job_ids(app)
    assert auth_client.get(f"/api/schedules/{schedule['id']}").get_json()["cron"] == "0 3 * * *"
    assert [s["id"] for s in auth_client.get("/api/schedules").get_json()["schedules"]] == [schedule["id"]]
    assert auth_client.delete(f"/api/schedules/{schedule['id']}").status_code == 200
    assert auth_client.get(f"/api/schedules/{schedule['id']}").status_code == 404


@pytest.mark.parametrize("body, error, fragment", [
    ({"config_file": "quick.yaml", "cron": "every day"}, "Invalid schedule", "5 fields"),
    ({"config_file": "quick.yaml", "cron": "61 * * * *"}, "Invalid schedule", "Invalid cron"),
    ({"config_file": "quick.yaml", "cron": "0 3 * * *", "timezone": "Mars/Olympus"}, "Invalid schedule", "time zone"),
    ({"config_file": "quick.yaml", "cron": "0 3 * * *", "enabled": "yes"}, "Invalid schedule", "true or false"),
    ({"config_file": "../../etc/passwd.yaml", "cron": "0 3 * * *"}, "Invalid config file", "inside the config"),
    ({"config_file": "missing.yaml", "cron": "0 3 * * *"}, "Invalid config file", "not found"),
])
def test_invalid_schedules_are_400(auth_client, quick_config, body, error, fragment):
    response = auth_client.post("/api/schedules", json=body)
    assert response.status_code == 400
    assert response.get_json()["error"] == error and fragment in response.get_json()["message"]


def test_a_configs_own_schedule_line_shows_up_and_stays_file_owned(app, auth_client, services):
    write_config(app, "nightly.yaml", "schedule: '30 2 * * *'\n" + QUICK_CONFIG.format(port=services.http_port))
    schedules = auth_client.get("/api/schedules").get_json()["schedules"]
    assert [(s["cron"], s["source"]) for s in schedules] == [("30 2 * * *", "config")]
    schedule_id = schedules[0]["id"]
    assert auth_client.put(f"/api/schedules/{schedule_id}", json={"cron": "0 1 * * *"}).status_code == 400
    assert auth_client.delete(f"/api/schedules/{schedule_id}").status_code == 400
    assert auth_client.put(f"/api/schedules/{schedule_id}", json={"enabled": False}).get_json()["enabled"] is False


def test_a_schedule_fires_on_its_own(app, auth_client, quick_config):
    auth_client.post("/api/schedules", json={"config_file": "quick.yaml", "cron": "* * * * *"})
    deadline = time.monotonic() + 75
    scans = []
    while time.monotonic() < deadline and not scans:
        scans = auth_client.get("/api/scans").get_json()["scans"]
        time.sleep(0.5)
    assert scans and scans[0]["triggered_by"] == "scheduled"
    assert wait_for_scan(auth_client, scans[0]["id"])["status"] == "completed"
    schedule = auth_client.get("/api/schedules").get_json()["schedules"][0]
    assert schedule["last_scan_id"] == scans[0]["id"] and schedule["last_run_at"]


def test_runs_missed_while_down_are_coalesced_into_one(tmp_path, services):
    app = make_app(tmp_path)
    write_config(app, "quick.yaml", QUICK_CONFIG.format(port=services.http_port))
    with app.app_context():
        # Hourly, last run five hours ago: five runs were missed while "the server was down".
        db.session.add(Schedule(config_file=str(Path(app.config["SNEAKY_CONFIG_DIR"]) / "quick.yaml"),
                                cron="0 * * * *", timezone="UTC", last_run_at=utcnow() - timedelta(hours=5)))
        db.session.commit()
    jobs.stop(app, wait=True)
    restarted = make_app(tmp_path)  # the restart
    try:
        client = restarted.test_client()
        login(client)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not client.get("/api/scans").get_json()["total"]:
            time.sleep(0.2)
        scans = client.get("/api/scans").get_json()["scans"]
        assert [s["triggered_by"] for s in scans] == ["scheduled"]
        assert wait_for_scan(client, scans[0]["id"])["status"] == "completed"
        time.sleep(1)
        assert client.get("/api/scans").get_json()["total"] == 1
    finally:
        jobs.stop(restarted, wait=True)


def test_one_scheduler_per_data_dir(app, tmp_path):
    second = make_app(tmp_path)  # same data dir: a second web worker
    try:
        assert jobs.is_leader(app) and not jobs.is_leader(second)
        assert not any(j.startswith(("schedule-", "retention")) for j in jobs.job_ids(second))
        assert {"retention", "reconcile-schedules"} <= jobs.job_ids(app)
    finally:
        jobs.stop(second)


def test_at_most_one_run_per_config_at_a_time(app, quick_config):
    from web.schedules.service import run_scheduled_scan

    with app.app_context():
        db.session.add(Scan(title="busy", config_file=str(quick_config), status="running"))
        schedule = Schedule(config_file=str(quick_config), cron="* * * * *", timezone="UTC")
        db.session.add(schedule)
        db.session.commit()
        schedule_id = schedule.id
    assert run_scheduled_scan(app, schedule_id) is None
    with app.app_context():
        assert Scan.query.count() == 1


def test_retention_deletes_old_scans_and_their_files(app, auth_client):
    add_scans(app, 1)
    with app.app_context():
        old = Scan(title="old", config_file="/x.yaml", status="completed",
                   started_at=utcnow() - timedelta(days=40), timestamp=utcnow() - timedelta(days=40))
        report = Path(app.config["SNEAKY_OUTPUT_DIR"]) / "scan_report_old.json"
        report.write_text("{}")
        old.json_path = str(report)
        db.session.add(old)
        db.session.commit()
    assert auth_client.put("/api/settings/retention_days", json={"value": 30}).status_code == 200
    retention = next(job for job in jobs.PERIODIC_JOBS if job["id"] == "retention")
    assert retention["hours"] == 24
    retention["func"](app)
    titles = [s["title"] for s in auth_client.get("/api/scans").get_json()["scans"]]
    assert titles == ["Scan 0"] and not report.exists()


def test_a_scan_whose_process_stopped_beating_is_failed(app, auth_client):
    with app.app_context():
        db.session.add(Scan(title="orphan", config_file="/x.yaml", status="running",
                            started_at=utcnow() - timedelta(hours=1), heartbeat_at=utcnow() - timedelta(minutes=11)))
        db.session.add(Scan(title="alive", config_file="/y.yaml", status="running",
                            started_at=utcnow() - timedelta(hours=1), heartbeat_at=utcnow()))
        db.session.commit()
    stale_job = next(job for job in jobs.PERIODIC_JOBS if job["id"] == "stale-scans")
    stale_job["func"](app)
    scans = {s["title"]: s for s in auth_client.get("/api/scans").get_json()["scans"]}
    assert scans["orphan"]["status"] == "failed" and scans["alive"]["status"] == "running"
    with app.app_context():
        assert "no sign of life" in Scan.query.filter_by(title="orphan").one().error_message


def test_running_scans_renew_their_heartbeat(app, auth_client, quick_config):
    scan_id = auth_client.post("/api/scans", json={"config_file": "quick.yaml"}).get_json()["scan_id"]
    wait_for_scan(auth_client, scan_id)
    with app.app_context():
        assert db.session.get(Scan, scan_id).heartbeat_at is not None
