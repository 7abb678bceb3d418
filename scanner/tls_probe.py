"""TLS details of a service: its certificate (parsed with `cryptography`) and, per protocol
version, support and accepted cipher suites (enumerated by nmap's ssl-enum-ciphers script).

nmap's script is used rather than our own handshakes: it is maintained with nmap, tries
every version from SSLv3 to TLS 1.3 with each cipher suite, and reports servers that only
speak old versions like any other.
"""

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime, timezone

from cryptography import x509
from cryptography.x509.oid import ExtensionOID

from scanner.config import compress_ports

TLS_VERSIONS = ("TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3")
_NMAP_VERSION_KEYS = {"TLSv1.0": "TLS 1.0", "TLSv1.1": "TLS 1.1", "TLSv1.2": "TLS 1.2", "TLSv1.3": "TLS 1.3"}


@dataclass
class TlsVersionResult:
    tls_version: str
    supported: bool
    cipher_suites: list[str] = field(default_factory=list)


@dataclass
class CertificateResult:
    subject: str
    issuer: str
    serial_number: str
    not_valid_before: str
    not_valid_after: str
    days_until_expiry: int
    sans: list[str]
    is_self_signed: bool
    tls_versions: list[TlsVersionResult] = field(default_factory=list)


def parse_certificate(der, now=None):
    """Map a DER certificate to CertificateResult (without TLS versions)."""
    certificate = x509.load_der_x509_certificate(der)
    now = now or datetime.now(timezone.utc)
    try:
        extension = certificate.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_ALTERNATIVE_NAME)
        sans = [str(name) for name in extension.value.get_values_for_type(x509.DNSName)]
        sans += [str(ip) for ip in extension.value.get_values_for_type(x509.IPAddress)]
    except x509.ExtensionNotFound:
        sans = []
    self_signed = certificate.issuer == certificate.subject
    if self_signed:
        try:
            certificate.verify_directly_issued_by(certificate)
        except Exception:  # a different key with the same name: not self-signed after all
            self_signed = False
    not_after = certificate.not_valid_after_utc
    return CertificateResult(
        subject=certificate.subject.rfc4514_string(),
        issuer=certificate.issuer.rfc4514_string(),
        serial_number=str(certificate.serial_number),
        not_valid_before=certificate.not_valid_before_utc.isoformat(),
        not_valid_after=not_after.isoformat(),
        days_until_expiry=(not_after - now).days,
        sans=sans,
        is_self_signed=self_signed,
    )


def _cipher_name(name, version):
    # nmap names TLS 1.3 suites TLS_AKE_WITH_*; IANA (and the API) call them TLS_*.
    return name.replace("TLS_AKE_WITH_", "TLS_", 1) if version == "TLS 1.3" else name


def parse_cipher_xml(xml_text):
    """Map ssl-enum-ciphers XML to {(address, port): [TlsVersionResult for TLS 1.0..1.3]}."""
    results = {}
    for host in ET.fromstring(xml_text).iter("host"):
        address = host.find("address").get("addr")
        for port in host.iter("port"):
            script = next((s for s in port.iter("script") if s.get("id") == "ssl-enum-ciphers"), None)
            offered = {}
            if script is not None:
                for table in script.findall("table"):
                    version = _NMAP_VERSION_KEYS.get(table.get("key"))
                    if version is None:
                        continue
                    ciphers = table.find("table[@key='ciphers']")
                    names = [] if ciphers is None else [
                        _cipher_name(elem.text, version)
                        for elem in ciphers.iter("elem") if elem.get("key") == "name" and elem.text]
                    offered[version] = names
            results[(address, int(port.get("portid")))] = [
                TlsVersionResult(v, v in offered, offered.get(v, [])) for v in TLS_VERSIONS]
    return results


def enumerate_tls_versions(run_nmap, targets_by_family):
    """Run ssl-enum-ciphers on the given {ip_version: {address: [ports]}}; returns parse_cipher_xml's map.

    `run_nmap(targets, arguments)` runs nmap and returns (command, xml_text).
    """
    results, commands = {}, []
    for ip_version, ports_by_address in targets_by_family.items():
        ports = sorted({port for ports in ports_by_address.values() for port in ports})
        if not ports:
            continue
        # "+" forces the script on every listed port, whatever nmap guesses the service is.
        arguments = ["-n", "-Pn", "-sT", "-p", compress_ports(ports), "--script", "+ssl-enum-ciphers"]
        if ip_version == 6:
            arguments.append("-6")
        command, xml_text = run_nmap(sorted(ports_by_address), arguments)
        commands.append(command)
        for key, versions in parse_cipher_xml(xml_text).items():
            if key[1] in ports_by_address.get(key[0], []):
                results[key] = versions
    return results, commands
