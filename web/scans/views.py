"""Trigger, list, read, poll and delete scans."""

from flask import request

from scanner.config import ConfigError
from web.errors import ApiError, error_response
from web.extensions import db
from web.models import Scan
from web.models.scan import SCAN_STATUSES
from web.scans import bp
from web.scans.alerts import scan_diff
from web.scans.service import ScanQueueError, delete_scan, start_scan


def get_scan_or_404(scan_id):
    """The scan with this ID; aborts with the seed's 404 body when there is none."""
    scan = db.session.get(Scan, scan_id)
    if scan is None:
        raise ApiError(404, "Scan not found", f"Scan with ID {scan_id} does not exist")
    return scan


def _positive_int_arg(name, default):
    raw = request.args.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(name)
    return int(raw)


@bp.post("")
def trigger_scan():
    """Validate the config and queue a scan of it."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or "config_file" not in body:
        return error_response(400, "Invalid config file",
                              "Send JSON with config_file, e.g. {\"config_file\": \"example-site.yaml\"}")
    try:
        scan = start_scan(body["config_file"])
    except ConfigError as exc:
        return error_response(400, "Invalid config file", str(exc))
    except ScanQueueError:
        return error_response(500, "Failed to queue scan", "Internal server error")
    return {"scan_id": scan.id, "status": scan.status, "message": "Scan queued successfully"}, 201


@bp.get("")
def list_scans():
    """A page of scans, newest first, optionally filtered by status."""
    try:
        page = _positive_int_arg("page", 1)
        per_page = _positive_int_arg("per_page", 20)
        if per_page > 100:
            raise ValueError("per_page")
    except ValueError:
        return error_response(400, "Invalid pagination parameters",
                              "Page and per_page must be positive integers (per_page at most 100)")
    status = request.args.get("status")
    query = Scan.query
    if status is not None:
        if status not in SCAN_STATUSES:
            return error_response(400, "Invalid status filter",
                                  f"status must be one of: {', '.join(SCAN_STATUSES)}")
        query = query.filter_by(status=status)
    pagination = query.order_by(Scan.timestamp.desc(), Scan.id.desc()).paginate(
        page=page, per_page=per_page, error_out=False)
    return {
        "scans": [scan.to_summary() for scan in pagination.items],
        "total": pagination.total,
        "page": page,
        "per_page": per_page,
        "pages": pagination.pages,
    }


@bp.get("/<int:scan_id>")
def get_scan(scan_id):
    """The full scan document: sites, IPs, ports, services, certificates, TLS versions."""
    return get_scan_or_404(scan_id).to_document()


@bp.get("/<int:scan_id>/status")
def get_scan_status(scan_id):
    """The scan's status, for polling."""
    return get_scan_or_404(scan_id).to_status()


@bp.delete("/<int:scan_id>")
def remove_scan(scan_id):
    """Delete the scan, its rows and every artifact file."""
    scan = get_scan_or_404(scan_id)
    if scan.status == "running":
        return error_response(409, "Scan is running",
                              f"Scan {scan_id} is still running; delete it once it has completed or failed")
    delete_scan(scan)
    return {"message": f"Scan {scan_id} deleted successfully"}


@bp.get("/<int:scan_id>/diff")
def get_scan_diff(scan_id):
    """What changed since the previous completed scan of the same config (or `?against=ID`)."""
    scan = get_scan_or_404(scan_id)
    against = None
    if "against" in request.args:
        raw = request.args["against"]
        if not raw.isdigit():
            return error_response(400, "Invalid against", "against must be a scan ID")
        against = get_scan_or_404(int(raw))
        if against.status != "completed":
            return error_response(400, "Invalid against", f"Scan {against.id} is {against.status}, not completed")
    if scan.status != "completed":
        return error_response(400, "Scan not completed", f"Scan {scan_id} is {scan.status}; diffs need a completed scan")
    return scan_diff(scan, against)
