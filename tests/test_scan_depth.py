"""TLS certificates and versions, screenshots, live progress: one real scan of TLS and web services."""

import io
import json
import ssl
from pathlib import Path
from types import SimpleNamespace

import pytest
import simple_websocket
from PIL import Image

from tests import peers
from tests.conftest import api_key_for, ADMIN_EMAIL, ADMIN_PASSWORD, login, make_app, wait_for_scan, write_config
from web import jobs

DEPTH_CONFIG = """\
title: TLS and web
scan:
  ports: "{ports}"
  service_detection: true
  tls: true
  screenshots: true
sites:
  - name: Loopback
    ips:
      - address: 127.0.0.1
        expected: {{ping: true, tcp_ports: [{expected}]}}
"""


def close_quietly(socket):
    """Close a client socket the server may already have closed after its last event."""
    try:
        socket.close()
    except simple_websocket.ConnectionClosed:
        pass


@pytest.fixture(scope="module")
def depth_scan(tmp_path_factory):
    """One scan of: TLS 1.2+1.3 (self-signed, 10 days left), TLS 1.2 only, TLS 1.0/1.1 only, a red page."""
    base = tmp_path_factory.mktemp("depth")
    cert, key = peers.make_self_signed_certificate(base)
    servers = SimpleNamespace(
        modern=peers.serve_https(cert, key),
        tls12=peers.serve_https(cert, key, max_version=ssl.TLSVersion.TLSv1_2),
        legacy=peers.serve_https(cert, key, min_version=ssl.TLSVersion.TLSv1, max_version=ssl.TLSVersion.TLSv1_1),
        red=peers.serve_red_page(),
    )
    ports = SimpleNamespace(**{name: server.server_address[1] for name, server in vars(servers).items()})
    app = make_app(base / "app")
    write_config(app, "depth.yaml", DEPTH_CONFIG.format(ports=",".join(str(p) for p in vars(ports).values()),
                                                       expected=", ".join(str(p) for p in vars(ports).values())))
    live = peers.LiveServer(app)
    client = app.test_client()
    login(client)
    key = api_key_for(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    scan_id = client.post("/api/scans", json={"config_file": "depth.yaml"}).get_json()["scan_id"]
    socket = simple_websocket.Client.connect(f"ws://127.0.0.1:{live.port}/ws/scans/{scan_id}",
                                             headers={"X-API-Key": key})
    events = []
    while not events or events[-1]["type"] != "complete":
        events.append(json.loads(socket.receive(timeout=120)))
    close_quietly(socket)
    assert wait_for_scan(client, scan_id)["status"] == "completed"
    document = client.get(f"/api/scans/{scan_id}").get_json()
    by_port = {p["port"]: p for p in document["sites"][0]["ips"][0]["ports"]}
    yield SimpleNamespace(app=app, client=client, scan_id=scan_id, ports=ports, document=document,
                          by_port=by_port, events=events, live=live, api_key=key)
    live.stop()
    jobs.stop(app, wait=True)
    for server in vars(servers).values():
        server.shutdown()


def certificate_of(depth_scan, name):
    service = depth_scan.by_port[getattr(depth_scan.ports, name)]["services"][0]
    assert len(service["certificates"]) == 1
    return service["certificates"][0]


def versions_of(certificate):
    return {v["tls_version"]: v for v in certificate["tls_versions"]}


def test_self_signed_certificate_details_come_back_right(depth_scan):
    certificate = certificate_of(depth_scan, "modern")
    assert certificate["subject"] == "CN=loopback.test" and certificate["issuer"] == "CN=loopback.test"
    assert certificate["serial_number"] == str(0x5EC0FFEE)
    assert certificate["is_self_signed"] is True
    assert json.loads(certificate["sans"]) == ["loopback.test", "127.0.0.1"]
    assert certificate["days_until_expiry"] in (9, 10)
    assert certificate["not_valid_after"].endswith("+00:00")


def test_modern_server_supports_tls_1_2_and_1_3_only(depth_scan):
    versions = versions_of(certificate_of(depth_scan, "modern"))
    assert {v: versions[v]["supported"] for v in versions} == {
        "TLS 1.0": False, "TLS 1.1": False, "TLS 1.2": True, "TLS 1.3": True}
    assert "TLS_AES_256_GCM_SHA384" in json.loads(versions["TLS 1.3"]["cipher_suites"])
    assert json.loads(versions["TLS 1.0"]["cipher_suites"]) == []


def test_server_limited_to_tls_1_2_is_reported_as_such(depth_scan):
    versions = versions_of(certificate_of(depth_scan, "tls12"))
    assert [v for v, details in versions.items() if details["supported"]] == ["TLS 1.2"]
    assert json.loads(versions["TLS 1.2"]["cipher_suites"])


def test_server_with_only_old_versions_is_reported_not_errored(depth_scan):
    versions = versions_of(certificate_of(depth_scan, "legacy"))
    assert [v for v, details in versions.items() if details["supported"]] == ["TLS 1.0", "TLS 1.1"]
    assert depth_scan.document["status"] == "completed" and depth_scan.document["warnings"] == []


def test_screenshot_is_a_real_png_of_the_page(depth_scan):
    service = depth_scan.by_port[depth_scan.ports.red]["services"][0]
    assert service["http_protocol"] == "http"
    path = Path(depth_scan.app.config["SNEAKY_OUTPUT_DIR"]) / service["screenshot_path"]
    assert service["screenshot_path"].startswith(Path(depth_scan.document["screenshot_dir"]).name + "/")
    image = Image.open(path)
    assert image.format == "PNG" and image.size == (1280, 800)
    assert image.convert("RGB").getpixel((640, 400)) == (255, 0, 0)


def test_https_services_are_screenshotted_despite_self_signed_certificates(depth_scan):
    service = depth_scan.by_port[depth_scan.ports.modern]["services"][0]
    assert service["http_protocol"] == "https" and service["screenshot_path"]


def test_screenshots_are_served_only_to_logged_in_users(depth_scan):
    service = depth_scan.by_port[depth_scan.ports.red]["services"][0]
    name = Path(service["screenshot_path"]).name
    url = f"/scans/{depth_scan.scan_id}/screenshots/{name}"
    response = depth_scan.client.get(url)
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert Image.open(io.BytesIO(response.data)).size == (1280, 800)
    assert depth_scan.app.test_client().get(url, headers={"Accept": "application/json"}).status_code == 401
    for bad in ("..%2F..%2Fdata%2Fsecret.key", "..%2Fscan_report.json", "nope.png"):
        assert depth_scan.client.get(f"/scans/{depth_scan.scan_id}/screenshots/{bad}").status_code == 404


def test_progress_streamed_live_over_the_websocket(depth_scan):
    phases = [e.get("phase") for e in depth_scan.events if e["type"] == "progress"]
    assert phases[:3] == ["ping", "discovery", "ports_found"]
    assert {"service_detection", "probed", "done"} <= set(phases)
    found = next(e for e in depth_scan.events if e.get("phase") == "ports_found")
    assert found["open_ports"] == 4
    assert depth_scan.events[-1] == {"type": "complete", "scan_id": depth_scan.scan_id, "status": "completed",
                                     "error_message": None}


def test_a_late_websocket_client_gets_the_events_so_far(depth_scan):
    socket = simple_websocket.Client.connect(f"ws://127.0.0.1:{depth_scan.live.port}/ws/scans/{depth_scan.scan_id}",
                                             headers={"Authentication": depth_scan.api_key})
    replay = []
    while not replay or replay[-1]["type"] != "complete":
        replay.append(json.loads(socket.receive(timeout=10)))
    close_quietly(socket)
    assert replay == [e for e in depth_scan.events if e["type"] != "heartbeat"]


def test_websocket_needs_credentials(depth_scan):
    with pytest.raises(simple_websocket.ConnectionError):
        simple_websocket.Client.connect(f"ws://127.0.0.1:{depth_scan.live.port}/ws/scans/{depth_scan.scan_id}")
    with pytest.raises(simple_websocket.ConnectionError):
        simple_websocket.Client.connect(f"ws://127.0.0.1:{depth_scan.live.port}/ws/scans/{depth_scan.scan_id}",
                                        headers={"X-API-Key": "sk_wrong"})


def test_html_report_shows_tls_and_the_gallery(depth_scan):
    html = Path(depth_scan.document["html_path"]).read_text()
    assert "TLS 1.3" in html and "CN=loopback.test" in html and "(self-signed)" in html
    red = depth_scan.by_port[depth_scan.ports.red]["services"][0]["screenshot_path"]
    assert f'src="{red}"' in html


def test_drift_of_the_scan_reaches_the_notifications(depth_scan):
    messages = [n["message"] for n in depth_scan.client.get("/api/notifications").get_json()["notifications"]]
    assert len(messages) == 1
    assert f"Scan #{depth_scan.scan_id} (TLS and web) found" in messages[0]


def test_scan_page_shows_certificates_and_screenshots(depth_scan):
    page = depth_scan.client.get(f"/scans/{depth_scan.scan_id}").get_data(as_text=True)
    assert "CN=loopback.test" in page and f"/scans/{depth_scan.scan_id}/screenshots/" in page
    assert "first completed scan of this config" in page
