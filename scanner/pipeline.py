"""A whole scan: ping, port discovery, then version detection in parallel with TLS and screenshots.

Depth overlaps with nmap's slowest phase: as soon as discovery knows which ports are open,
`nmap -sV` runs on them while other threads probe the same ports for TLS and HTTP, enumerate
TLS versions and take screenshots. The wall time is about that of `nmap -sV` alone.
"""

import ipaddress
import logging
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

from scanner import probes
from scanner.nmap_runner import ScanError, build_port_arguments, is_privileged, parse_ping_xml, parse_port_xml, run_nmap
from scanner.results import HostResult, PortResult, ScanResult, ServiceResult, SiteResult
from scanner.screenshots import WebTarget, capture_screenshots
from scanner.tls_probe import enumerate_tls_versions, parse_certificate

logger = logging.getLogger(__name__)
PROBE_THREADS = 32


def _family_of(address):
    return ipaddress.ip_address(address).version


def _open_ports(port_states, protocol):
    """{address: [port, ...]} of ports in `protocol` that are open."""
    found = defaultdict(list)
    for address, ports in port_states.items():
        for (proto, port), (state, _) in sorted(ports.items()):
            if proto == protocol and state == "open":
                found[address].append(port)
    return found


def _detect_versions(run, port_states, privileged):
    """nmap -sV on the open ports only; returns {address: {(proto, port): (state, service)}}."""
    detected, commands = {}, []
    open_tcp, open_udp = _open_ports(port_states, "tcp"), _open_ports(port_states, "udp")
    for version in sorted({_family_of(a) for a in set(open_tcp) | set(open_udp)}):
        hosts = sorted(a for a in set(open_tcp) | set(open_udp) if _family_of(a) == version)
        tcp = sorted({p for a in hosts for p in open_tcp.get(a, [])})
        udp = sorted({p for a in hosts for p in open_udp.get(a, [])})
        command, xml_text = run(hosts, build_port_arguments(tcp, udp, True, privileged, version))
        commands.append(command)
        detected.update(parse_port_xml(xml_text))
    return detected, commands


class _Depth:
    """What the probes found beyond nmap: certificates, web schemes, screenshots."""

    def __init__(self):
        self.certificates = {}  # (address, port) -> CertificateResult
        self.web_schemes = {}  # (address, port) -> "http" | "https"
        self.screenshots = {}  # (address, port) -> Path
        self.commands, self.warnings = [], []


def _probe_depth(run, open_tcp, options, screenshot_dir, chromium_path, notify):
    depth = _Depth()
    targets = [(address, port) for address, ports in open_tcp.items() for port in ports]
    with ThreadPoolExecutor(min(PROBE_THREADS, len(targets))) as pool:
        certificates = dict(zip(targets, pool.map(lambda t: probes.tls_certificate(*t), targets)))
        is_web = dict(zip(targets, pool.map(
            lambda t: probes.speaks_http(t[0], t[1], use_tls=certificates[t] is not None), targets)))
    tls_targets = [t for t in targets if certificates[t] is not None]
    for target in targets:
        if is_web[target]:
            depth.web_schemes[target] = "https" if certificates[target] is not None else "http"
    notify({"phase": "probed", "tls_services": len(tls_targets), "web_services": len(depth.web_schemes)})

    def enumerate_tls():
        by_family = defaultdict(lambda: defaultdict(list))
        for address, port in tls_targets:
            by_family[_family_of(address)][address].append(port)
        versions, commands = enumerate_tls_versions(run, by_family)
        depth.commands.extend(commands)
        for target in tls_targets:
            if certificates[target]:
                certificate = parse_certificate(certificates[target])
                certificate.tls_versions = versions.get(target, [])
                depth.certificates[target] = certificate

    def screenshot():
        web = [WebTarget(a, p, scheme) for (a, p), scheme in sorted(depth.web_schemes.items())]
        depth.screenshots = capture_screenshots(web, screenshot_dir, chromium_path)

    work = []
    if options.tls and tls_targets:
        work.append(("TLS details", enumerate_tls))
    if options.screenshots and screenshot_dir and depth.web_schemes:
        work.append(("Screenshots", screenshot))
    with ThreadPoolExecutor(max(1, len(work))) as pool:
        futures = [(label, pool.submit(func)) for label, func in work]
        for label, future in futures:
            try:
                future.result()
            except Exception as exc:  # depth is a bonus: report it, keep the scan
                logger.warning("%s failed: %s", label, exc)
                depth.warnings.append(f"{label} unavailable: {str(exc).splitlines()[0][:300]}")
    return depth


