"""Services the tests start on 127.0.0.1 for nmap to find."""

import http.server
import socket
import threading
from contextlib import closing

XSS_BANNER = "<script>alert(1)</script>"


class _PlainHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class _BannerHandler(http.server.BaseHTTPRequestHandler):
    """An HTTP server whose Server header nmap parses into product, version and extrainfo."""

    def version_string(self):
        return f"nginx/1.24.0 + {XSS_BANNER}"

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(b"<title>banner</title>")

    do_HEAD = do_GET

    def log_message(self, *args):
        pass


class _QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # scanners send garbage on purpose; the tests' output need not show it


def serve_http(handler, port=0):
    """Start a threaded HTTP server with `handler` on a loopback port (default: a free one)."""
    server = _QuietServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def serve_plain_http(port=0):
    return serve_http(_PlainHandler, port)


def serve_banner_http():
    return serve_http(_BannerHandler)


def serve_silent_tcp():
    """A TCP port that accepts and never speaks: nmap's version detection waits long on it."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held = []

    def accept_forever():
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            held.append(connection)

    threading.Thread(target=accept_forever, daemon=True).start()
    return listener


def free_port():
    """A loopback port nothing listens on (closed when nmap probes it)."""
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def make_self_signed_certificate(folder, days_valid=10, common_name="loopback.test"):
    """Write a self-signed certificate and key for 127.0.0.1 into `folder`; returns (cert path, key path)."""
    import datetime
    from pathlib import Path

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(0x5EC0FFEE).not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=days_valid))
        .add_extension(x509.SubjectAlternativeName([
            x509.DNSName(common_name), x509.IPAddress(__import__("ipaddress").ip_address("127.0.0.1"))]),
            critical=False)
        .sign(key, hashes.SHA256()))
    folder = Path(folder)
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def serve_https(cert_path, key_path, min_version=None, max_version=None):
    """An HTTPS server on a free loopback port, limited to the given TLS versions."""
    import ssl

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    if min_version is not None:
        context.minimum_version = min_version
        context.set_ciphers("ALL:@SECLEVEL=0")  # let old protocol versions really be offered
    if max_version is not None:
        context.maximum_version = max_version
    server = _QuietServer(("127.0.0.1", 0), _PlainHandler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    # A client that never finishes its handshake must not block the accept loop.
    server.socket.do_handshake_on_connect = False
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class _RedPageHandler(http.server.BaseHTTPRequestHandler):
    """A page that is all red, so a screenshot of it can be told from any other."""

    def do_GET(self):
        body = b"<!doctype html><title>red</title><body style='margin:0;background:#ff0000'>" \
               b"<script>alert('a dialog the screenshotter must dismiss')</script></body>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_HEAD = do_GET

    def log_message(self, *args):
        pass


def serve_red_page():
    return serve_http(_RedPageHandler)


class LiveServer:
    """The Flask app served by werkzeug on a loopback port, in a thread (WebSockets need a real server)."""

    def __init__(self, app):
        from werkzeug.serving import make_server

        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def stop(self):
        self.server.shutdown()
