"""Investigations against local stand-ins of HIBP, EmailRep, Gravatar, GitHub, Wayback and DNS."""

import csv
import io
import json

import pytest
import simple_websocket
import stix2
from pypdf import PdfReader

from tests import intel_peers
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, api_key_for, login, make_app, wait_for_investigation
from tests.peers import LiveServer
from web import jobs
from web.models import Finding, ModuleRun

DEFAULT_MODULES = ["hibp", "emailrep", "gravatar", "domain_intel", "github_commits", "wayback"]


@pytest.fixture(scope="module")
def peers():
    running = intel_peers.IntelPeers()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def intel(tmp_path_factory, peers):
    """An app whose settings point every module at the peers, served for WebSocket clients too."""
    app = make_app(tmp_path_factory.mktemp("intel"), INVESTIGATION_MODULE_TIMEOUT=3)
    client = app.test_client()
    login(client)
    for key, value in peers.settings().items():
        assert client.put(f"/api/settings/{key}", json={"value": value}).status_code == 200, key
    live = LiveServer(app)
    key = api_key_for(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    yield type("Intel", (), {"app": app, "client": client, "live": live, "key": key})
    live.stop()
    jobs.stop(app, wait=True)


def investigate(intel, email, **extra):
    response = intel.client.post("/api/investigate", json={"email": email, **extra})
    assert response.status_code == 202, response.get_json()
    return response.get_json()["id"]


def stream(intel, investigation_id, headers=None):
    """Every WebSocket frame until investigation_complete (or an error frame)."""
    socket = simple_websocket.Client.connect(f"ws://127.0.0.1:{intel.live.port}/ws/investigate/{investigation_id}",
                                             headers=headers or {"X-API-Key": intel.key})
    frames = []
    try:
        while not frames or frames[-1]["type"] not in ("investigation_complete", "error"):
            frames.append(json.loads(socket.receive(timeout=30)))
    finally:
        try:
            socket.close()
        except simple_websocket.ConnectionClosed:
            pass
    return frames


def report_of(intel, investigation_id):
    return intel.client.get(f"/api/report/{investigation_id}").get_json()


def runs_by_module(report):
    return {run["module_name"]: run for run in report["module_runs"]}


@pytest.fixture(scope="module")
def breached(intel):
    investigation_id = investigate(intel, intel_peers.BREACHED)
    frames = stream(intel, investigation_id)
    return investigation_id, frames, report_of(intel, investigation_id)


def test_events_arrive_in_order(breached):
    _, frames, _ = breached
    starts = [f["module"] for f in frames if f["type"] == "module_start"]
    assert starts == DEFAULT_MODULES
    assert all(f["type"] == "module_start" for f in frames[:len(starts)])
    ends = [f for f in frames if f["type"] in ("module_result", "module_error")]
    assert sorted(f["module"] for f in ends) == sorted(DEFAULT_MODULES)
    assert frames[-1]["type"] == "investigation_complete" and len(frames) == 2 * len(DEFAULT_MODULES) + 1
    hibp = next(f for f in ends if f["module"] == "hibp")
    assert hibp["status"] == "success" and [x["metadata"]["name"] for x in hibp["findings"]] == ["Adobe", "StealerLogsJan2025"]


def test_breached_report_has_every_field_and_the_scores(breached):
    investigation_id, frames, report = breached
    assert set(report) >= {"id", "email", "status", "exposure_score", "risk_level", "credential_risk_score",
                           "credential_risk_band", "score_drivers", "recommended_actions", "summary", "created_at",
                           "completed_at", "module_runs", "findings", "findings_by_module", "metadata_table"}
    assert report["status"] == "complete" and report["email"] == intel_peers.BREACHED
    assert all(run["status"] == "success" for run in report["module_runs"]), report["module_runs"]
    # Breach x15: 2 HIBP breaches + EmailRep's breach flag; social x5: 2 EmailRep profiles, 2 Gravatar,
    # 1 GitHub; other x2: DNS, Wayback.  45 + 25 + 4 = 74.
    assert report["exposure_score"] == 74 and report["risk_level"] == "high"
    assert frames[-1] == {"type": "investigation_complete", "exposure_score": 74, "risk_level": "high"}
    assert report["credential_risk_band"] == "CRITICAL" and report["credential_risk_score"] >= 75
    assert "infostealer hit" in report["score_drivers"]
    assert "2 breach(es) exposed passwords" in report["score_drivers"]
    assert report["recommended_actions"][0] == "Reset affected passwords immediately and revoke active sessions"
    hibp = report["metadata_table"]["hibp"]
    assert hibp["total_breaches"] == 2 and hibp["breach_dates"] == "2013-10-04 to 2025-01-13"
    assert "Passwords" in hibp["all_data_classes"]
    adobe = report["findings_by_module"]["hibp"][0]
    assert adobe["url"] == "https://haveibeenpwned.com/PwnedWebsites#Adobe"
    assert adobe["metadata"]["severity"] == "critical" and adobe["metadata"]["domain"] == "adobe.com"
    dns = report["findings_by_module"]["domain_intel"][0]["metadata"]
    assert dns["mx"] == ["10 mail.example.test."] and dns["spf"] == "v=spf1 mx -all"
    assert dns["dmarc"] == "v=DMARC1; p=reject" and dns["a"] == ["127.0.0.1"] and dns["disposable"] is False
    assert report["findings_by_module"]["wayback"][0]["metadata"]["urls_naming_the_user"] == [
        "http://example.test/team/jane.doe"]
    assert report["summary"] == f"Ran 6 modules (6 successful, 0 failed). Found {len(report['findings'])} data points."


def test_clean_address_is_low_risk_and_hibp_says_so_by_succeeding(intel):
    report = report_of(intel, wait_done(intel, investigate(intel, intel_peers.CLEAN)))
    runs = runs_by_module(report)
    assert runs["hibp"]["status"] == "success" and report["findings_by_module"]["hibp"] == []
    assert runs["gravatar"]["run_metadata"]["profile_found"] is False
    assert report["credential_risk_band"] == "LOW" and report["risk_level"] == "low"


def wait_done(intel, investigation_id):
    wait_for_investigation(intel.client, investigation_id)
    return investigation_id


@pytest.mark.parametrize("email, status, error", [
    (intel_peers.RATE_LIMITED_SHORT, "success", None),
    (intel_peers.RATE_LIMITED_LONG, "failed", "rate limited by HIBP (Retry-After: 60)"),
    (intel_peers.HANGS, "failed", "did not finish within 3 seconds"),
    (intel_peers.GARBAGE, "failed", "HIBP returned an unreadable response (not JSON)"),
])
def test_difficult_sources_fail_loudly_and_alone(intel, email, status, error):
    report = report_of(intel, wait_done(intel, investigate(intel, email, modules=["hibp", "domain_intel"])))
    runs = runs_by_module(report)
    assert runs["hibp"]["status"] == status
    if error:
        assert error in runs["hibp"]["errors"]
    assert runs["domain_intel"]["status"] == "success"  # one bad source never holds the others
    assert report["status"] == "complete"


def test_missing_key_is_a_module_error_not_a_clean_result(intel):
    intel.client.put("/api/settings/hibp_api_key", json={"value": ""})
    try:
        report = report_of(intel, wait_done(intel, investigate(intel, intel_peers.BREACHED, modules=["hibp"])))
    finally:
        intel.client.put("/api/settings/hibp_api_key", json={"value": "hibp-test-key"})
    run = report["module_runs"][0]
    assert run["status"] == "failed" and "hibp-api-key not set" in run["errors"]


def test_breach_deep_is_opt_in_and_says_when_no_corpus_is_loaded(intel):
    investigation_id = investigate(intel, intel_peers.CLEAN, modules=["gravatar"], enable_modules=["all"])
    report = report_of(intel, wait_done(intel, investigation_id))
    assert [r["module_name"] for r in report["module_runs"]] == ["gravatar", "breach_deep"]
    assert "No local breach corpus is loaded" in runs_by_module(report)["breach_deep"]["errors"]


@pytest.mark.parametrize("body, fragment", [
    ({"email": "not-an-email"}, "is not a valid email address"),
    ({"email": "a@b.test", "modules": ["hibp", "shodan"]}, "Unknown module(s): shodan. Valid modules: hibp"),
    ({"email": "a@b.test", "enable_modules": ["ghunt"]}, "opt-in (enable_modules): breach_deep"),
    ({"email": "a@b.test", "modules": "hibp"}, "Valid modules"),
    ({}, "is not a valid email address"),
])
def test_invalid_requests_are_400_with_the_valid_names(intel, body, fragment):
    response = intel.client.post("/api/investigate", json=body)
    assert response.status_code == 400 and fragment in response.get_json()["message"]


def test_every_export_format_parses_back(intel, breached):
    investigation_id, _, report = breached
    base = f"/api/report/{investigation_id}/export"
    files = {}
    for fmt, extension in (("json", "json"), ("csv", "csv"), ("markdown", "markdown"), ("pdf", "pdf"),
                           ("stix", "stix.json"), ("maltego", "maltego.csv")):
        response = intel.client.get(f"{base}?format={fmt}")
        assert response.status_code == 200, fmt
        assert response.headers["Content-Disposition"] == (
            f'attachment; filename="mailaccess_{intel_peers.BREACHED}_{investigation_id}.{extension}"')
        files[fmt] = response.data
    assert json.loads(files["json"])["exposure_score"] == report["exposure_score"]
    rows = list(csv.DictReader(io.StringIO(files["csv"].decode())))
    assert len(rows) == len(report["findings"]) and rows[0]["platform"] == "HaveIBeenPwned"
    assert files["markdown"].decode().startswith(f"# Investigation of {intel_peers.BREACHED}")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(files["pdf"])).pages)
    assert intel_peers.BREACHED in text and "Exposure score: 74 (high)" in text and "hibp: success" in text
    bundle = stix2.parse(files["stix"].decode(), allow_custom=False)
    types = {obj.type for obj in bundle.objects}
    assert {"email-addr", "identity", "observed-data", "relationship"} <= types
    assert next(o for o in bundle.objects if o.type == "email-addr").value == intel_peers.BREACHED
    maltego = list(csv.DictReader(io.StringIO(files["maltego"].decode())))
    assert {"maltego.EmailAddress", "maltego.Alias", "maltego.Phrase"} <= {r["Entity Type"] for r in maltego}
    assert intel.client.get(f"{base}?format=docx").status_code == 501


