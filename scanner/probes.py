"""Quick per-port probes: does it speak TLS (and with which certificate), does it speak HTTP."""

import socket
import ssl

PROBE_TIMEOUT_SECONDS = 3.0


def _permissive_tls_context():
    # Accept anything a server offers, down to TLS 1.0 and weak ciphers: we are
    # finding out what it speaks, not trusting it.
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
    try:
        context.set_ciphers("ALL:@SECLEVEL=0")
    except ssl.SSLError:
        pass
    return context


def tls_certificate(address, port, timeout=PROBE_TIMEOUT_SECONDS):
    """The DER certificate of a TLS server on address:port, or None when it does not speak TLS."""
    try:
        with socket.create_connection((address, port), timeout=timeout) as raw:
            with _permissive_tls_context().wrap_socket(raw, server_hostname=None) as tls:
                return tls.getpeercert(binary_form=True) or b""
    except (OSError, ssl.SSLError, ValueError):
        return None


def speaks_http(address, port, use_tls, timeout=PROBE_TIMEOUT_SECONDS):
    """True when address:port answers an HTTP request with an HTTP status line."""
    try:
        with socket.create_connection((address, port), timeout=timeout) as raw:
            stream = _permissive_tls_context().wrap_socket(raw) if use_tls else raw
            with stream:
                host = f"[{address}]" if ":" in address else address
                stream.sendall(f"HEAD / HTTP/1.0\r\nHost: {host}\r\nUser-Agent: SneakyScanner\r\n\r\n".encode())
                return stream.recv(16).startswith(b"HTTP/")
    except (OSError, ssl.SSLError, ValueError):
        return False
