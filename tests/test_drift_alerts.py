"""A changed network: the diff and the alert email (received by a real SMTP server) name what changed."""

import re

import pytest
from aiosmtpd.controller import Controller

from tests import peers
from tests.conftest import wait_for_scan, write_config

CONFIG = """\
title: Drift watch
scan: {{ports: "{ports}", service_detection: false, tls: false, screenshots: false}}
sites:
  - name: Loopback
    ips:
      - address: 127.0.0.1
        expected: {{ping: true, tcp_ports: [{expected}]}}
"""


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 Message accepted"


@pytest.fixture
def smtp_inbox():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=peers.free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def configure_smtp(client, port, to=("team@example.test",)):
    for key, value in (("smtp_server", "127.0.0.1"), ("smtp_port", port), ("smtp_from_email", "scanner@example.test"),
                       ("smtp_to_emails", list(to))):
        assert client.put(f"/api/settings/{key}", json={"value": value}).status_code == 200


def run(client, name="drift.yaml"):
    scan_id = client.post("/api/scans", json={"config_file": name}).get_json()["scan_id"]
    assert wait_for_scan(client, scan_id)["status"] == "completed"
    return scan_id


def test_port_that_closed_and_port_that_opened_are_diffed_and_emailed(app, auth_client, smtp_inbox):
    controller, inbox = smtp_inbox
    configure_smtp(auth_client, controller.port)
    stays, goes = peers.serve_plain_http(), peers.serve_plain_http()
    stays_port, goes_port, comes_port = stays.server_address[1], goes.server_address[1], peers.free_port()
    write_config(app, "drift.yaml", CONFIG.format(ports=f"{comes_port}", expected=f"{stays_port}, {goes_port}"))

    first = run(auth_client)
    assert inbox.messages == []  # no drift, no email
    first_diff = auth_client.get(f"/api/scans/{first}/diff").get_json()
    assert first_diff["against_scan_id"] is None and first_diff["has_changes"] is False

    goes.shutdown()
    goes.server_close()
    comes = peers.serve_plain_http(port=comes_port)
    try:
        second = run(auth_client)
    finally:
        comes.shutdown()
        stays.shutdown()

    diff = auth_client.get(f"/api/scans/{second}/diff").get_json()
    assert diff["against_scan_id"] == first and diff["has_changes"] is True
    assert [(p["port"], p["expected"]) for p in diff["ports_opened"]] == [(comes_port, False)]
    assert [(p["port"], p["state"]) for p in diff["ports_closed"]] == [(goes_port, "closed")]
    assert diff["services_changed"] == [] and diff["certificates_expiring"] == []
    assert auth_client.get(f"/api/scans/{second}/diff?against={second}").get_json()["has_changes"] is False

    assert len(inbox.messages) == 1
    email = inbox.messages[0]
    assert email.rcpt_tos == ["team@example.test"] and email.mail_from == "scanner@example.test"
    body = email.content.decode()
    assert f"Subject: [SneakyScanner] Drift watch: 2 drift finding(s) in scan #{second}" in body
    named_ports = {int(p) for p in re.findall(r"127\.0\.0\.1:(\d+)/tcp", body)}
    assert named_ports == {goes_port, comes_port}

    html = auth_client.get(f"/api/scans/{second}").get_json()["html_path"]
    report = open(html).read()
    assert report.index("Changes since scan #") < report.index("<h2>Loopback</h2>")  # the diff comes first


def test_a_failed_email_is_recorded_and_never_fails_the_scan(app, auth_client):
    configure_smtp(auth_client, peers.free_port())  # nothing listens there
    unexpected = peers.serve_plain_http()
    write_config(app, "drift.yaml", CONFIG.format(ports=unexpected.server_address[1], expected=""))
    try:
        scan_id = run(auth_client)
    finally:
        unexpected.shutdown()
    document = auth_client.get(f"/api/scans/{scan_id}").get_json()
    assert document["status"] == "completed"
    assert document["alert_error"].startswith("Could not send email through 127.0.0.1:")
    notes = auth_client.get("/api/notifications").get_json()["notifications"]
    assert "Unexpected open port" in notes[0]["message"]


def test_diff_errors(app, auth_client):
    assert auth_client.get("/api/scans/99/diff").status_code == 404
    assert auth_client.get("/api/scans/99/diff?against=x").status_code == 404
