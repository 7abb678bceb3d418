"""Run nmap with validated arguments and map its XML output.

Every argument handed to nmap is either a fixed flag from this module, an address
or network that `ipaddress` accepted, or a port spec of digits, commas and dashes:
nothing typed into a config or a request reaches nmap's command line as free text.
"""

import os
import xml.etree.ElementTree as ET

import nmap

from scanner.config import compress_ports, parse_port_spec
from scanner.results import ServiceResult


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


def run_nmap(targets, arguments, timeout, nmap_path):
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
    parts = [f"T:{compress_ports(tcp_ports)}"] if tcp_ports else []
    if udp_ports and privileged:
        parts.append(f"U:{compress_ports(udp_ports)}")
    arguments += ["-p", ",".join(parts)]
    return arguments
