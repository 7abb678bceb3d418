"""Scan lifecycle: queue a scan, run it on a worker, store its results and reports, delete it."""

import json
import logging
import shutil
import threading
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import update

from scanner.config import ConfigError, load_config
from scanner.nmap_runner import ScanError
from scanner.pipeline import run_scan
from scanner.reports import report_basename, write_reports
from web import jobs
from web.extensions import db
from web.live import hub
from web.models import Scan, ScanCertificate, ScanIP, ScanPort, ScanService, ScanSite, ScanTLSVersion
from web.models.base import utcnow
from web.scans.alerts import scan_diff, send_drift_alerts

logger = logging.getLogger(__name__)

INTERRUPTED_REASON = "Scan interrupted by restart: the server stopped while this scan was running"
HEARTBEAT_SECONDS = 60
STALE_AFTER = timedelta(minutes=10)
STALE_REASON = "The process running this scan stopped (no sign of life for 10 minutes)"


class ScanQueueError(RuntimeError):
    """The scan row was created but no worker could take it."""


def scan_topic(scan_id):
    """The live-event topic of one scan."""
    return f"scan:{scan_id}"


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


class _Heartbeat:
    """Renews the scan's heartbeat_at every minute while the scan runs, from its own thread."""

    def __init__(self, app, scan_id):
        self.app, self.scan_id, self.stopped = app, scan_id, threading.Event()
        self.thread = threading.Thread(target=self._beat, daemon=True, name=f"scan-{scan_id}-heartbeat")

    def _beat(self):
        while True:
            with self.app.app_context():
                db.session.execute(update(Scan).where(Scan.id == self.scan_id).values(heartbeat_at=utcnow()))
                db.session.commit()
            if self.stopped.wait(HEARTBEAT_SECONDS):
                return

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.stopped.set()
        self.thread.join()


def run_scan_job(app, scan_id):
    """Worker entry point: run the scan and leave the row completed or failed, never running."""
    with _Heartbeat(app, scan_id):
        _run_scan(app, scan_id)


def _run_scan(app, scan_id):
    with app.app_context():
        scan = db.session.get(Scan, scan_id)
        if scan is None:
            return
        live = hub(app)
        topic = scan_topic(scan_id)

        def progress(event):
            live.publish(topic, {"type": "progress", "scan_id": scan_id, **event})

        output_dir = Path(app.config["SNEAKY_OUTPUT_DIR"])
        output_dir.mkdir(parents=True, exist_ok=True)
        base = _unique_basename(output_dir, scan)
        screenshot_dir = output_dir / f"{base}_screenshots"
        try:
            _, config = load_config(app.config["SNEAKY_CONFIG_DIR"], scan.config_file)
            result = run_scan(config, timeout=app.config["SCAN_TIMEOUT_SECONDS"], progress=progress,
                              nmap_path=app.config["NMAP_PATH"], chromium_path=app.config["CHROMIUM_PATH"],
                              screenshot_dir=screenshot_dir)
            logger.info("Scan %s ran: %s", scan.id, "; ".join(result.nmap_commands))
            _store_result(scan, result)
            scan.warnings = result.warnings
            diff = _write_artifacts(scan, output_dir, base)
            db.session.commit()
            logger.info("Scan %s completed in %ss", scan.id, scan.duration)
        except (ConfigError, ScanError) as exc:
            _record_failure(scan_id, str(exc), screenshot_dir)
        except Exception as exc:  # a worker must never leave the row running
            logger.exception("Scan %s crashed", scan_id)
            _record_failure(scan_id, f"Internal error while scanning ({exc.__class__.__name__}); see the server log",
                            screenshot_dir)
        else:
            try:
                send_drift_alerts(scan, diff)
            except Exception:  # alerts are best effort: the scan itself is done
                logger.exception("Scan %s alerts failed", scan_id)
        finally:
            live.publish(topic, _final_event(scan_id), final=True)


