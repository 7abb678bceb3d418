"""The breach watchlist through HTTP: Breach Report's bodies, monitoring passes, signed postbacks, SSRF."""

import hashlib
import hmac
import http.server
import json
import threading
import time
from urllib.parse import unquote, urlparse

import pytest

from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, api_key_for, wait_for_investigation
from tests.peers import _QuietServer
from web.watchlist.monitor import run_monitoring_pass

ADOBE = {"Name": "Adobe", "Title": "Adobe", "Domain": "adobe.com", "BreachDate": "2013-10-04",
         "AddedDate": "2013-12-04T00:00:00Z", "DataClasses": ["Email addresses", "Passwords"]}
CANVA = {"Name": "Canva", "Title": "Canva", "Domain": "canva.com", "BreachDate": "2019-05-24",
         "AddedDate": "2019-08-09T14:24:01Z", "DataClasses": ["Email addresses", "Names"]}


class HibpWorld:
    """A HIBP v3 stand-in whose breaches the test can change: breachedaccount, breacheddomain,
    breach, latestbreach."""

    def __init__(self):
        self.accounts = {"jane@corp.test": [ADOBE]}
        self.domains = {"corp.test": {"jane": ["Adobe"]}}
        self.down = False
        self.calls = []
        world = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                path = urlparse(self.path).path
                world.calls.append(path)
                if world.down:
                    return self.reply(503, {"message": "Service unavailable"})
                if self.headers.get("hibp-api-key") != "key":
                    return self.reply(401, {"statusCode": 401, "message": "Access denied"})
                everything = {b["Name"]: b for bs in world.accounts.values() for b in bs}
                if path.endswith("/latestbreach"):
                    return self.reply(200, max(everything.values(), key=lambda b: b["AddedDate"]))
                name = unquote(path.rsplit("/", 1)[-1])
                if "/breachedaccount/" in path:
                    return self.reply(200, world.accounts[name]) if world.accounts.get(name) else self.reply(404)
                if "/breacheddomain/" in path:
                    return self.reply(200, world.domains[name]) if world.domains.get(name) else self.reply(404)
                if "/breach/" in path:
                    return self.reply(200, everything[name]) if name in everything else self.reply(404)
                self.reply(404)

            def reply(self, status, body=None):
                data = json.dumps(body).encode() if body is not None else b""
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = _QuietServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def base(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}/api/v3"

    def add_breach(self, email, breach):
        self.accounts.setdefault(email, []).append(breach)


class Receiver:
    """A postback receiver on loopback; `statuses` scripts its answers, the last one repeats."""

    def __init__(self, statuses=(200,), location=None):
        self.received = []
        self.statuses = list(statuses)
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                status = receiver.statuses.pop(0) if len(receiver.statuses) > 1 else receiver.statuses[0]
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = _QuietServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/breach"

    def wait_for(self, count, timeout=15):
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.received


@pytest.fixture
def hibp():
    world = HibpWorld()
    yield world
    world.server.shutdown()


@pytest.fixture
def watch(app, auth_client, hibp):
    """A logged-in admin with HIBP pointed at the stand-in and private postbacks allowed (all is loopback)."""
    app.config["POSTBACK_BACKOFF_SECONDS"] = 0.2
    for key, value in (("hibp_api_key", "key"), ("hibp_base_url", hibp.base), ("postback_allow_private", True)):
        assert auth_client.put(f"/api/settings/{key}", json={"value": value}).status_code == 200
    key = api_key_for(auth_client, ADMIN_EMAIL, ADMIN_PASSWORD)
    return type("Watch", (), {"app": app, "client": auth_client, "headers": {"api-key": key}})


def add_email(watch, email, **extra):
    response = watch.client.post("/api/v1/email", data={"email": email, **extra}, headers=watch.headers)
    return response


def monitored_email(watch, email):
    entry = add_email(watch, email).get_json()["email"]
    assert watch.client.post(f"/api/v1/email/{entry['id']}/monitoring", headers=watch.headers).status_code == 200
    return entry


def verify(secret, headers, body):
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(headers["X-Signature-256"], expected)