def test_clusters_and_graph_connect_the_identities(intel, breached):
    investigation_id, _, _ = breached
    clusters = intel.client.get(f"/api/report/{investigation_id}/clusters").get_json()["clusters"]
    top = clusters[0]
    assert top["reasoning"] == "Shared username 'janedoe' across GitHub, Gravatar findings"
    assert top["confidence"] in ("medium", "high") and 0 < top["score"] <= 1 and top["id"] == "cluster-1"
    assert {m["module"] for m in top["members"]} == {"gravatar", "github_commits"}
    graph = intel.client.get(f"/api/report/{investigation_id}/graph").get_json()
    ids = {node["id"] for node in graph["nodes"]}
    assert {f"email:{intel_peers.BREACHED}", "domain:example.test", "account:github:janedoe",
            "breach:adobe"} <= ids
    assert all(link["source"] == f"email:{intel_peers.BREACHED}" and link["target"] in ids for link in graph["links"])


def test_a_late_websocket_client_gets_every_event(intel, breached):
    investigation_id, frames, _ = breached
    assert stream(intel, investigation_id, headers={"Authentication": intel.key}) == frames


def test_list_modules_and_investigations(intel, breached):
    modules = intel.client.get("/api/modules/").get_json()
    assert [m["name"] for m in modules] == DEFAULT_MODULES + ["breach_deep"]
    assert next(m for m in modules if m["name"] == "hibp")["requires_key"] is True
    listing = intel.client.get("/api/investigations?page=1&page_size=2").get_json()
    assert listing["page_size"] == 2 and len(listing["items"]) == 2 and listing["total"] >= 2
    assert set(listing["items"][0]) == {"id", "email", "status", "exposure_score", "created_at", "completed_at"}
    assert intel.client.get("/api/investigations?page_size=101").status_code == 400


