"""Email investigations, their module runs and findings. IDs are UUID strings, as in the seed."""

import uuid
from datetime import timezone

from web.extensions import db
from web.models.base import utcnow


def new_id():
    return str(uuid.uuid4())


def iso_offset(value):
    """ISO 8601 with +00:00, the mailaccess seed's timestamp form."""
    return value.replace(tzinfo=timezone.utc).isoformat() if value else None


class Investigation(db.Model):
    __tablename__ = "investigations"

    id = db.Column(db.String(36), primary_key=True, default=new_id)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    email = db.Column(db.String(320), nullable=False, index=True)
    status = db.Column(db.String(20), nullable=False, default="pending")  # pending, running, complete, failed
    modules = db.Column(db.JSON, nullable=False)
    exposure_score = db.Column(db.Integer)
    risk_level = db.Column(db.String(20))
    credential_risk_score = db.Column(db.Integer)
    credential_risk_band = db.Column(db.String(20))
    score_drivers = db.Column(db.JSON)
    recommended_actions = db.Column(db.JSON)
    summary = db.Column(db.Text)
    error = db.Column(db.Text)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)
    completed_at = db.Column(db.DateTime)

    module_runs = db.relationship("ModuleRun", back_populates="investigation", cascade="all, delete-orphan",
                                  order_by="ModuleRun.position")
    findings = db.relationship("Finding", back_populates="investigation", cascade="all, delete-orphan",
                               order_by="Finding.position")
    not_found_message = "Investigation not found"

    def findings_by_module(self):
        grouped = {run.module_name: [] for run in self.module_runs}
        for item in self.findings:
            grouped.setdefault(item.module_name, []).append(item.data)
        return grouped

    def to_list_item(self):
        return {"id": self.id, "email": self.email, "status": self.status, "exposure_score": self.exposure_score,
                "created_at": iso_offset(self.created_at), "completed_at": iso_offset(self.completed_at)}

    def to_report(self):
        """Every field of the seed's `GET /api/report/{id}`."""
        return {
            "id": self.id, "email": self.email, "status": self.status,
            "exposure_score": self.exposure_score, "risk_level": self.risk_level,
            "credential_risk_score": self.credential_risk_score, "credential_risk_band": self.credential_risk_band,
            "score_drivers": self.score_drivers or [], "recommended_actions": self.recommended_actions or [],
            "summary": self.summary, "created_at": iso_offset(self.created_at),
            "completed_at": iso_offset(self.completed_at),
            "module_runs": [run.to_dict() for run in self.module_runs],
            "findings": [item.to_dict() for item in self.findings],
            "findings_by_module": self.findings_by_module(),
            "metadata_table": {run.module_name: run.run_metadata or {} for run in self.module_runs},
        }


class ModuleRun(db.Model):
    __tablename__ = "module_runs"

    id = db.Column(db.String(36), primary_key=True, default=new_id)
    investigation_id = db.Column(db.String(36), db.ForeignKey("investigations.id", ondelete="CASCADE"),
                                 nullable=False, index=True)
    position = db.Column(db.Integer, nullable=False, default=0)
    module_name = db.Column(db.String(50), nullable=False)
    status = db.Column(db.String(20), nullable=False)  # running, success, failed
    run_metadata = db.Column(db.JSON)
    errors = db.Column(db.Text)
    started_at = db.Column(db.DateTime)
    finished_at = db.Column(db.DateTime)

    investigation = db.relationship("Investigation", back_populates="module_runs")

    def to_dict(self):
        return {"id": self.id, "module_name": self.module_name, "status": self.status,
                "run_metadata": self.run_metadata or {}, "errors": self.errors,
                "started_at": iso_offset(self.started_at), "finished_at": iso_offset(self.finished_at)}


class Finding(db.Model):
    __tablename__ = "findings"

    id = db.Column(db.String(36), primary_key=True, default=new_id)
    investigation_id = db.Column(db.String(36), db.ForeignKey("investigations.id", ondelete="CASCADE"),
                                 nullable=False, index=True)
    position = db.Column(db.Integer, nullable=False, default=0)
    module_name = db.Column(db.String(50), nullable=False)
    data = db.Column(db.JSON, nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    investigation = db.relationship("Investigation", back_populates="findings")

    def to_dict(self):
        return {"id": self.id, "module_name": self.module_name, "data": self.data,
                "created_at": iso_offset(self.created_at)}
