"""Signed postbacks that are safe to send: http(s) only, every resolved address checked at send
time, the connection made to the address that was checked, redirects never followed."""

import hashlib
import hmac
import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

TIMEOUT_SECONDS = 10


class UnsafeTarget(ValueError):
    """A postback URL we refuse to call; the message says why."""


@dataclass
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str  # the checked IP the connection goes to


def signature(secret, body):
    """`sha256=<hex HMAC-SHA256 of the raw body>`, the X-Signature-256 header value."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _refusal(ip):
    if ip.version == 6 and ip.ipv4_mapped is not None:
        return _refusal(ip.ipv4_mapped)
    for test, label in ((ip.is_loopback, "loopback"), (ip.is_link_local, "link-local"),
                        (ip.is_multicast, "multicast"), (ip.is_private, "private"),
                        (ip.is_unspecified, "unspecified"), (ip.is_reserved, "reserved")):
        if test:
            return label
    return None


def resolve_target(url, allow_private=False):
    """Parse and resolve a postback URL; UnsafeTarget unless every address it resolves to is allowed."""
    parts = urlsplit(url.strip() if isinstance(url, str) else "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeTarget("Postback URL must be an http:// or https:// URL with a host")
    if parts.username or parts.password:
        raise UnsafeTarget("Postback URL must not carry credentials")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UnsafeTarget("Postback URL has an invalid port") from None
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise UnsafeTarget(f"Postback host {parts.hostname} does not resolve") from None
    addresses = sorted({info[4][0] for info in infos})
    if not allow_private:
        for address in addresses:
            reason = _refusal(ipaddress.ip_address(address.split("%")[0]))
            if reason:
                raise UnsafeTarget(f"Postback host {parts.hostname} resolves to a {reason} address ({address}); "
                                   "an admin can allow that with the postback_allow_private setting")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(parts.scheme, parts.hostname, port, path, addresses[0])


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a fixed IP, with SNI and certificate checks for the URL's host name."""

    def __init__(self, target, timeout):
        super().__init__(target.host, target.port, timeout=timeout, context=ssl.create_default_context())
        self._address = target.address

    def connect(self):
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)


@dataclass
class Attempt:
    status_code: int | None
    retry_after: int | None
    error: str | None
    refused: bool = False  # the target itself is not allowed: retrying will not help

    @property
    def delivered(self):
        return self.status_code is not None and 200 <= self.status_code < 300


def send(url, body, secret, delivery_id, allow_private=False, timeout=TIMEOUT_SECONDS):
    """POST `body` (bytes of JSON) once; resolution and address checks happen again here."""
    try:
        target = resolve_target(url, allow_private)
    except UnsafeTarget as exc:
        return Attempt(None, None, str(exc), refused=True)
    if target.scheme == "https":
        connection = _PinnedHTTPSConnection(target, timeout)
    else:
        connection = http.client.HTTPConnection(target.address, target.port, timeout=timeout)
    host_header = target.host if target.port in (80, 443) else f"{target.host}:{target.port}"
    if ":" in target.host:
        host_header = f"[{target.host}]:{target.port}"
    headers = {"Host": host_header, "Content-Type": "application/json", "User-Agent": "SneakyScanner-Postback/1",
               "X-Signature-256": signature(secret, body), "X-Delivery-ID": delivery_id}
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(65536)
    except (OSError, http.client.HTTPException, ssl.SSLError) as exc:
        return Attempt(None, None, f"{exc.__class__.__name__}: {str(exc)[:200]}")
    finally:
        connection.close()
    retry_after = response.getheader("Retry-After")
    retry_after = int(retry_after) if retry_after and retry_after.strip().isdigit() else None
    if 300 <= response.status < 400:
        return Attempt(response.status, None, f"Redirect to {response.getheader('Location')!r} not followed")
    error = None if 200 <= response.status < 300 else f"Receiver answered HTTP {response.status}"
    return Attempt(response.status, retry_after, error)
