"""Run nmap on a validated scan config and map its XML into ScanResult.

Every argument handed to nmap is either a fixed flag from this module, an address
or network that `ipaddress` accepted, or a port spec of digits, commas and dashes:
nothing typed into a config or a request reaches nmap's command line as free text.
"""

import ipaddress
import os
import xml.etree.ElementTree as ET
from collections import defaultdict

import nmap

from scanner.config import compress_ports, parse_port_spec
from scanner.results import HostResult, PortResult, ScanResult, ServiceResult, SiteResult


class ScanError(RuntimeError):
    """nmap could not produce a result; the message says what a person can do about it."""


def is_privileged():
    """True when raw-socket scans (SYN, UDP) are possible."""
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _http_protocol(name, tunnel):
    name = (name or "").lower()
    if name == "https" or name.startswith("https-") or (tunnel == "ssl" and name.startswith("http")):
        return "https"
    if name.startswith("http"):
        return "http"
    return None


def _parse_service(element):
    if element is None:
        return None
    name = element.get("name")
    tunnel = element.get("tunnel")
    return ServiceResult(
        service_name=f"ssl/{name}" if tunnel == "ssl" and name and name != "https" else name,
        product=element.get("product"),
        version=element.get("version"),
        extrainfo=element.get("extrainfo"),
        ostype=element.get("ostype"),
        http_protocol=_http_protocol(name, tunnel),
    )


def parse_port_xml(xml_text):
    """Map nmap XML to {address: {(protocol, port): (state, ServiceResult|None)}}.

    Ports that nmap folds into <extraports> are expanded from their `ports` ranges,
    so an expected port that is closed still gets its real state.
    """
    hosts = {}
    root = ET.fromstring(xml_text)
    for host in root.iter("host"):
        address = host.find("address").get("addr")
        ports = {}
        ports_element = host.find("ports")
        if ports_element is not None:
            for extra in ports_element.iter("extraports"):
                for reasons in extra.iter("extrareasons"):
                    spec = reasons.get("ports")
                    if spec:
                        for port in parse_port_spec(spec):
                            ports[(reasons.get("proto", "tcp"), port)] = (extra.get("state"), None)
            for port in ports_element.iter("port"):
                key = (port.get("protocol"), int(port.get("portid")))
                ports[key] = (port.find("state").get("state"), _parse_service(port.find("service")))
        hosts[address] = ports
    return hosts


def parse_ping_xml(xml_text):
    """The set of addresses nmap's ping scan reported up."""
    root = ET.fromstring(xml_text)
    return {
        host.find("address").get("addr")
        for host in root.iter("host")
        if host.find("status") is not None and host.find("status").get("state") == "up"
    }


def _run_nmap(targets, arguments, timeout, nmap_path):
    """Run nmap through python-nmap; return (command line, XML text)."""
    try:
        scanner = nmap.PortScanner(nmap_search_path=(nmap_path,))
    except nmap.PortScannerError:
        raise ScanError("nmap is not installed or not on PATH: install it (apt-get install nmap; `make run` does this)") from None
    try:
        scanner.scan(hosts=" ".join(targets), arguments=" ".join(arguments), timeout=timeout)
    except nmap.PortScannerTimeout:
        raise ScanError(f"nmap did not finish within {timeout} seconds; scan fewer ports or hosts") from None
    except nmap.PortScannerError as exc:
        raise ScanError(f"nmap failed: {str(exc).strip()[:500]}") from None
    xml_text = scanner.get_nmap_last_output()
    if isinstance(xml_text, bytes):
        xml_text = xml_text.decode("utf-8", "replace")
    errors = scanner.scaninfo().get("error")
    if errors and "<host" not in xml_text:
        raise ScanError("nmap failed: " + " ".join(e.strip() for e in errors)[:500])
    return scanner.command_line(), xml_text


def build_port_arguments(tcp_ports, udp_ports, service_detection, privileged, ip_version):
    """The nmap flags for a port scan; every value in them is validated or fixed."""
    arguments = ["-n", "-Pn", "-T4", "--max-retries", "2"]
    arguments.append("-sS" if privileged else "-sT")
    if udp_ports and privileged:
        arguments.append("-sU")
    if service_detection:
        arguments.append("-sV")
    if ip_version == 6:
        arguments.append("-6")
    spec = f"T:{compress_ports(tcp_ports)}"
    if udp_ports and privileged:
        spec += f",U:{compress_ports(udp_ports)}"
    arguments += ["-p", spec]
    return arguments


def _hosts_for_entry(entry, ping_up, port_states):
    if entry.address:
        return [entry.address]
    network = ipaddress.ip_network(entry.cidr, strict=False)
    seen = set(ping_up) | {
        address for address, ports in port_states.items()
        if any(state == "open" for state, _ in ports.values())
    }
    found = [a for a in seen if ipaddress.ip_address(a) in network]
    return sorted(found, key=ipaddress.ip_address)


def _host_result(address, expected, ping_up, port_states, udp_scanned):
    ports_seen = port_states.get(address, {})
    ports = []
    expected_keys = {("tcp", p) for p in expected.tcp_ports} | {("udp", p) for p in expected.udp_ports}
    for key in sorted(expected_keys | {k for k, (state, _) in ports_seen.items() if state == "open"}):
        protocol, port = key
        if key in ports_seen:
            state, service = ports_seen[key]
        elif protocol == "udp" and not udp_scanned:
            state, service = "unscanned", None  # UDP scans need root
        else:
            state, service = "closed", None
        ports.append(PortResult(port=port, protocol=protocol, state=state,
                                expected=key in expected_keys,
                                service=service if state == "open" else None))
    return HostResult(ip_address=address, ping_expected=expected.ping,
                      ping_actual=address in ping_up, ports=ports)


def run_scan(config, timeout=3600, progress=None, nmap_path="nmap"):
    """Scan every site of `config` with nmap and return a ScanResult.

    `progress`, when given, is called with small dicts ({"phase": ...}) as the scan advances.
    """
    notify = progress or (lambda event: None)
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
        command, xml_text = _run_nmap(targets, ["-n", "-sn"] + family, timeout, nmap_path)
        commands.append(command)
        ping_up |= parse_ping_xml(xml_text)

        tcp_ports = set(config.scan_ports)
        udp_ports = set()
        for entry in entries:
            tcp_ports |= set(entry.expected.tcp_ports)
            udp_ports |= set(entry.expected.udp_ports)
        notify({"phase": "ports", "targets": len(targets), "tcp_ports": len(tcp_ports)})
        arguments = build_port_arguments(sorted(tcp_ports), sorted(udp_ports),
                                         config.scan.service_detection, privileged, ip_version)
        command, xml_text = _run_nmap(targets, arguments, timeout, nmap_path)
        commands.append(command)
        port_states.update(parse_port_xml(xml_text))

    sites = []
    for site in config.sites:
        site_result = SiteResult(site_name=site.name)
        for entry in site.ips:
            for address in _hosts_for_entry(entry, ping_up, port_states):
                site_result.hosts.append(
                    _host_result(address, entry.expected, ping_up, port_states, privileged))
        sites.append(site_result)
    notify({"phase": "done"})
    return ScanResult(title=config.title, sites=sites, nmap_commands=commands)
