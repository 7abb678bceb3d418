"""Dashboard, scan list and scan detail pages, and report downloads."""

import json
from pathlib import Path

from flask import abort, current_app, redirect, render_template, request, send_file, send_from_directory, url_for
from flask_login import current_user

from scanner.reports import summarize
from web.models import Scan
from web.models.scan import SCAN_STATUSES
from web.pages import bp
from web.pages.dashboard import config_overview, investigation_overview, recent_breaches
from web.scans.alerts import scan_diff
from web.scans.views import get_scan_or_404

REPORT_FORMATS = {"json": "json_path", "html": "html_path", "zip": "zip_path"}


@bp.get("/")
def index():
    """Send visitors to the dashboard."""
    return redirect(url_for("pages.dashboard"))


def config_names():
    """The YAML configs a scan can be started from."""
    return sorted(p.name for p in Path(current_app.config["SNEAKY_CONFIG_DIR"]).glob("*.y*ml"))


@bp.get("/dashboard")
def dashboard():
    """The state at a glance: configs with drift, expiring certificates, new breaches, investigations."""
    recent_investigations, exposure_chart = investigation_overview(current_user)
    return render_template(
        "pages/dashboard.html", overview=config_overview(), breaches=recent_breaches(current_user),
        investigations=recent_investigations, exposure_chart=exposure_chart, configs=config_names(),
        scans=Scan.query.order_by(Scan.timestamp.desc(), Scan.id.desc()).limit(5).all())


@bp.get("/scans")
def scan_list():
    """Every scan, paginated and filterable by status; start one from a config."""
    page = request.args.get("page", 1, type=int)
    status = request.args.get("status") or None
    query = Scan.query
    if status in SCAN_STATUSES:
        query = query.filter_by(status=status)
    pagination = query.order_by(Scan.timestamp.desc(), Scan.id.desc()).paginate(
        page=max(page, 1), per_page=20, error_out=False)
    return render_template("pages/scans.html", pagination=pagination, status=status, statuses=SCAN_STATUSES,
                           configs=config_names())


@bp.get("/scans/<int:scan_id>")
def scan_detail(scan_id):
    """One scan: its diff, then sites, hosts, ports, services, certificates and screenshots."""
    scan = get_scan_or_404(scan_id)
    document = scan.to_document()
    diff = scan_diff(scan) if scan.status == "completed" else None
    return render_template(
        "pages/scan_detail.html", scan=document, summary=summarize(document), diff=diff, parse_json=json.loads,
        screenshot_src=lambda path: url_for("pages.scan_screenshot", scan_id=scan_id, name=Path(path).name))


@bp.get("/scans/<int:scan_id>/screenshots/<name>")
def scan_screenshot(scan_id, name):
    """One screenshot PNG of a scan (only files inside that scan's screenshot folder)."""
    scan = get_scan_or_404(scan_id)
    if not scan.screenshot_dir or not name.endswith(".png"):
        abort(404, "This screenshot does not exist")
    return send_from_directory(scan.screenshot_dir, name, mimetype="image/png")


@bp.get("/scans/<int:scan_id>/report.<fmt>")
def scan_report(scan_id, fmt):
    """Download one of the scan's report files."""
    scan = get_scan_or_404(scan_id)
    attribute = REPORT_FORMATS.get(fmt)
    path = getattr(scan, attribute) if attribute else None
    if not path or not Path(path).is_file():
        abort(404, "This report file does not exist")
    # HTML reports are downloaded, not rendered in our origin: they carry scanned content.
    return send_file(path, as_attachment=True, download_name=Path(path).name)
