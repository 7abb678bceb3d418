"""scanner/diff.py on small documents: every kind of change and every kind of drift."""

from scanner.diff import compare_documents, drift_findings


def document(scan_id, version="1.0", serial="1", tls=("TLS 1.2",), days=200, self_signed=False, open_=True):
    tls_versions = [{"tls_version": v, "supported": v in tls, "cipher_suites": "[]"}
                    for v in ("TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3")]
    certificate = {"subject": "CN=web", "serial_number": serial, "not_valid_after": "2030-01-01T00:00:00+00:00",
                   "days_until_expiry": days, "is_self_signed": self_signed, "tls_versions": tls_versions}
    service = {"service_name": "https", "product": "nginx", "version": version, "certificates": [certificate]}
    port = {"port": 443, "protocol": "tcp", "expected": True, "state": "open" if open_ else "closed",
            "services": [service] if open_ else []}
    return {"id": scan_id, "sites": [{"ips": [{"ip_address": "10.0.0.1", "ports": [port]}]}]}


def test_identical_scans_have_no_changes_and_no_drift():
    diff = compare_documents(document(1), document(2))
    assert diff["has_changes"] is False and diff["against_scan_id"] == 1
    assert drift_findings(document(2), diff) == []


def test_version_certificate_and_tls_changes_are_diffed_and_alerted():
    before = document(1, version="1.24", serial="1", tls=("TLS 1.2",))
    after = document(2, version="1.25", serial="2", tls=("TLS 1.1", "TLS 1.2", "TLS 1.3"), days=5, self_signed=True)
    diff = compare_documents(before, after, warning_days=30)
    assert diff["services_changed"][0]["before"]["version"] == "1.24"
    assert diff["certificates_replaced"][0]["after"]["serial_number"] == "2"
    assert [v["tls_version"] for v in diff["tls_versions_enabled"]] == ["TLS 1.1", "TLS 1.3"]
    assert diff["certificates_expiring"][0]["days_until_expiry"] == 5
    findings = drift_findings(after, diff, warning_days=30)
    assert findings == [
        "Certificate of 10.0.0.1:443/tcp (CN=web) expires in 5 days",
        "Certificate of 10.0.0.1:443/tcp (CN=web) is self-signed",
        "TLS 1.1 is enabled on 10.0.0.1:443/tcp",
        "Service on 10.0.0.1:443/tcp changed from https nginx 1.24 to https nginx 1.25",
    ]


def test_a_closed_expected_port_is_drift():
    diff = compare_documents(document(1), document(2, open_=False))
    assert [p["port"] for p in diff["ports_closed"]] == [443]
    assert drift_findings(document(2, open_=False), diff) == ["Expected port 10.0.0.1:443/tcp is closed"]
