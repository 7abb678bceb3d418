"""Dashboard, scan list and scan detail pages, and report downloads."""

from pathlib import Path

from flask import abort, current_app, redirect, render_template, request, send_file, url_for

from scanner.reports import summarize
from web.extensions import db
from web.models import Scan
from web.pages import bp

REPORT_FORMATS = {"json": "json_path", "html": "html_path", "zip": "zip_path"}


def get_scan_or_404(scan_id):
    """The scan with this ID; aborts with a 404 page when there is none."""
    scan = db.session.get(Scan, scan_id)
    if scan is None:
        abort(404, f"Scan with ID {scan_id} does not exist")
    return scan


@bp.get("/")
def index():
    """Send visitors to the dashboard."""
    return redirect(url_for("pages.dashboard"))


@bp.get("/dashboard")
def dashboard():
    """Recent scans at a glance."""
    scans = Scan.query.order_by(Scan.timestamp.desc(), Scan.id.desc()).limit(10).all()
    configs = sorted(p.name for p in Path(current_app.config["SNEAKY_CONFIG_DIR"]).glob("*.y*ml"))
    return render_template("pages/dashboard.html", scans=scans, configs=configs)


@bp.get("/scans")
def scan_list():
    """Every scan, paginated."""
    page = request.args.get("page", 1, type=int)
    pagination = Scan.query.order_by(Scan.timestamp.desc(), Scan.id.desc()).paginate(
        page=max(page, 1), per_page=20, error_out=False)
    return render_template("pages/scans.html", pagination=pagination)


@bp.get("/scans/<int:scan_id>")
def scan_detail(scan_id):
    """One scan: sites, hosts, ports and services."""
    scan = get_scan_or_404(scan_id)
    document = scan.to_document()
    return render_template("pages/scan_detail.html", scan=document, summary=summarize(document))


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
