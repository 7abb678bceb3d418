"""Local stand-ins for the investigation sources, speaking their documented wire formats:
HIBP v3, EmailRep, Gravatar v3 profiles, GitHub commit search, the Wayback CDX API, and DNS."""

import hashlib
import json
import threading
import time
from urllib.parse import parse_qs, unquote, urlparse

from dnslib import MX, QTYPE, RR, TXT, A
from dnslib.server import BaseResolver, DNSLogger, DNSServer

from tests.peers import _QuietServer, free_port
import http.server

BREACHED = "jane.doe@example.test"
CLEAN = "clean@example.test"
RATE_LIMITED_SHORT = "wait-a-second@example.test"
RATE_LIMITED_LONG = "wait-a-minute@example.test"
HANGS = "hangs@example.test"
GARBAGE = "garbage@example.test"

ADOBE = {"Name": "Adobe", "Title": "Adobe", "Domain": "adobe.com", "BreachDate": "2013-10-04",
         "AddedDate": "2013-12-04T00:00:00Z", "ModifiedDate": "2022-05-15T23:52:49Z", "PwnCount": 152445165,
         "Description": "In October 2013, 153 million Adobe accounts were breached...",
         "LogoPath": "https://haveibeenpwned.com/Content/Images/PwnedLogos/Adobe.png",
         "DataClasses": ["Email addresses", "Password hints", "Passwords", "Usernames"],
         "IsVerified": True, "IsFabricated": False, "IsSensitive": False, "IsRetired": False,
         "IsSpamList": False, "IsMalware": False, "IsSubscriptionFree": False, "IsStealerLog": False}
STEALER = {**ADOBE, "Name": "StealerLogsJan2025", "Title": "Stealer Logs, Jan 2025", "Domain": "",
           "BreachDate": "2025-01-13", "DataClasses": ["Email addresses", "Passwords", "Websites"],
           "IsStealerLog": True, "PwnCount": 71039833}


class Behaviour:
    """Shared knobs: per-source delay (for the benchmark) and request counts (for the tests)."""

    def __init__(self):
        self.delay = {}
        self.requests = {}
        self.lock = threading.Lock()

    def seen(self, source):
        with self.lock:
            self.requests[source] = self.requests.get(source, 0) + 1
            return self.requests[source]