def test_investigations_belong_to_their_user(intel, breached):
    investigation_id, _, _ = breached
    member = intel.app.test_client()
    assert intel.client.post("/api/users", json={"email": "analyst@example.test",
                                                 "password": "another long passphrase"}).status_code == 201
    login(member, password="another long passphrase", email="analyst@example.test")
    for path in (f"/api/report/{investigation_id}", f"/api/report/{investigation_id}/export",
                 f"/api/report/{investigation_id}/clusters", f"/api/report/{investigation_id}/graph"):
        assert member.get(path).status_code == 404, path
    assert member.delete(f"/api/investigation/{investigation_id}").status_code == 404
    assert member.get("/api/investigations").get_json()["total"] == 0
    member_key = api_key_for(member, "analyst@example.test", "another long passphrase")
    assert stream(intel, investigation_id, headers={"X-API-Key": member_key}) == [intel_peers_not_found()]


def intel_peers_not_found():
    return {"type": "error", "error": "investigation not found or already streaming"}


def test_cache_returns_the_complete_result_unless_forced(tmp_path, peers):
    app = make_app(tmp_path, ENABLE_INVESTIGATION_CACHE=True, INVESTIGATION_MODULE_TIMEOUT=3)
    try:
        client = app.test_client()
        login(client)
        for key, value in peers.settings().items():
            client.put(f"/api/settings/{key}", json={"value": value})
        first = client.post("/api/investigate", json={"email": intel_peers.CLEAN, "modules": ["domain_intel"]})
        assert first.status_code == 202
        first_id = first.get_json()["id"]
        assert wait_for_investigation(client, first_id)["status"] == "complete"
        cached = client.post("/api/investigate", json={"email": intel_peers.CLEAN.upper()})
        assert cached.status_code == 200
        assert cached.get_json() == {"id": first_id, "status": "complete", "cached": True,
                                     "created_at": cached.get_json()["created_at"]}
        forced = client.post("/api/investigate", json={"email": intel_peers.CLEAN, "force": True})
        assert forced.status_code == 202 and forced.get_json()["id"] != first_id
    finally:
        jobs.stop(app, wait=True)


