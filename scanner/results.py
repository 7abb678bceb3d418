"""Plain result types a scan produces, independent of storage and web."""

from dataclasses import dataclass, field

from scanner.tls_probe import CertificateResult


@dataclass
class ServiceResult:
    service_name: str | None
    product: str | None = None
    version: str | None = None
    extrainfo: str | None = None
    ostype: str | None = None
    http_protocol: str | None = None  # "http", "https" or None when not a web service
    screenshot_path: str | None = None  # relative to the output directory
    certificates: list[CertificateResult] = field(default_factory=list)


@dataclass
class PortResult:
    port: int
    protocol: str  # "tcp" or "udp"
    state: str  # nmap's state: open, closed, filtered, open|filtered, ... or "unscanned"
    expected: bool
    service: ServiceResult | None = None


@dataclass
class HostResult:
    ip_address: str
    ping_expected: bool
    ping_actual: bool
    ports: list[PortResult] = field(default_factory=list)


@dataclass
class SiteResult:
    site_name: str
    hosts: list[HostResult] = field(default_factory=list)


@dataclass
class ScanResult:
    title: str
    sites: list[SiteResult]
    nmap_commands: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # depth that could not be had (no Chromium, ...)