def test_email_endpoints_answer_as_breach_report(watch):
    created = add_email(watch, "John.Smith@Example.com")
    assert created.status_code == 201
    entry = created.get_json()
    assert entry == {"status": "success", "email": {"id": entry["email"]["id"], "emailAddress": "john.smith@example.com"}}
    email_id = entry["email"]["id"]
    assert len(email_id) == 24
    assert add_email(watch, "john.smith@example.com").get_json() == {"status": "error", "message": "Email address already exists"}
    start = watch.client.post(f"/api/v1/email/{email_id}/monitoring", headers=watch.headers)
    assert start.get_json() == entry
    again = watch.client.post(f"/api/v1/email/{email_id}/monitoring", headers=watch.headers)
    assert again.status_code == 409
    assert again.get_json() == {"status": "error", "message": "Email is already in monitoring list"}
    stop = watch.client.delete(f"/api/v1/email/{email_id}/monitoring", headers=watch.headers)
    assert stop.get_json() == entry
    assert watch.client.delete(f"/api/v1/email/{email_id}/monitoring", headers=watch.headers).get_json() == {
        "status": "error", "message": "Email does not exist in monitoring list"}
    missing = {"status": "error", "message": "Email was not found. Please, add email and send request again."}
    for method in ("post", "delete"):
        response = getattr(watch.client, method)("/api/v1/email/5e4d82ab36839d32685374a6/monitoring",
                                                 headers=watch.headers)
        assert response.status_code == 404 and response.get_json() == missing
    listed = watch.client.get("/api/v1/email", headers=watch.headers).get_json()["emails"]
    assert [e["emailAddress"] for e in listed] == ["john.smith@example.com"]
    assert watch.client.get(f"/api/v1/email/{email_id}", headers=watch.headers).get_json()["email"]["breaches"] == []
    assert watch.client.delete(f"/api/v1/email/{email_id}", headers=watch.headers).get_json() == entry
    assert watch.client.get(f"/api/v1/email/{email_id}", headers=watch.headers).status_code == 404


def test_domain_endpoints_and_assignment_answer_as_breach_report(watch):
    created = watch.client.post("/api/v1/domain", data={"domain": "smith-example.com"}, headers=watch.headers)
    domain = created.get_json()["domain"]
    assert created.status_code == 201 and domain["domainName"] == "smith-example.com"
    start = watch.client.post(f"/api/v1/domain/{domain['id']}/monitoring", headers=watch.headers)
    assert start.get_json() == {"status": "success", "domain": domain}
    assert watch.client.post(f"/api/v1/domain/{domain['id']}/monitoring", headers=watch.headers).get_json() == {
        "status": "error", "message": "Domain already added to monitoring list"}
    assert watch.client.post("/api/v1/domain/nope/monitoring", headers=watch.headers).get_json() == {
        "status": "error", "message": "Domain was not found. Please, add email and send request again."}
    assert watch.client.delete(f"/api/v1/domain/{domain['id']}/monitoring", headers=watch.headers).status_code == 200
    assert watch.client.delete(f"/api/v1/domain/{domain['id']}/monitoring", headers=watch.headers).get_json() == {
        "status": "error", "message": "Domain is not on the watchlist"}
    assert watch.client.delete("/api/v1/domain/nope/monitoring", headers=watch.headers).get_json() == {
        "status": "error", "message": "Domain was not found. Please, add domain and send request again."}

    assigned = add_email(watch, "john@smith-example.com", domainId=domain["id"])
    assert assigned.status_code == 201 and assigned.get_json()["email"]["emailAddress"] == "john@smith-example.com"
    mismatch = add_email(watch, "john@example.com", domainId=domain["id"])
    assert mismatch.status_code == 400 and mismatch.get_json() == {
        "status": "error", "message": "Email domain (example.com) is not equal to target domain (smith-example.com)"}
    assert add_email(watch, "x@smith-example.com", domainId="5e4e978211944f4cf3184eb4").get_json() == {
        "status": "error", "message": "Domain doesn't exist"}
    json_body = watch.client.post("/api/v1/email", json={"email": "jane@smith-example.com", "domainId": domain["id"]},
                                  headers=watch.headers)
    assert json_body.status_code == 201
    assert add_email(watch, "not an email").status_code == 400
    assert watch.client.post("/api/v1/domain", data={"domain": "bad domain"}, headers=watch.headers).status_code == 400


