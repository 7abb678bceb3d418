"""One real nmap scan of loopback services, read through the API, the reports and the pages."""

import json
import zipfile
from pathlib import Path

from tests.peers import XSS_BANNER


def ports_of(document):
    return document["sites"][0]["ips"][0]["ports"]


def test_result_lists_exactly_the_open_ports_with_expected_flags(shared_scan, shared_client):
    services = shared_scan.services
    document = shared_client.get(f"/api/scans/{shared_scan.scan_id}").get_json()
    assert document["status"] == "completed" and document["triggered_by"] == "manual"
    host = document["sites"][0]["ips"][0]
    assert host["ip_address"] == "127.0.0.1" and host["ping_expected"] and host["ping_actual"]
    observed = {(p["port"], p["protocol"], p["state"], p["expected"]) for p in ports_of(document)}
    assert observed == {
        (services.http_port, "tcp", "open", True),
        (services.closed_port, "tcp", "closed", True),
        (services.banner_port, "tcp", "open", False),
    }


def test_services_carry_nmaps_names_and_versions(shared_scan, shared_client):
    services = shared_scan.services
    by_port = {p["port"]: p for p in ports_of(shared_client.get(f"/api/scans/{shared_scan.scan_id}").get_json())}
    http = by_port[services.http_port]["services"][0]
    assert (http["service_name"], http["product"], http["http_protocol"]) == ("http", "SimpleHTTPServer", "http")
    banner = by_port[services.banner_port]["services"][0]
    assert (banner["product"], banner["version"], banner["extrainfo"]) == ("nginx", "1.24.0", XSS_BANNER)
    assert by_port[services.closed_port]["services"] == []
    assert set(http) == {"id", "service_name", "product", "version", "extrainfo", "ostype",
                         "http_protocol", "screenshot_path", "certificates"}


def test_json_report_is_the_document_the_api_returns(shared_scan, shared_client):
    document = shared_client.get(f"/api/scans/{shared_scan.scan_id}").get_json()
    assert Path(document["json_path"]).name.startswith("scan_report_")
    assert json.loads(Path(document["json_path"]).read_text()) == document


def test_html_report_escapes_what_scanned_hosts_sent(shared_scan, shared_client):
    document = shared_client.get(f"/api/scans/{shared_scan.scan_id}").get_json()
    html = Path(document["html_path"]).read_text()
    assert XSS_BANNER not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Loopback &lt;b&gt;services&lt;/b&gt;" in html  # the config title, too


def test_zip_report_holds_json_html_and_screenshots(shared_scan, shared_client):
    document = shared_client.get(f"/api/scans/{shared_scan.scan_id}").get_json()
    screenshots = [p["services"][0]["screenshot_path"] for p in ports_of(document)
                   if p["services"] and p["services"][0]["screenshot_path"]]
    assert len(screenshots) == 2  # both web services
    with zipfile.ZipFile(document["zip_path"]) as archive:
        assert sorted(archive.namelist()) == sorted(
            [Path(document["json_path"]).name, Path(document["html_path"]).name] + screenshots)


def test_scan_page_shows_ports_escaped(shared_scan, shared_client):
    page = shared_client.get(f"/scans/{shared_scan.scan_id}").get_data(as_text=True)
    assert str(shared_scan.services.banner_port) in page
    assert XSS_BANNER not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_report_downloads_need_login_and_serve_the_files(shared_scan, shared_client):
    anonymous = shared_scan.app.test_client()
    assert anonymous.get(f"/scans/{shared_scan.scan_id}/report.zip").status_code == 302
    for fmt in ("json", "html", "zip"):
        response = shared_client.get(f"/scans/{shared_scan.scan_id}/report.{fmt}")
        assert response.status_code == 200
        assert "attachment" in response.headers["Content-Disposition"]
    assert shared_client.get(f"/scans/{shared_scan.scan_id}/report.exe").status_code == 404


def test_dashboard_links_recent_scans(shared_scan, shared_client):
    page = shared_client.get("/dashboard").get_data(as_text=True)
    assert f'href="/scans/{shared_scan.scan_id}"' in page
