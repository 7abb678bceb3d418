"""Watchlist entries, monitoring on/off, email-to-domain assignment, checks, postback, corpus upload."""

import os
import secrets
import tempfile

from flask import current_app, request
from flask_login import current_user

from scanner.investigations.base import ModuleFailure
from scanner.postback import UnsafeTarget, resolve_target
from web import crypto, jobs
from web.auth.access import require_admin
from web.breaches import DumpImportError, import_dump
from web.extensions import db
from web.investigations.service import InvestigationError, normalize_email
from web.models import BreachSource, Delivery, KnownBreach, PostbackEndpoint, WatchedDomain, WatchedEmail
from web.settings.store import get_setting
from web.watchlist import bp
from web.watchlist.monitor import check_entry_now, run_monitoring_pass

EMAIL_NOT_FOUND = "Email was not found. Please, add email and send request again."
DOMAIN_NOT_FOUND_ON_START = "Domain was not found. Please, add email and send request again."  # sic, as in the seed
DOMAIN_NOT_FOUND = "Domain was not found. Please, add domain and send request again."


class WatchlistError(Exception):
    """Answered as Breach Report answers errors: {"status": "error", "message": ...}."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status, self.message = status, message


@bp.errorhandler(WatchlistError)
def _watchlist_error(exc):
    return {"status": "error", "message": exc.message}, exc.status


def _fields():
    """Form-encoded or JSON body."""
    if request.is_json:
        body = request.get_json(silent=True)
        return body if isinstance(body, dict) else {}
    return request.form


def _text(fields, name):
    value = fields.get(name)
    return value.strip() if isinstance(value, str) else ""


def _owned(model, entry_id, message):
    entry = db.session.get(model, entry_id)
    if entry is None or entry.user_id != current_user.id:
        raise WatchlistError(404, message)
    return entry


def _set_monitoring(entry, on, already_message):
    """Turn monitoring of an entry on or off; 409 with the seed's message when it already is."""
    if entry.monitoring == on:
        raise WatchlistError(409, already_message)
    entry.monitoring = on
    db.session.commit()


def _valid_domain(value):
    domain = value.strip().lower().rstrip(".")
    labels = domain.split(".")
    if len(domain) > 253 or len(labels) < 2 or not all(
            label and len(label) <= 63 and all(c.isalnum() or c == "-" for c in label) for label in labels):
        raise WatchlistError(400, f"Domain name is not valid: {value!r}")
    return domain


# Emails

@bp.post("/email")
def add_email():
    """Add an address (and, with domainId, assign it to one of your domains)."""
    fields = _fields()
    try:
        email = normalize_email(_text(fields, "email"))
    except InvestigationError:
        raise WatchlistError(400, f"Email address is not valid: {_text(fields, 'email')!r}") from None
    domain_id = _text(fields, "domainId")
    domain = None
    if domain_id:
        domain = db.session.get(WatchedDomain, domain_id)
        if domain is None or domain.user_id != current_user.id:
            raise WatchlistError(404, "Domain doesn't exist")
        email_domain = email.rsplit("@", 1)[1]
        if email_domain != domain.domain:
            raise WatchlistError(400, f"Email domain ({email_domain}) is not equal to target domain ({domain.domain})")
    if WatchedEmail.query.filter_by(user_id=current_user.id, email=email).first():
        raise WatchlistError(409, "Email address already exists")
    entry = WatchedEmail(user_id=current_user.id, email=email, domain_id=domain.id if domain else None)
    db.session.add(entry)
    db.session.commit()
    return {"status": "success", "email": entry.summary()}, 201


@bp.get("/email")
def list_emails():
    """Your watched addresses."""
    entries = WatchedEmail.query.filter_by(user_id=current_user.id).order_by(WatchedEmail.created_at).all()
    return {"status": "success", "emails": [e.to_dict() for e in entries]}