def _service_for(key, ports_seen, depth, screenshot_dir):
    state, service = ports_seen.get(key[1:], ("closed", None))
    target = (key[0], key[2])
    if key[1] != "tcp" or state != "open":
        return service
    extras = target in depth.certificates or target in depth.web_schemes or target in depth.screenshots
    if service is None and not extras:
        return None
    service = service or ServiceResult(service_name=None)
    if target in depth.web_schemes:
        service.http_protocol = depth.web_schemes[target]
    if target in depth.screenshots:
        service.screenshot_path = f"{Path(screenshot_dir).name}/{depth.screenshots[target].name}"
    if target in depth.certificates:
        service.certificates = [depth.certificates[target]]
    return service


def _hosts_for_entry(entry, ping_up, port_states):
    if entry.address:
        return [entry.address]
    network = ipaddress.ip_network(entry.cidr, strict=False)
    seen = set(ping_up) | {a for a, ports in port_states.items() if any(s == "open" for s, _ in ports.values())}
    return sorted((a for a in seen if ipaddress.ip_address(a) in network), key=ipaddress.ip_address)


def _host_result(address, expected, ping_up, port_states, depth, screenshot_dir, udp_scanned):
    ports_seen = port_states.get(address, {})
    expected_keys = {("tcp", p) for p in expected.tcp_ports} | {("udp", p) for p in expected.udp_ports}
    open_keys = {k for k, (state, _) in ports_seen.items() if state == "open"}
    ports = []
    for protocol, port in sorted(expected_keys | open_keys):
        if (protocol, port) in ports_seen:
            state = ports_seen[(protocol, port)][0]
        elif protocol == "udp" and not udp_scanned:
            state = "unscanned"  # UDP scans need root
        else:
            state = "closed"
        service = _service_for((address, protocol, port), ports_seen, depth, screenshot_dir)
        ports.append(PortResult(port=port, protocol=protocol, state=state,
                                expected=(protocol, port) in expected_keys,
                                service=service if state == "open" else None))
    return HostResult(ip_address=address, ping_expected=expected.ping, ping_actual=address in ping_up, ports=ports)


def run_scan(config, timeout=3600, progress=None, nmap_path="nmap", screenshot_dir=None,
             chromium_path="/usr/bin/chromium"):
    """Scan every site of `config` and return a ScanResult.

    `progress`, when given, is called with small dicts ({"phase": ...}) as the scan advances.
    Screenshots are written into `screenshot_dir` (none are taken without one).
    """
    notify = progress or (lambda event: None)
    run = partial(run_nmap, timeout=timeout, nmap_path=nmap_path)
    privileged = is_privileged()
    entries_by_version = defaultdict(list)
    for site in config.sites:
        for entry in site.ips:
            entries_by_version[entry.ip_version].append(entry)

    ping_up, port_states, commands = set(), {}, []
    for ip_version, entries in sorted(entries_by_version.items()):
        targets = sorted({e.target for e in entries})
        family = ["-6"] if ip_version == 6 else []
        notify({"phase": "ping", "targets": len(targets)})
        command, xml_text = run(targets, ["-n", "-sn"] + family)
        commands.append(command)
        ping_up |= parse_ping_xml(xml_text)

        tcp_ports, udp_ports = set(config.scan_ports), set()
        for entry in entries:
            tcp_ports |= set(entry.expected.tcp_ports)
            udp_ports |= set(entry.expected.udp_ports)
        notify({"phase": "discovery", "targets": len(targets), "tcp_ports": len(tcp_ports)})
        command, xml_text = run(targets, build_port_arguments(sorted(tcp_ports), sorted(udp_ports), False,
                                                              privileged, ip_version))
        commands.append(command)
        port_states.update(parse_port_xml(xml_text))

    open_tcp = _open_ports(port_states, "tcp")
    notify({"phase": "ports_found", "hosts": len(open_tcp),
            "open_ports": sum(len(p) for p in open_tcp.values()) + sum(len(p) for p in _open_ports(port_states, "udp").values())})

    depth = _Depth()
    with ThreadPoolExecutor(2) as pool:
        versions = pool.submit(_detect_versions, run, port_states, privileged) \
            if config.scan.service_detection and port_states else None
        depth_future = pool.submit(_probe_depth, run, open_tcp, config.scan, screenshot_dir, chromium_path, notify) \
            if (config.scan.tls or config.scan.screenshots) and open_tcp else None
        if versions is not None:
            notify({"phase": "service_detection"})
            detected, version_commands = versions.result()
            commands.extend(version_commands)
            for address, ports in detected.items():
                port_states.setdefault(address, {}).update(ports)
        if depth_future is not None:
            depth = depth_future.result()
            commands.extend(depth.commands)

    sites = []
    for site in config.sites:
        site_result = SiteResult(site_name=site.name)
        for entry in site.ips:
            for address in _hosts_for_entry(entry, ping_up, port_states):
                site_result.hosts.append(_host_result(address, entry.expected, ping_up, port_states, depth,
                                                      screenshot_dir, privileged))
        sites.append(site_result)
    notify({"phase": "done"})
    return ScanResult(title=config.title, sites=sites, nmap_commands=commands, warnings=depth.warnings)


__all__ = ["run_scan", "ScanError"]
