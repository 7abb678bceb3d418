"""Scans and their results: scan -> sites -> IPs -> ports -> services -> certificates -> TLS versions."""

from web.extensions import db
from web.models.base import iso_utc, utcnow

SCAN_STATUSES = ("running", "completed", "failed")


class Scan(db.Model):
    __tablename__ = "scans"

    id = db.Column(db.Integer, primary_key=True)
    timestamp = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)
    duration = db.Column(db.Float)
    status = db.Column(db.String(20), nullable=False, default="running", index=True)
    title = db.Column(db.String(200))
    config_file = db.Column(db.String(1024), nullable=False, index=True)
    json_path = db.Column(db.String(1024))
    html_path = db.Column(db.String(1024))
    zip_path = db.Column(db.String(1024))
    screenshot_dir = db.Column(db.String(1024))
    triggered_by = db.Column(db.String(20), nullable=False, default="manual")
    started_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    completed_at = db.Column(db.DateTime)
    error_message = db.Column(db.Text)
    # Renewed every minute by the process running the scan; a stale one means that process is gone.
    heartbeat_at = db.Column(db.DateTime)
    warnings = db.Column(db.JSON)  # depth that could not be had: ["Screenshots unavailable: ..."]
    alert_error = db.Column(db.Text)  # why the drift email could not be sent, when it could not

    sites = db.relationship("ScanSite", back_populates="scan", cascade="all, delete-orphan",
                            order_by="ScanSite.id")

    def mark_completed(self):
        """Record a successful end and how long the scan took."""
        self.status = "completed"
        self.completed_at = utcnow()
        self.duration = round((self.completed_at - self.started_at).total_seconds(), 1)
        self.error_message = None

    def mark_failed(self, reason):
        """Record a failed end with a reason a person can act on."""
        self.status = "failed"
        self.completed_at = utcnow()
        self.duration = round((self.completed_at - self.started_at).total_seconds(), 1)
        self.error_message = reason

    def artifact_paths(self):
        """Every file or folder this scan wrote, for deletion."""
        return [p for p in (self.json_path, self.html_path, self.zip_path, self.screenshot_dir) if p]

    def to_summary(self):
        """The list-view fields of the seed's `GET /api/scans`."""
        return {
            "id": self.id,
            "timestamp": iso_utc(self.timestamp),
            "duration": self.duration,
            "status": self.status,
            "title": self.title,
            "config_file": self.config_file,
            "triggered_by": self.triggered_by,
            "started_at": iso_utc(self.started_at),
            "completed_at": iso_utc(self.completed_at),
        }

    def to_status(self):
        """The seed's `GET /api/scans/{id}/status` document."""
        return {
            "scan_id": self.id,
            "status": self.status,
            "started_at": iso_utc(self.started_at),
            "completed_at": iso_utc(self.completed_at),
            "error_message": self.error_message,
        }

    def to_document(self):
        """The full nested document of `GET /api/scans/{id}`, also written as the JSON report."""
        document = self.to_summary()
        document.update(
            json_path=self.json_path,
            html_path=self.html_path,
            zip_path=self.zip_path,
            screenshot_dir=self.screenshot_dir,
            error_message=self.error_message,
            sites=[site.to_dict() for site in self.sites],
            warnings=self.warnings or [],
            alert_error=self.alert_error,
        )
        # Keep the seed's key order: timestamps after the artifact paths.
        for key in ("triggered_by", "started_at", "completed_at", "error_message", "sites", "warnings", "alert_error"):
            document[key] = document.pop(key)
        return document


class ScanSite(db.Model):
    __tablename__ = "scan_sites"

    id = db.Column(db.Integer, primary_key=True)
    scan_id = db.Column(db.Integer, db.ForeignKey("scans.id", ondelete="CASCADE"), nullable=False, index=True)
    site_name = db.Column(db.String(200), nullable=False)

    scan = db.relationship("Scan", back_populates="sites")
    ips = db.relationship("ScanIP", back_populates="site", cascade="all, delete-orphan", order_by="ScanIP.id")

    def to_dict(self):
        return {"id": self.id, "site_name": self.site_name, "ips": [ip.to_dict() for ip in self.ips]}


class ScanIP(db.Model):
    __tablename__ = "scan_ips"

    id = db.Column(db.Integer, primary_key=True)
    site_id = db.Column(db.Integer, db.ForeignKey("scan_sites.id", ondelete="CASCADE"), nullable=False, index=True)
    ip_address = db.Column(db.String(64), nullable=False)
    ping_expected = db.Column(db.Boolean, nullable=False, default=False)
    ping_actual = db.Column(db.Boolean, nullable=False, default=False)

    site = db.relationship("ScanSite", back_populates="ips")
    ports = db.relationship("ScanPort", back_populates="ip", cascade="all, delete-orphan", order_by="ScanPort.id")

    def to_dict(self):
        return {
            "id": self.id,
            "ip_address": self.ip_address,
            "ping_expected": self.ping_expected,
            "ping_actual": self.ping_actual,
            "ports": [port.to_dict() for port in self.ports],
        }


