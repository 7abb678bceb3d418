"""`POST /maltego/email_investigate`: the Maltego TRX local transform."""

import ipaddress

from flask import Blueprint, Response, current_app, request
from flask_login import current_user

from scanner.investigations.maltego import TransformRequestError, parse_transform_request, transform_response
from web.auth.access import presented_api_key
from web.errors import ApiError
from web.extensions import db
from web.investigations.service import InvestigationError, create_investigation, run_investigation_job
from web.models import Investigation, User

bp = Blueprint("maltego", __name__)


def _caller():
    """The API key's user, or the first admin for a keyless call from this machine (Maltego desktop)."""
    if presented_api_key() is not None:
        if not current_user.is_authenticated:
            raise ApiError(401, "Invalid API key", "The API key is not valid")
        return current_user._get_current_object()
    if not ipaddress.ip_address(request.remote_addr or "0.0.0.0").is_loopback:
        raise ApiError(403, "Forbidden", "The Maltego transform is open from this machine only; send an API key")
    return User.first_admin()


def _xml(text, status=200):
    return Response(text, status=status, mimetype="application/xml")


@bp.post("/maltego/email_investigate")
def email_investigate():
    """Run a full investigation of the request's email entity and answer with Maltego entities."""
    user = _caller()
    try:
        email = parse_transform_request(request.get_data(cache=False))
        investigation = create_investigation(user, email)
    except (TransformRequestError, InvestigationError) as exc:
        return _xml(transform_response(messages=[("PartialError", str(exc))]), 400)
    # Maltego waits for the answer: run in this request; modules still run concurrently.
    run_investigation_job(current_app._get_current_object(), investigation.id)
    db.session.expire_all()
    finished = db.session.get(Investigation, investigation.id)
    report = finished.to_report()
    return _xml(transform_response(report, [("Inform", f"{report['summary']} Exposure score "
                                                       f"{report['exposure_score']} ({report['risk_level']}).")]))