@bp.get("/email/<entry_id>")
def get_email(entry_id):
    """One watched address and the breaches recorded for it."""
    entry = _owned(WatchedEmail, entry_id, EMAIL_NOT_FOUND)
    return {"status": "success", "email": {**entry.to_dict(), "breaches": _recorded(entry.id)}}


@bp.delete("/email/<entry_id>")
def delete_email(entry_id):
    """Remove an address from the watchlist entirely."""
    entry = _owned(WatchedEmail, entry_id, EMAIL_NOT_FOUND)
    summary = entry.summary()
    _forget(entry)
    return {"status": "success", "email": summary}


@bp.post("/email/<entry_id>/monitoring")
def start_email_monitoring(entry_id):
    """Put an added address on the watchlist."""
    entry = _owned(WatchedEmail, entry_id, EMAIL_NOT_FOUND)
    _set_monitoring(entry, True, "Email is already in monitoring list")
    return {"status": "success", "email": entry.summary()}


@bp.delete("/email/<entry_id>/monitoring")
def stop_email_monitoring(entry_id):
    """Take an address off the watchlist (it stays added)."""
    entry = _owned(WatchedEmail, entry_id, EMAIL_NOT_FOUND)
    _set_monitoring(entry, False, "Email does not exist in monitoring list")
    return {"status": "success", "email": entry.summary()}


@bp.get("/email/<entry_id>/check")
def check_email(entry_id):
    """The breaches of this address right now (nothing is recorded or posted back)."""
    entry = _owned(WatchedEmail, entry_id, EMAIL_NOT_FOUND)
    return {"status": "success", "email": entry.summary(), "breaches": _check(entry, "emails")}


# Domains

@bp.post("/domain")
def add_domain():
    """Add a domain."""
    domain = _valid_domain(_text(_fields(), "domain"))
    if WatchedDomain.query.filter_by(user_id=current_user.id, domain=domain).first():
        raise WatchlistError(409, "Domain already exists")
    entry = WatchedDomain(user_id=current_user.id, domain=domain)
    db.session.add(entry)
    db.session.commit()
    return {"status": "success", "domain": entry.summary()}, 201


@bp.get("/domain")
def list_domains():
    """Your watched domains."""
    entries = WatchedDomain.query.filter_by(user_id=current_user.id).order_by(WatchedDomain.created_at).all()
    return {"status": "success", "domains": [d.to_dict() for d in entries]}


@bp.get("/domain/<entry_id>")
def get_domain(entry_id):
    """One watched domain and the breaches recorded for it."""
    entry = _owned(WatchedDomain, entry_id, DOMAIN_NOT_FOUND)
    return {"status": "success", "domain": {**entry.to_dict(), "breaches": _recorded(entry.id)}}


@bp.delete("/domain/<entry_id>")
def delete_domain(entry_id):
    """Remove a domain from the watchlist entirely (its addresses stay, unassigned)."""
    entry = _owned(WatchedDomain, entry_id, DOMAIN_NOT_FOUND)
    summary = entry.summary()
    WatchedEmail.query.filter_by(domain_id=entry.id).update({"domain_id": None})
    _forget(entry)
    return {"status": "success", "domain": summary}


@bp.post("/domain/<entry_id>/monitoring")
def start_domain_monitoring(entry_id):
    """Put an added domain on the watchlist."""
    entry = _owned(WatchedDomain, entry_id, DOMAIN_NOT_FOUND_ON_START)
    _set_monitoring(entry, True, "Domain already added to monitoring list")
    return {"status": "success", "domain": entry.summary()}


@bp.delete("/domain/<entry_id>/monitoring")
def stop_domain_monitoring(entry_id):
    """Take a domain off the watchlist (it stays added)."""
    entry = _owned(WatchedDomain, entry_id, DOMAIN_NOT_FOUND)
    _set_monitoring(entry, False, "Domain is not on the watchlist")
    return {"status": "success", "domain": entry.summary()}


@bp.get("/domain/<entry_id>/check")
def check_domain(entry_id):
    """The breaches of this domain's addresses right now (nothing is recorded or posted back)."""
    entry = _owned(WatchedDomain, entry_id, DOMAIN_NOT_FOUND)
    return {"status": "success", "domain": entry.summary(), "breaches": _check(entry, "domains")}