def test_entries_belong_to_their_owner(watch):
    email_id = add_email(watch, "owner@example.com").get_json()["email"]["id"]
    assert watch.client.post("/api/users", json={"email": "other@example.test", "password": "yet another passphrase"}
                             ).status_code == 201
    other = {"api-key": api_key_for(watch.client, "other@example.test", "yet another passphrase")}
    assert watch.client.get(f"/api/v1/email/{email_id}", headers=other).status_code == 404
    assert watch.client.get("/api/v1/email", headers=other).get_json()["emails"] == []


def test_a_new_breach_gives_exactly_one_signed_postback(watch, hibp):
    receiver = Receiver()
    secret = watch.client.post("/api/v1/postback", data={"url": receiver.url}, headers=watch.headers).get_json()[
        "postback"]["secret"]
    entry = monitored_email(watch, "jane@corp.test")
    assert watch.client.post("/api/v1/monitoring/run", headers=watch.headers).status_code == 202
    (headers, body), = receiver.wait_for(1)
    assert verify(secret, headers, body) and headers["X-Delivery-ID"]
    payload = json.loads(body)
    assert payload["emails"] == [{"id": entry["id"], "emailAddress": "jane@corp.test", "breaches": [
        {"name": "Adobe", "title": "Adobe", "domain": "adobe.com", "breachDate": "2013-10-04",
         "dataClasses": ["Email addresses", "Passwords"], "source": "hibp"}]}]
    assert payload["domains"] == []

    calls_before = len(hibp.calls)
    assert run_monitoring_pass(watch.app) == 0  # nothing new: no postback
    assert hibp.calls[calls_before:] == ["/api/v3/latestbreach"]  # and no needless breachedaccount call
    time.sleep(0.3)
    assert len(receiver.received) == 1

    hibp.add_breach("jane@corp.test", CANVA)
    assert run_monitoring_pass(watch.app) == 1
    second = json.loads(receiver.wait_for(2)[1][1])
    assert [b["name"] for b in second["emails"][0]["breaches"]] == ["Canva"]
    recorded = watch.client.get(f"/api/v1/email/{entry['id']}", headers=watch.headers).get_json()["email"]["breaches"]
    assert [b["name"] for b in recorded] == ["Adobe", "Canva"]
    deliveries = watch.client.get("/api/v1/postback/deliveries", headers=watch.headers).get_json()["deliveries"]
    assert [d["status"] for d in deliveries] == ["delivered", "delivered"]


def test_domains_are_monitored_through_hibp_and_the_corpus(watch, hibp, tmp_path):
    receiver = Receiver()
    watch.client.post("/api/v1/postback", data={"url": receiver.url}, headers=watch.headers)
    domain = watch.client.post("/api/v1/domain", data={"domain": "corp.test"}, headers=watch.headers).get_json()["domain"]
    watch.client.post(f"/api/v1/domain/{domain['id']}/monitoring", headers=watch.headers)
    dump = tmp_path / "corp.txt"
    dump.write_text("bob@corp.test:secret\nsomeone@else.test:x\n")
    result = watch.app.test_cli_runner().invoke(args=["breach", "import", str(dump), "--name", "CorpLeak",
                                                      "--date", "2024-02-01"])
    assert result.exit_code == 0, result.output
    run_monitoring_pass(watch.app)
    payload = json.loads(receiver.wait_for(1)[0][1])
    breaches = payload["domains"][0]["breaches"]
    assert {(b["name"], b["emailAddress"], b["source"]) for b in breaches} == {
        ("Adobe", "jane@corp.test", "hibp"), ("CorpLeak", "bob@corp.test", "corpus")}
    checked = watch.client.get(f"/api/v1/domain/{domain['id']}/check", headers=watch.headers).get_json()
    assert {b["name"] for b in checked["breaches"]} == {"Adobe", "CorpLeak"}


