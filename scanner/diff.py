"""What changed between two scan documents, and which findings count as drift worth an alert."""

LEGACY_TLS_VERSIONS = ("TLS 1.0", "TLS 1.1")


def _ports(document):
    """{(ip, protocol, port): port dict} of every port row in a scan document."""
    return {(ip["ip_address"], port["protocol"], port["port"]): port
            for site in document.get("sites", []) for ip in site["ips"] for port in ip["ports"]}


def _service(port):
    return port["services"][0] if port.get("services") else None


def _certificate(port):
    service = _service(port)
    return service["certificates"][0] if service and service.get("certificates") else None


def _supported_tls(certificate):
    return {v["tls_version"] for v in certificate.get("tls_versions", []) if v["supported"]} if certificate else set()


def _where(key):
    ip, protocol, port = key
    return {"ip_address": ip, "port": port, "protocol": protocol}


def _service_summary(service):
    if not service:
        return None
    return {k: service.get(k) for k in ("service_name", "product", "version")}


def compare_documents(previous, current, warning_days=30):
    """The diff of `current` against `previous`; without a previous scan nothing counts as changed."""
    after = _ports(current or {})
    before = _ports(previous) if previous else after
    was_open = {k for k, p in before.items() if p["state"] == "open"}
    is_open = {k for k, p in after.items() if p["state"] == "open"}
    diff = {
        "scan_id": (current or {}).get("id"),
        "against_scan_id": (previous or {}).get("id"),
        "ports_opened": [dict(_where(k), service_name=(_service(after[k]) or {}).get("service_name"),
                              expected=after[k]["expected"]) for k in sorted(is_open - was_open)],
        "ports_closed": [dict(_where(k), state=after[k]["state"] if k in after else "not scanned",
                              expected=after[k]["expected"] if k in after else before[k]["expected"])
                         for k in sorted(was_open - is_open)],
        "services_changed": [],
        "certificates_replaced": [],
        "certificates_expiring": [],
        "tls_versions_enabled": [],
        "tls_versions_disabled": [],
    }
    for key in sorted(was_open & is_open):
        old, new = _service_summary(_service(before[key])), _service_summary(_service(after[key]))
        if old and new and old != new:
            diff["services_changed"].append(dict(_where(key), before=old, after=new))
        old_cert, new_cert = _certificate(before[key]), _certificate(after[key])
        if old_cert and new_cert and old_cert["serial_number"] != new_cert["serial_number"]:
            diff["certificates_replaced"].append(dict(
                _where(key), before={"subject": old_cert["subject"], "serial_number": old_cert["serial_number"],
                                     "not_valid_after": old_cert["not_valid_after"]},
                after={"subject": new_cert["subject"], "serial_number": new_cert["serial_number"],
                       "not_valid_after": new_cert["not_valid_after"]}))
        if old_cert and new_cert:
            old_tls, new_tls = _supported_tls(old_cert), _supported_tls(new_cert)
            diff["tls_versions_enabled"] += [dict(_where(key), tls_version=v) for v in sorted(new_tls - old_tls)]
            diff["tls_versions_disabled"] += [dict(_where(key), tls_version=v) for v in sorted(old_tls - new_tls)]
    for key in sorted(is_open):
        certificate = _certificate(after[key])
        if certificate and certificate["days_until_expiry"] is not None \
                and certificate["days_until_expiry"] <= warning_days:
            diff["certificates_expiring"].append(dict(_where(key), subject=certificate["subject"],
                                                      days_until_expiry=certificate["days_until_expiry"]))
    diff["has_changes"] = any(diff[k] for k in ("ports_opened", "ports_closed", "services_changed",
                                                  "certificates_replaced", "tls_versions_enabled",
                                                  "tls_versions_disabled"))
    return diff


def _label(item):
    return f"{item['ip_address']}:{item['port']}/{item['protocol']}"


def drift_findings(current, diff, warning_days=30):
    """Sentences naming each drift in `current`: what an alert reports. Empty means no alert."""
    findings = []
    for key, port in sorted(_ports(current).items()):
        where = _label(_where(key))
        if port["state"] == "open" and not port["expected"]:
            service = (_service(port) or {}).get("service_name") or "unknown service"
            findings.append(f"Unexpected open port {where} ({service})")
        elif port["expected"] and port["state"] != "open" and port["state"] != "unscanned":
            findings.append(f"Expected port {where} is {port['state']}")
        certificate = _certificate(port) if port["state"] == "open" else None
        if certificate:
            days = certificate["days_until_expiry"]
            if days is not None and days <= warning_days:
                findings.append(f"Certificate of {where} ({certificate['subject']}) expires in {days} days"
                                if days >= 0 else f"Certificate of {where} ({certificate['subject']}) has expired")
            if certificate["is_self_signed"]:
                findings.append(f"Certificate of {where} ({certificate['subject']}) is self-signed")
            for version in sorted(_supported_tls(certificate) & set(LEGACY_TLS_VERSIONS)):
                findings.append(f"{version} is enabled on {where}")
    for change in diff["services_changed"]:
        before, after = change["before"], change["after"]
        findings.append(f"Service on {_label(change)} changed from "
                        f"{' '.join(filter(None, before.values())) or 'unknown'} to "
                        f"{' '.join(filter(None, after.values())) or 'unknown'}")
    return findings
