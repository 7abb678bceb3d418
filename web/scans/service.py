"""Scan lifecycle: queue a scan, run it on a worker, store its results and reports, delete it."""

import logging
import shutil
from pathlib import Path

from flask import current_app

from scanner.config import ConfigError, load_config
from scanner.nmap_runner import ScanError, run_scan
from scanner.reports import report_basename, write_reports
from web import jobs
from web.extensions import db
from web.models import Scan, ScanIP, ScanPort, ScanService, ScanSite

logger = logging.getLogger(__name__)

INTERRUPTED_REASON = "Scan interrupted by restart: the server stopped while this scan was running"


class ScanQueueError(RuntimeError):
    """The scan row was created but no worker could take it."""


def start_scan(config_file, triggered_by="manual"):
    """Validate `config_file`, insert a running Scan row and queue its job.

    Raises ConfigError for a config that cannot be used (nothing is inserted) and
    ScanQueueError when the job could not be queued (the row is marked failed).
    """
    app = current_app._get_current_object()
    path, config = load_config(app.config["SNEAKY_CONFIG_DIR"], config_file)
    scan = Scan(title=config.title, config_file=str(path), triggered_by=triggered_by, status="running")
    db.session.add(scan)
    db.session.commit()
    try:
        jobs.submit(app, run_scan_job, scan.id, job_id=f"scan-{scan.id}")
    except Exception as exc:
        logger.error("Could not queue scan %s: %s", scan.id, exc)
        scan.mark_failed(f"Failed to queue scan: {exc}")
        db.session.commit()
        raise ScanQueueError(str(exc)) from exc
    return scan


def run_scan_job(app, scan_id):
    """Worker entry point: run the scan and leave the row completed or failed, never running."""
    with app.app_context():
        scan = db.session.get(Scan, scan_id)
        if scan is None:
            return
        try:
            _, config = load_config(app.config["SNEAKY_CONFIG_DIR"], scan.config_file)
            result = run_scan(config, timeout=app.config["SCAN_TIMEOUT_SECONDS"],
                              nmap_path=app.config["NMAP_PATH"])
            logger.info("Scan %s ran: %s", scan.id, "; ".join(result.nmap_commands))
            _store_result(scan, result)
            _write_artifacts(scan, app.config["SNEAKY_OUTPUT_DIR"])
            db.session.commit()
            logger.info("Scan %s completed in %ss", scan.id, scan.duration)
        except (ConfigError, ScanError) as exc:
            _record_failure(scan_id, str(exc))
        except Exception as exc:  # a worker must never leave the row running
            logger.exception("Scan %s crashed", scan_id)
            _record_failure(scan_id, f"Internal error while scanning ({exc.__class__.__name__}); see the server log")


def _record_failure(scan_id, reason):
    db.session.rollback()
    scan = db.session.get(Scan, scan_id)
    if scan is None:  # deleted meanwhile
        return
    for path in scan.artifact_paths():
        _remove_path(path)
    scan.json_path = scan.html_path = scan.zip_path = scan.screenshot_dir = None
    scan.sites.clear()
    scan.mark_failed(reason)
    db.session.commit()
    logger.warning("Scan %s failed: %s", scan_id, reason)


def _store_result(scan, result):
    scan.title = result.title
    for site_result in result.sites:
        site = ScanSite(site_name=site_result.site_name)
        scan.sites.append(site)
        for host in site_result.hosts:
            ip = ScanIP(ip_address=host.ip_address, ping_expected=host.ping_expected,
                        ping_actual=host.ping_actual)
            site.ips.append(ip)
            for port_result in host.ports:
                port = ScanPort(port=port_result.port, protocol=port_result.protocol,
                                expected=port_result.expected, state=port_result.state)
                ip.ports.append(port)
                if port_result.service is not None:
                    service = port_result.service
                    port.services.append(ScanService(
                        service_name=service.service_name, product=service.product,
                        version=service.version, extrainfo=service.extrainfo,
                        ostype=service.ostype, http_protocol=service.http_protocol))


def _unique_basename(output_dir, scan):
    base = report_basename(scan.started_at)
    if (output_dir / f"{base}.json").exists():
        base = f"{base}_{scan.id}"  # two scans started in the same second
    return base


def _write_artifacts(scan, output_dir):
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    base = _unique_basename(output_dir, scan)
    scan.json_path = str(output_dir / f"{base}.json")
    scan.html_path = str(output_dir / f"{base}.html")
    scan.zip_path = str(output_dir / f"{base}.zip")
    screenshots = output_dir / f"{base}_screenshots"
    scan.screenshot_dir = str(screenshots) if screenshots.is_dir() else None
    # The reports show the scan as it will be once this transaction commits.
    scan.mark_completed()
    db.session.flush()
    write_reports(scan.to_document(), scan.json_path, scan.html_path, scan.zip_path, scan.screenshot_dir)


def _remove_path(path):
    """Delete one artifact, but only inside the output directory."""
    target = Path(path)
    output_dir = Path(current_app.config["SNEAKY_OUTPUT_DIR"]).resolve()
    if not target.resolve().is_relative_to(output_dir):
        logger.error("Refusing to delete %s: outside the output directory", target)
        return
    if target.is_dir():
        shutil.rmtree(target)
    elif target.exists():
        target.unlink()


def delete_scan(scan):
    """Delete a scan's artifact files, then its rows."""
    for path in scan.artifact_paths():
        _remove_path(path)
    db.session.delete(scan)
    db.session.commit()


def fail_interrupted_scans():
    """Mark scans a previous process left running as failed; returns how many."""
    interrupted = Scan.query.filter_by(status="running").all()
    for scan in interrupted:
        scan.mark_failed(INTERRUPTED_REASON)
    db.session.commit()
    return len(interrupted)
