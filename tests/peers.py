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


def serve_http(handler):
    """Start a threaded HTTP server with `handler` on a free loopback port; returns the server."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def serve_plain_http():
    return serve_http(_PlainHandler)


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