def test_delete_removes_everything(intel):
    investigation_id = wait_done(intel, investigate(intel, intel_peers.BREACHED, modules=["hibp"]))
    assert intel.client.delete(f"/api/investigation/{investigation_id}").status_code == 204
    assert intel.client.get(f"/api/report/{investigation_id}").status_code == 404
    with intel.app.app_context():
        assert ModuleRun.query.filter_by(investigation_id=investigation_id).count() == 0
        assert Finding.query.filter_by(investigation_id=investigation_id).count() == 0


def test_investigations_need_login(intel):
    anonymous = intel.app.test_client()
    assert anonymous.post("/api/investigate", json={"email": "a@b.test"}).status_code == 401
    assert anonymous.get("/api/modules/").status_code == 401


TRX = """<MaltegoMessage><MaltegoTransformRequestMessage><Entities>
<Entity Type="maltego.EmailAddress"><Value>{email}</Value><Weight>100</Weight></Entity>
</Entities><Limits SoftLimit="12" HardLimit="12"/></MaltegoTransformRequestMessage></MaltegoMessage>"""


def test_maltego_transform_answers_with_entities(intel):
    response = intel.client.post("/maltego/email_investigate", data=TRX.format(email=intel_peers.BREACHED),
                                 content_type="text/xml")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    body = response.get_data(as_text=True)
    assert "<Entity Type=\"maltego.Phrase\"><Value>Breach: Adobe</Value>" in body
    assert "<Entity Type=\"maltego.Alias\"><Value>janedoe</Value>" in body
    assert "<Entity Type=\"maltego.Domain\"><Value>example.test</Value>" in body


def test_maltego_refuses_entity_tricks_and_remote_callers(intel):
    xxe = ('<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           + TRX.format(email="&x;"))
    response = intel.client.post("/maltego/email_investigate", data=xxe, content_type="text/xml")
    assert response.status_code == 400 and "root:" not in response.get_data(as_text=True)
    assert "Not a valid Maltego TRX request" in response.get_data(as_text=True)
    anonymous = intel.app.test_client()
    remote = anonymous.post("/maltego/email_investigate", data=TRX.format(email=intel_peers.CLEAN),
                            content_type="text/xml", environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert remote.status_code == 403
    keyed = anonymous.post("/maltego/email_investigate", data=TRX.format(email="bad"), content_type="text/xml",
                           environ_base={"REMOTE_ADDR": "198.51.100.7"}, headers={"X-API-Key": intel.key})
    assert keyed.status_code == 400 and "not a valid email address" in keyed.get_data(as_text=True)