def _check(entry, kind):
    try:
        return check_entry_now(entry, kind)
    except ModuleFailure as exc:
        raise WatchlistError(502, f"Could not check now: {exc}") from None


def _recorded(entry_id):
    rows = KnownBreach.query.filter_by(entry_id=entry_id).order_by(KnownBreach.first_seen_at, KnownBreach.id).all()
    return [{**(row.details or {}), "firstSeenAt": row.first_seen_at.isoformat() + "Z"} for row in rows]


def _forget(entry):
    KnownBreach.query.filter_by(entry_id=entry.id).delete()
    db.session.delete(entry)
    db.session.commit()


# Postback and monitoring

@bp.get("/postback")
def get_postback():
    """Your postback URL (the secret is shown only when it is made)."""
    endpoint = db.session.get(PostbackEndpoint, current_user.id)
    if endpoint is None:
        raise WatchlistError(404, "Postback URL is not set")
    return {"status": "success", "postback": {"url": endpoint.url}}


@bp.post("/postback")
def set_postback():
    """Set your postback URL; answers with a new signing secret for X-Signature-256."""
    url = _text(_fields(), "url")
    try:
        resolve_target(url, allow_private=get_setting("postback_allow_private"))
    except UnsafeTarget as exc:
        raise WatchlistError(400, str(exc)) from None
    secret = secrets.token_urlsafe(32)
    endpoint = db.session.get(PostbackEndpoint, current_user.id) or PostbackEndpoint(user_id=current_user.id)
    endpoint.url, endpoint.secret = url, crypto.encrypt(secret)
    db.session.add(endpoint)
    db.session.commit()
    return {"status": "success", "postback": {"url": url, "secret": secret}}


@bp.delete("/postback")
def delete_postback():
    """Stop postbacks."""
    endpoint = db.session.get(PostbackEndpoint, current_user.id)
    if endpoint is None:
        raise WatchlistError(404, "Postback URL is not set")
    db.session.delete(endpoint)
    db.session.commit()
    return {"status": "success"}


@bp.get("/postback/deliveries")
def list_deliveries():
    """Your postback delivery log, newest first."""
    rows = (Delivery.query.filter_by(user_id=current_user.id).order_by(Delivery.created_at.desc())
            .limit(200).all())
    return {"status": "success", "deliveries": [row.to_dict() for row in rows]}


@bp.post("/monitoring/run")
def run_monitoring_now():
    """Run a monitoring pass now, in the background."""
    app = current_app._get_current_object()
    jobs.submit(app, run_monitoring_pass, job_id=f"monitoring-{secrets.token_hex(4)}")
    return {"status": "success", "message": "Monitoring pass started"}, 202


# The local breach corpus

@bp.get("/breaches")
def list_breach_sources():
    """The dumps imported into the local corpus."""
    sources = BreachSource.query.order_by(BreachSource.imported_at.desc()).all()
    return {"status": "success", "sources": [source.to_dict() for source in sources]}


@bp.post("/breaches/import")
def upload_dump():
    """Import an uploaded dump (multipart: file, name, date, data_classes). Admin only."""
    require_admin()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise WatchlistError(400, "Send the dump as the multipart field file")
    folder = os.path.join(current_app.config["SNEAKY_DATA_DIR"], "uploads")
    os.makedirs(folder, exist_ok=True)
    handle, path = tempfile.mkstemp(dir=folder, suffix=".dump")  # never the client's file name
    os.close(handle)
    try:
        upload.save(path)
        source, created = import_dump(path, request.form.get("name"), request.form.get("date"),
                                      request.form.get("data_classes"))
    except DumpImportError as exc:
        raise WatchlistError(400, str(exc)) from None
    finally:
        os.unlink(path)
    return {"status": "success", "created": created, "source": source.to_dict()}, 201 if created else 200