def _handler(behaviour):
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def reply(self, status, body=None, headers=None, raw=None):
            data = raw if raw is not None else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json" if raw is None else "text/html")
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            url = urlparse(self.path)
            source = url.path.split("/")[1]
            time.sleep(behaviour.delay.get(source, 0))
            getattr(self, f"answer_{source}", lambda url: self.reply(404, {"message": "Not Found"}))(url)

        def answer_hibp(self, url):
            # https://haveibeenpwned.com/API/v3#BreachesForAccount
            if not self.headers.get("User-Agent"):
                return self.reply(403, raw=b"Forbidden: a user agent is required")
            if self.headers.get("hibp-api-key") != "hibp-test-key":
                return self.reply(401, {"statusCode": 401, "message": "Access denied due to invalid hibp-api-key."})
            email = unquote(url.path.rsplit("/", 1)[-1])
            if email == BREACHED:
                return self.reply(200, [ADOBE, STEALER])
            if email == RATE_LIMITED_SHORT and behaviour.seen("hibp-short") == 1:
                return self.reply(429, {"statusCode": 429, "message": "Rate limit is exceeded."}, {"Retry-After": "1"})
            if email == RATE_LIMITED_LONG:
                return self.reply(429, {"statusCode": 429, "message": "Rate limit is exceeded."}, {"Retry-After": "60"})
            if email == HANGS:
                time.sleep(30)
            if email == GARBAGE:
                return self.reply(200, raw=b"<html>upstream proxy error</html>")
            return self.reply(404, raw=b"")

        def answer_emailrep(self, url):
            email = unquote(url.path.rsplit("/", 1)[-1])
            breached = email == BREACHED
            self.reply(200, {"email": email, "reputation": "low" if breached else "high", "suspicious": breached,
                             "references": 12 if breached else 0, "details": {
                                 "blacklisted": False, "malicious_activity": False, "credentials_leaked": breached,
                                 "credentials_leaked_recent": breached, "data_breach": breached,
                                 "first_seen": "07/01/2008", "last_seen": "02/25/2025", "domain_exists": True,
                                 "free_provider": False, "disposable": False, "deliverable": True,
                                 "valid_mx": True, "spoofable": False, "spf_strict": True, "dmarc_enforced": True,
                                 "profiles": ["twitter", "linkedin"] if breached else []}})

        def answer_gravatar(self, url):
            digest = url.path.rsplit("/", 1)[-1]
            if digest != hashlib.sha256(BREACHED.encode()).hexdigest():
                return self.reply(404, {"error": "Profile not found", "code": "profile_not_found"})
            self.reply(200, {"hash": digest, "display_name": "Jane Doe", "profile_url": "https://gravatar.com/janedoe",
                             "avatar_url": f"https://0.gravatar.com/avatar/{digest}", "location": "Berlin",
                             "description": "", "job_title": "Engineer", "company": "Example",
                             "verified_accounts": [{"service_type": "github", "service_label": "GitHub",
                                                    "url": "https://github.com/janedoe", "is_hidden": False}]})

        def answer_github(self, url):
            query = parse_qs(url.query).get("q", [""])[0]
            items = []
            if query == f"author-email:{BREACHED}":
                items = [{"sha": f"{n:040x}", "html_url": f"https://github.com/janedoe/tool/commit/{n:040x}",
                          "commit": {"author": {"name": "Jane Doe", "email": BREACHED, "date": "2024-03-01T10:00:00Z"},
                                     "message": "fix"},
                          "author": {"login": "janedoe", "html_url": "https://github.com/janedoe"},
                          "repository": {"full_name": f"janedoe/{repo}", "html_url": f"https://github.com/janedoe/{repo}"}}
                         for n, repo in enumerate(["tool", "dotfiles"])]
            self.reply(200, {"total_count": len(items), "incomplete_results": False, "items": items})

        def answer_wayback(self, url):
            rows = [["timestamp", "original", "statuscode"],
                    ["20150301000000", "http://example.test/", "200"],
                    ["20230101000000", "http://example.test/team/jane.doe", "200"]]
            self.reply(200, rows)

    return Handler


class ExampleZone(BaseResolver):
    """DNS for example.test: MX, SPF, DMARC and an A record."""

    def resolve(self, request, handler):
        reply = request.reply()
        name, kind = str(request.q.qname).rstrip("."), QTYPE[request.q.qtype]
        if name == "example.test" and kind == "MX":
            reply.add_answer(RR(request.q.qname, QTYPE.MX, rdata=MX("mail.example.test."), ttl=60))
        elif name == "example.test" and kind == "TXT":
            reply.add_answer(RR(request.q.qname, QTYPE.TXT, rdata=TXT("v=spf1 mx -all"), ttl=60))
        elif name == "_dmarc.example.test" and kind == "TXT":
            reply.add_answer(RR(request.q.qname, QTYPE.TXT, rdata=TXT("v=DMARC1; p=reject"), ttl=60))
        elif name == "example.test" and kind == "A":
            reply.add_answer(RR(request.q.qname, QTYPE.A, rdata=A("127.0.0.1"), ttl=60))
        return reply


class IntelPeers:
    """The HTTP stand-ins on one loopback server (one path prefix per source) and a DNS server."""

    def __init__(self):
        self.behaviour = Behaviour()
        self.http = _QuietServer(("127.0.0.1", 0), _handler(self.behaviour))
        threading.Thread(target=self.http.serve_forever, daemon=True).start()
        self.dns_port = free_port()
        self.dns = DNSServer(ExampleZone(), port=self.dns_port, address="127.0.0.1",
                             logger=DNSLogger(logf=lambda line: None))
        self.dns.start_thread()

    @property
    def base(self):
        return f"http://127.0.0.1:{self.http.server_address[1]}"

    def settings(self):
        """Settings that point every module at these peers."""
        return {"hibp_api_key": "hibp-test-key", "hibp_base_url": f"{self.base}/hibp/api/v3",
                "emailrep_base_url": f"{self.base}/emailrep", "gravatar_base_url": f"{self.base}/gravatar/v3",
                "github_base_url": f"{self.base}/github", "wayback_base_url": f"{self.base}/wayback",
                "dns_nameservers": [f"127.0.0.1:{self.dns_port}"]}

    def stop(self):
        self.http.shutdown()
        self.dns.stop()