def _final_event(scan_id):
    """The `complete` event of a scan, read from its row; a database failure here must not hide the end."""
    try:
        db.session.rollback()
        scan = db.session.get(Scan, scan_id)
    except Exception:
        logger.exception("Scan %s: could not read the final status", scan_id)
        return {"type": "complete", "scan_id": scan_id, "status": "unknown",
                "error_message": "The final status could not be read; reload the scan"}
    return {"type": "complete", "scan_id": scan_id, "status": scan.status if scan else "deleted",
            "error_message": scan.error_message if scan else None}


def _record_failure(scan_id, reason, screenshot_dir):
    db.session.rollback()
    scan = db.session.get(Scan, scan_id)
    if scan is None:  # deleted meanwhile
        return
    for path in scan.artifact_paths() + [str(screenshot_dir)]:
        _remove_path(path)
    scan.json_path = scan.html_path = scan.zip_path = scan.screenshot_dir = None
    scan.sites.clear()
    scan.mark_failed(reason)
    db.session.commit()
    logger.warning("Scan %s failed: %s", scan_id, reason)


def _certificate_row(certificate):
    row = ScanCertificate(subject=certificate.subject, issuer=certificate.issuer,
                          serial_number=certificate.serial_number,
                          not_valid_before=certificate.not_valid_before, not_valid_after=certificate.not_valid_after,
                          days_until_expiry=certificate.days_until_expiry, sans=json.dumps(certificate.sans),
                          is_self_signed=certificate.is_self_signed)
    for version in certificate.tls_versions:
        row.tls_versions.append(ScanTLSVersion(tls_version=version.tls_version, supported=version.supported,
                                               cipher_suites=json.dumps(version.cipher_suites)))
    return row


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
                service = port_result.service
                if service is not None:
                    row = ScanService(service_name=service.service_name, product=service.product,
                                      version=service.version, extrainfo=service.extrainfo,
                                      ostype=service.ostype, http_protocol=service.http_protocol,
                                      screenshot_path=service.screenshot_path)
                    row.certificates.extend(_certificate_row(c) for c in service.certificates)
                    port.services.append(row)


def _unique_basename(output_dir, scan):
    base = report_basename(scan.started_at)
    if (output_dir / f"{base}.json").exists() or (output_dir / f"{base}_screenshots").exists():
        base = f"{base}_{scan.id}"  # two scans started in the same second
    return base


def _write_artifacts(scan, output_dir, base):
    """Write the JSON/HTML/ZIP reports; returns the diff the HTML report shows first."""
    scan.json_path = str(output_dir / f"{base}.json")
    scan.html_path = str(output_dir / f"{base}.html")
    scan.zip_path = str(output_dir / f"{base}.zip")
    screenshots = output_dir / f"{base}_screenshots"
    scan.screenshot_dir = str(screenshots) if screenshots.is_dir() else None
    # The reports show the scan as it will be once this transaction commits.
    scan.mark_completed()
    db.session.flush()
    diff = scan_diff(scan)
    write_reports(scan.to_document(), scan.json_path, scan.html_path, scan.zip_path, scan.screenshot_dir,
                  diff=diff)
    return diff


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


def delete_scans_older_than(days):
    """Retention: delete finished scans that started more than `days` ago; returns how many."""
    if not days:
        return 0
    old = Scan.query.filter(Scan.started_at < utcnow() - timedelta(days=days), Scan.status != "running").all()
    for scan in old:
        delete_scan(scan)
    return len(old)


def fail_stale_scans():
    """Mark running scans whose process stopped beating (a crash elsewhere) as failed; returns how many."""
    cutoff = utcnow() - STALE_AFTER
    stale = Scan.query.filter(Scan.status == "running",
                              db.func.coalesce(Scan.heartbeat_at, Scan.started_at) < cutoff).all()
    for scan in stale:
        scan.mark_failed(STALE_REASON)
    db.session.commit()
    return len(stale)


def fail_interrupted_scans():
    """Mark scans a previous process left running as failed; returns how many."""
    interrupted = Scan.query.filter_by(status="running").all()
    for scan in interrupted:
        scan.mark_failed(INTERRUPTED_REASON)
    db.session.commit()
    return len(interrupted)
