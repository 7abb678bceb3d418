"""Report files of a scan: JSON (the API document), a readable HTML page, and a ZIP of both."""

import json
import os
import zipfile
from pathlib import Path

from jinja2 import Environment, FileSystemLoader

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"

# Autoescape everything: banners, titles and certificate fields come from scanned hosts.
_environment = Environment(loader=FileSystemLoader(TEMPLATES_DIR), autoescape=True,
                           trim_blocks=True, lstrip_blocks=True)


def report_basename(started_at):
    """`scan_report_<YYYYmmdd_HHMMSS>` for a scan started at `started_at`."""
    return f"scan_report_{started_at.strftime('%Y%m%d_%H%M%S')}"


def _write_atomically(path, data):
    path = Path(path)
    temporary = path.with_name(f".{path.name}.tmp")
    mode = "wb" if isinstance(data, bytes) else "w"
    with open(temporary, mode, **({} if isinstance(data, bytes) else {"encoding": "utf-8"})) as handle:
        handle.write(data)
    os.replace(temporary, path)


def summarize(document):
    """Counts a reader wants first: hosts, open ports, unexpected ports, expected ports not open."""
    hosts = [ip for site in document.get("sites", []) for ip in site["ips"]]
    ports = [port for ip in hosts for port in ip["ports"]]
    return {
        "hosts": len(hosts),
        "open_ports": sum(1 for p in ports if p["state"] == "open"),
        "unexpected_open": sum(1 for p in ports if p["state"] == "open" and not p["expected"]),
        "expected_not_open": sum(1 for p in ports if p["expected"] and p["state"] != "open"),
        "ping_mismatches": sum(1 for ip in hosts if ip["ping_expected"] and not ip["ping_actual"]),
    }


def render_html_report(document, diff=None):
    """The HTML report of a scan document (its diff first), every scanned value escaped."""
    template = _environment.get_template("report/scan_report.html")
    return template.render(scan=document, summary=summarize(document), diff=diff,
                           screenshot_src=lambda path: path, parse_json=json.loads)


def write_reports(document, json_path, html_path, zip_path, screenshot_dir=None, diff=None):
    """Write the JSON, HTML and ZIP reports of `document` (the ZIP holds both plus screenshots)."""
    _write_atomically(json_path, json.dumps(document, indent=2))
    _write_atomically(html_path, render_html_report(document, diff))
    temporary_zip = Path(zip_path).with_name(f".{Path(zip_path).name}.tmp")
    with zipfile.ZipFile(temporary_zip, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.write(json_path, Path(json_path).name)
        archive.write(html_path, Path(html_path).name)
        if screenshot_dir and Path(screenshot_dir).is_dir():
            folder = Path(screenshot_dir)
            for image in sorted(folder.glob("*.png")):
                archive.write(image, f"{folder.name}/{image.name}")
    os.replace(temporary_zip, zip_path)