class ScanPort(db.Model):
    __tablename__ = "scan_ports"

    id = db.Column(db.Integer, primary_key=True)
    ip_id = db.Column(db.Integer, db.ForeignKey("scan_ips.id", ondelete="CASCADE"), nullable=False, index=True)
    port = db.Column(db.Integer, nullable=False)
    protocol = db.Column(db.String(8), nullable=False)
    expected = db.Column(db.Boolean, nullable=False)
    state = db.Column(db.String(32), nullable=False)

    ip = db.relationship("ScanIP", back_populates="ports")
    services = db.relationship("ScanService", back_populates="port", cascade="all, delete-orphan",
                               order_by="ScanService.id")

    def to_dict(self):
        return {
            "id": self.id,
            "port": self.port,
            "protocol": self.protocol,
            "expected": self.expected,
            "state": self.state,
            "services": [service.to_dict() for service in self.services],
        }


class ScanService(db.Model):
    __tablename__ = "scan_services"

    id = db.Column(db.Integer, primary_key=True)
    port_id = db.Column(db.Integer, db.ForeignKey("scan_ports.id", ondelete="CASCADE"), nullable=False, index=True)
    service_name = db.Column(db.String(100))
    product = db.Column(db.String(300))
    version = db.Column(db.String(300))
    extrainfo = db.Column(db.String(500))
    ostype = db.Column(db.String(100))
    http_protocol = db.Column(db.String(10))
    screenshot_path = db.Column(db.String(1024))

    port = db.relationship("ScanPort", back_populates="services")
    certificates = db.relationship("ScanCertificate", back_populates="service", cascade="all, delete-orphan",
                                   order_by="ScanCertificate.id")

    def to_dict(self):
        return {
            "id": self.id,
            "service_name": self.service_name,
            "product": self.product,
            "version": self.version,
            "extrainfo": self.extrainfo,
            "ostype": self.ostype,
            "http_protocol": self.http_protocol,
            "screenshot_path": self.screenshot_path,
            "certificates": [certificate.to_dict() for certificate in self.certificates],
        }


class ScanCertificate(db.Model):
    __tablename__ = "scan_certificates"

    id = db.Column(db.Integer, primary_key=True)
    service_id = db.Column(db.Integer, db.ForeignKey("scan_services.id", ondelete="CASCADE"), nullable=False,
                           index=True)
    subject = db.Column(db.Text)
    issuer = db.Column(db.Text)
    serial_number = db.Column(db.String(100))
    not_valid_before = db.Column(db.String(40))
    not_valid_after = db.Column(db.String(40))
    days_until_expiry = db.Column(db.Integer)
    sans = db.Column(db.Text)  # a JSON array as text, as the seed shows it
    is_self_signed = db.Column(db.Boolean)

    service = db.relationship("ScanService", back_populates="certificates")
    tls_versions = db.relationship("ScanTLSVersion", back_populates="certificate", cascade="all, delete-orphan",
                                   order_by="ScanTLSVersion.id")

    def to_dict(self):
        return {
            "id": self.id,
            "subject": self.subject,
            "issuer": self.issuer,
            "serial_number": self.serial_number,
            "not_valid_before": self.not_valid_before,
            "not_valid_after": self.not_valid_after,
            "days_until_expiry": self.days_until_expiry,
            "sans": self.sans,
            "is_self_signed": self.is_self_signed,
            "tls_versions": [version.to_dict() for version in self.tls_versions],
        }


class ScanTLSVersion(db.Model):
    __tablename__ = "scan_tls_versions"

    id = db.Column(db.Integer, primary_key=True)
    certificate_id = db.Column(db.Integer, db.ForeignKey("scan_certificates.id", ondelete="CASCADE"),
                               nullable=False, index=True)
    tls_version = db.Column(db.String(20), nullable=False)
    supported = db.Column(db.Boolean, nullable=False)
    cipher_suites = db.Column(db.Text)  # a JSON array as text, as the seed shows it

    certificate = db.relationship("ScanCertificate", back_populates="tls_versions")

    def to_dict(self):
        return {
            "id": self.id,
            "tls_version": self.tls_version,
            "supported": self.supported,
            "cipher_suites": self.cipher_suites,
        }