def test_an_imported_dump_triggers_a_postback_without_hibp(watch, tmp_path):
    watch.client.put("/api/settings/hibp_api_key", json={"value": ""})
    receiver = Receiver()
    watch.client.post("/api/v1/postback", json={"url": receiver.url}, headers=watch.headers)
    monitored_email(watch, "victim@example.org")
    run_monitoring_pass(watch.app)
    time.sleep(0.3)
    assert receiver.received == []
    dump = tmp_path / "dump.csv"
    dump.write_text("id,email,password\n1,Victim@Example.org,hunter2\n2,broken-line\n")
    upload = watch.client.post("/api/v1/breaches/import", headers=watch.headers, data={
        "file": (dump.open("rb"), "dump.csv"), "name": "ExampleOrg", "date": "2025-01-02",
        "data_classes": "Passwords"})
    assert upload.status_code == 201
    assert upload.get_json()["source"]["addresses"] == 1 and upload.get_json()["source"]["skippedLines"] == 1
    run_monitoring_pass(watch.app)
    payload = json.loads(receiver.wait_for(1)[0][1])
    breach = payload["emails"][0]["breaches"][0]
    assert (breach["name"], breach["breachDate"], breach["source"]) == ("ExampleOrg", "2025-01-02", "corpus")
    assert breach["dataClasses"] == ["Email addresses", "Passwords"]
    run_monitoring_pass(watch.app)
    time.sleep(0.3)
    assert len(receiver.received) == 1


def test_a_failing_receiver_gets_the_same_delivery_id_again(watch):
    receiver = Receiver(statuses=[500, 200])
    secret = watch.client.post("/api/v1/postback", data={"url": receiver.url}, headers=watch.headers).get_json()[
        "postback"]["secret"]
    monitored_email(watch, "jane@corp.test")
    run_monitoring_pass(watch.app)
    first, second = receiver.wait_for(2)
    assert first[0]["X-Delivery-ID"] == second[0]["X-Delivery-ID"] and first[1] == second[1]
    assert verify(secret, *second)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        delivery = watch.client.get("/api/v1/postback/deliveries", headers=watch.headers).get_json()["deliveries"][0]
        if delivery["status"] == "delivered":
            break
        time.sleep(0.05)
    assert (delivery["status"], delivery["attempts"], delivery["lastStatusCode"]) == ("delivered", 2, 200)


def test_a_source_that_is_down_is_retried_and_never_reads_as_clean(watch, hibp):
    receiver = Receiver()
    watch.client.post("/api/v1/postback", data={"url": receiver.url}, headers=watch.headers)
    entry = monitored_email(watch, "jane@corp.test")
    hibp.down = True
    run_monitoring_pass(watch.app)
    listed = watch.client.get(f"/api/v1/email/{entry['id']}", headers=watch.headers).get_json()["email"]
    assert "HIBP answered HTTP 503" in listed["lastError"]
    hibp.down = False
    run_monitoring_pass(watch.app)
    assert json.loads(receiver.wait_for(1)[0][1])["emails"][0]["breaches"][0]["name"] == "Adobe"


@pytest.mark.parametrize("host", ["127.0.0.1", "[::ffff:127.0.0.1]", "0x7f.1", "169.254.169.254", "[::1]", "10.0.0.1"])
def test_private_postback_targets_are_refused(watch, host):
    watch.client.put("/api/settings/postback_allow_private", json={"value": False})
    response = watch.client.post("/api/v1/postback", data={"url": f"http://{host}:8080/hook"}, headers=watch.headers)
    assert response.status_code == 400
    assert "postback_allow_private" in response.get_json()["message"]


@pytest.mark.parametrize("url", ["file:///etc/passwd", "gopher://example.com/", "http://user:pw@example.com/", "not a url"])
def test_non_http_postback_urls_are_refused(watch, url):
    assert watch.client.post("/api/v1/postback", data={"url": url}, headers=watch.headers).status_code == 400


