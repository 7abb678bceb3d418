"""The local breach corpus: imported dumps and the addresses they hold (never the passwords).

Addresses are stored grouped: one row per (domain, bucket of the local part, dump, part), holding
the sorted local parts as newline-separated text. A lookup by address or by domain reads a few
small rows through the primary key; an import writes few rows, which keeps it fast.
"""

from web.extensions import db
from web.models.base import utcnow


class BreachSource(db.Model):
    __tablename__ = "breach_sources"

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(200), nullable=False)
    breach_date = db.Column(db.String(10))
    data_classes = db.Column(db.JSON, nullable=False, default=list)
    file_name = db.Column(db.String(500))
    file_sha256 = db.Column(db.String(64), unique=True, nullable=False)
    lines = db.Column(db.Integer, nullable=False, default=0)
    skipped_lines = db.Column(db.Integer, nullable=False, default=0)
    addresses = db.Column(db.Integer, nullable=False, default=0)
    imported_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    def to_dict(self):
        return {"id": self.id, "name": self.name, "breachDate": self.breach_date, "dataClasses": self.data_classes,
                "fileName": self.file_name, "lines": self.lines, "skippedLines": self.skipped_lines,
                "addresses": self.addresses, "importedAt": self.imported_at.isoformat() + "Z"}


class BreachBucket(db.Model):
    __tablename__ = "breach_buckets"

    domain = db.Column(db.String(255), primary_key=True)
    bucket = db.Column(db.String(8), primary_key=True)
    source_id = db.Column(db.Integer, db.ForeignKey("breach_sources.id", ondelete="CASCADE"), primary_key=True)
    part = db.Column(db.Integer, primary_key=True, default=0)
    locals = db.Column(db.Text, nullable=False)  # sorted local parts, one per line

    __table_args__ = {"sqlite_with_rowid": False}
