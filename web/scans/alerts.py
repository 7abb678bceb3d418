"""After a scan: the diff against the previous one, and drift alerts (notification and email)."""

import logging

from scanner.diff import compare_documents, drift_findings
from scanner.mailer import MailError, send_email
from web.extensions import db
from web.models import Scan
from web.notifications import notify_team
from web.settings.store import get_setting

logger = logging.getLogger(__name__)


def previous_completed_scan(scan):
    """The latest completed scan of the same config that started before `scan`, or None."""
    return (Scan.query.filter(Scan.config_file == scan.config_file, Scan.status == "completed",
                              Scan.id != scan.id, Scan.started_at <= scan.started_at)
            .order_by(Scan.started_at.desc(), Scan.id.desc()).first())


def scan_diff(scan, against=None):
    """The diff of `scan` against `against` (default: the previous completed scan of its config)."""
    against = against if against is not None else previous_completed_scan(scan)
    return compare_documents(against.to_document() if against else None, scan.to_document(),
                             get_setting("cert_expiry_warning_days"))


def _smtp_settings():
    return {"server": get_setting("smtp_server"), "port": get_setting("smtp_port"),
            "username": get_setting("smtp_username"), "password": get_setting("smtp_password"),
            "from_email": get_setting("smtp_from_email"), "to_emails": get_setting("smtp_to_emails")}


def send_drift_alerts(scan, diff):
    """Notify the team and email the drift of a completed scan; a failed email never fails the scan.

    Returns the drift findings (empty: nothing was sent).
    """
    findings = drift_findings(scan.to_document(), diff, get_setting("cert_expiry_warning_days"))
    if not findings:
        return findings
    notify_team("Scan #{scan_id} ({title}) found {count} drift finding(s): {first}",
                scan_id=scan.id, title=scan.title, count=len(findings), first=findings[0])
    smtp = _smtp_settings()
    if not smtp["server"]:
        logger.info("Scan %s drift not emailed: smtp_server is not set", scan.id)
        return findings
    subject = f"[SneakyScanner] {scan.title}: {len(findings)} drift finding(s) in scan #{scan.id}"
    body = "\n".join([f"Scan #{scan.id} of {scan.config_file} completed with drift:", ""]
                     + [f"- {finding}" for finding in findings]
                     + ["", f"Compared with scan #{diff['against_scan_id']}." if diff["against_scan_id"]
                        else "No earlier scan of this config to compare with."])
    try:
        send_email(smtp, subject, body)
        logger.info("Scan %s drift emailed to %s", scan.id, ", ".join(smtp["to_emails"]))
    except MailError as exc:
        logger.error("Scan %s drift email failed: %s", scan.id, exc)
        scan.alert_error = str(exc)
        db.session.commit()
    return findings