def test_redirects_are_not_followed_and_addresses_are_checked_again_at_send_time(watch):
    target = Receiver()
    redirector = Receiver(statuses=[302], location=target.url)
    watch.client.post("/api/v1/postback", data={"url": redirector.url}, headers=watch.headers)
    monitored_email(watch, "jane@corp.test")
    run_monitoring_pass(watch.app)
    redirector.wait_for(1)
    time.sleep(0.5)
    assert target.received == []
    delivery = watch.client.get("/api/v1/postback/deliveries", headers=watch.headers).get_json()["deliveries"][0]
    assert delivery["lastStatusCode"] == 302 and "not followed" in delivery["lastError"]

    receiver = Receiver()
    watch.client.post("/api/v1/postback", data={"url": receiver.url}, headers=watch.headers)
    watch.client.put("/api/settings/postback_allow_private", json={"value": False})  # after registration
    with watch.app.app_context():
        from web.watchlist.deliveries import queue_delivery
        queued = queue_delivery(1, {"emails": [], "domains": []})
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        row = [d for d in watch.client.get("/api/v1/postback/deliveries", headers=watch.headers).get_json()[
            "deliveries"] if d["id"] == queued.id][0]
        if row["status"] != "pending":
            break
        time.sleep(0.05)
    assert row["status"] == "failed" and "loopback" in row["lastError"] and receiver.received == []


def test_breach_import_is_idempotent_and_keeps_no_passwords(app, tmp_path):
    dump = tmp_path / "dump.txt"
    dump.write_text("Alice@Example.test:correct-horse-password\nbob@example.test;s3cr3t-pw\n\nnot an email\n"
                    "carol@example.test|pw|more\n")
    runner = app.test_cli_runner()
    first = runner.invoke(args=["breach", "import", str(dump), "--name", "Dump", "--data-classes", "Passwords"])
    assert first.exit_code == 0 and "3 addresses, 2 malformed or blank lines skipped" in first.output
    second = runner.invoke(args=["breach", "import", str(dump), "--name", "Dump"])
    assert second.exit_code == 0 and "nothing added" in second.output
    bad = runner.invoke(args=["breach", "import", str(dump), "--name", "X", "--date", "yesterday"])
    assert bad.exit_code != 0 and "date must be YYYY-MM-DD" in bad.output
    raw = b"".join(p.read_bytes() for p in (tmp_path / "data").glob("test.db*"))
    assert b"correct-horse-password" not in raw and b"s3cr3t-pw" not in raw
    with app.app_context():
        from web.breaches import find_addresses, find_domains
        assert [b["name"] for b in find_addresses(["ALICE@example.test"])["alice@example.test"]] == ["Dump"]
        assert sorted(b["account"] for b in find_domains(["example.test"])["example.test"]) == [
            "alice@example.test", "bob@example.test", "carol@example.test"]


def test_members_cannot_upload_dumps(watch, tmp_path):
    watch.client.post("/api/users", json={"email": "m@example.test", "password": "member long passphrase"})
    member = {"api-key": api_key_for(watch.client, "m@example.test", "member long passphrase")}
    dump = tmp_path / "d.txt"
    dump.write_text("a@b.test:x\n")
    response = watch.client.post("/api/v1/breaches/import", headers=member,
                                 data={"file": (dump.open("rb"), "d.txt"), "name": "D"})
    assert response.status_code == 403


def test_breach_deep_module_finds_the_corpus(app, auth_client, tmp_path):
    dump = tmp_path / "dump.txt"
    dump.write_text("victim@example.org:pw\n")
    assert app.test_cli_runner().invoke(args=["breach", "import", str(dump), "--name", "LocalLeak",
                                              "--data-classes", "Passwords"]).exit_code == 0
    investigation_id = auth_client.post("/api/investigate", json={"email": "victim@example.org",
                                                                  "modules": ["breach_deep"]}).get_json()["id"]
    report = wait_for_investigation(auth_client, investigation_id)
    assert report["status"] == "complete"
    finding = report["findings_by_module"]["breach_deep"][0]
    assert finding["metadata"]["name"] == "LocalLeak" and finding["metadata"]["severity"] == "critical"
    assert report["credential_risk_band"] in ("MEDIUM", "HIGH", "CRITICAL")
