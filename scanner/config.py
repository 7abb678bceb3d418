"""Scan configs: find the YAML file safely, parse it, and validate it into plain data."""

import ipaddress
import re
from pathlib import Path

import yaml
from apscheduler.triggers.cron import CronTrigger
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

# A single address or range may expand to at most this many hosts (a /16).
MAX_HOSTS_PER_ENTRY = 65536
DEFAULT_PORTS = "1-1024"
_PORT_ITEM = re.compile(r"^(\d{1,5})(?:-(\d{1,5}))?$")


class ConfigError(ValueError):
    """A scan config that cannot be used; the message tells the user what to fix."""


def parse_port_spec(spec):
    """Expand an nmap-style port spec ("22,80,8000-8100") into a sorted list of ports.

    Only digits, commas and dashes are accepted, so nothing else can reach nmap.
    """
    if isinstance(spec, int) and not isinstance(spec, bool):
        spec = str(spec)
    if not isinstance(spec, str) or not spec.strip():
        raise ValueError("must be a port list such as \"22,80,443\" or \"1-1024\"")
    ports = set()
    for item in (part.strip() for part in spec.split(",")):
        match = _PORT_ITEM.match(item)
        if not match:
            raise ValueError(f"{item!r} is not a port or port range (use digits, commas and dashes only)")
        low = int(match.group(1))
        high = int(match.group(2) or low)
        if not 1 <= low <= high <= 65535:
            raise ValueError(f"{item!r} is outside 1-65535 or its range is reversed")
        ports.update(range(low, high + 1))
    return sorted(ports)


def compress_ports(ports):
    """Turn a list of ports into the shortest nmap spec ("22,80-82")."""
    ranges = []
    for port in sorted(set(ports)):
        if ranges and port == ranges[-1][1] + 1:
            ranges[-1][1] = port
        else:
            ranges.append([port, port])
    return ",".join(str(a) if a == b else f"{a}-{b}" for a, b in ranges)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ExpectedState(_Strict):
    ping: bool = False
    tcp_ports: list[int] = Field(default_factory=list)
    udp_ports: list[int] = Field(default_factory=list)

    @field_validator("tcp_ports", "udp_ports", mode="before")
    @classmethod
    def _ports_are_valid(cls, value):
        if value is None:
            return []
        if not isinstance(value, list):
            raise ValueError("must be a list of port numbers, e.g. [22, 443]")
        for port in value:
            if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
                raise ValueError(f"{port!r} is not a port number between 1 and 65535")
        return sorted(set(value))


class TargetEntry(_Strict):
    """One `ips:` entry: a single address or a CIDR block, with what is expected of it."""

    address: str | None = None
    cidr: str | None = None
    expected: ExpectedState = Field(default_factory=ExpectedState)

    @field_validator("address")
    @classmethod
    def _address_is_an_ip(cls, value):
        try:
            return str(ipaddress.ip_address(value.strip()))
        except ValueError:
            raise ValueError(f"{value!r} is not an IP address (hostnames and nmap options are not accepted)") from None

    @field_validator("cidr")
    @classmethod
    def _cidr_is_a_network(cls, value):
        try:
            network = ipaddress.ip_network(value.strip(), strict=False)
        except ValueError:
            raise ValueError(f"{value!r} is not a CIDR block such as 192.168.2.0/28") from None
        if network.version == 6 and network.num_addresses > 1:
            raise ValueError("IPv6 ranges cannot be scanned; list IPv6 hosts one by one under address")
        if network.num_addresses > MAX_HOSTS_PER_ENTRY:
            raise ValueError(f"{value!r} has {network.num_addresses} addresses; the limit is {MAX_HOSTS_PER_ENTRY} (a /16)")
        return str(network)

    @model_validator(mode="after")
    def _exactly_one_target(self):
        if (self.address is None) == (self.cidr is None):
            raise ValueError("each entry needs exactly one of address or cidr")
        return self

    @property
    def target(self):
        """The nmap target string: a validated address or network."""
        return self.address or self.cidr

    @property
    def ip_version(self):
        return ipaddress.ip_network(self.target, strict=False).version


class Site(_Strict):
    name: str = Field(min_length=1, max_length=200)
    ips: list[TargetEntry] = Field(min_length=1)


class ScanOptions(_Strict):
    ports: str = DEFAULT_PORTS
    service_detection: bool = True
    tls: bool = True
    screenshots: bool = True

    @field_validator("ports", mode="before")
    @classmethod
    def _ports_spec_is_valid(cls, value):
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        parse_port_spec(value)
        return value.replace(" ", "")


class ScanConfig(_Strict):
    title: str = Field(min_length=1, max_length=200)
    schedule: str | None = None
    scan: ScanOptions = Field(default_factory=ScanOptions)
    sites: list[Site] = Field(min_length=1)

    @field_validator("schedule")
    @classmethod
    def _schedule_is_cron(cls, value):
        if value is None:
            return None
        try:
            CronTrigger.from_crontab(value)
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a 5-field cron expression: {exc}") from None
        return value

    @property
    def scan_ports(self):
        """Ports named by `scan.ports`, as a sorted list."""
        return parse_port_spec(self.scan.ports)


def _format_validation_error(exc):
    problems = []
    for error in exc.errors():
        location = ".".join(str(part) for part in error["loc"]) or "config"
        message = error["msg"].removeprefix("Value error, ")
        problems.append(f"{location}: {message}")
    return "; ".join(problems)


def parse_config(text, source="config"):
    """Parse YAML text into a ScanConfig, raising ConfigError with the line or field at fault."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{source} is not valid YAML{where}: {problem}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{source} must be a YAML mapping with title and sites")
    try:
        return ScanConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{source} has invalid fields: {_format_validation_error(exc)}") from None


def resolve_config_path(config_dir, requested):
    """Resolve a user-supplied config path to a file inside `config_dir`.

    `requested` may be a bare name, a path relative to the config dir, or an absolute
    path inside it. Anything resolving outside (``..``, other absolute paths, symlinks
    pointing out) raises ConfigError, as does a missing file.
    """
    if not isinstance(requested, str) or not requested.strip():
        raise ConfigError("config_file is required: the name of a YAML file in the config directory")
    if "\x00" in requested:
        raise ConfigError("config_file contains a NUL byte")
    root = Path(config_dir).resolve()
    candidate = Path(requested.strip())
    if not candidate.is_absolute():
        candidate = root / candidate
    resolved = candidate.resolve()
    if not resolved.is_relative_to(root):
        raise ConfigError(f"Config file must be inside the config directory {root}")
    if resolved.suffix.lower() not in (".yaml", ".yml"):
        raise ConfigError("Config file must be a .yaml or .yml file")
    if not resolved.is_file():
        raise ConfigError(f"Config file not found: {requested.strip()}")
    return resolved


def load_config(config_dir, requested):
    """Resolve, read and validate a config; returns (resolved_path, ScanConfig)."""
    path = resolve_config_path(config_dir, requested)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Config file {path.name} cannot be read: {exc.__class__.__name__}") from None
    return path, parse_config(text, source=path.name)
