"""Investigate, list, report, export, clusters, graph, delete, and the module list."""

from flask import Response, current_app, request
from flask_login import current_user

from scanner.investigations.exports import EXPORTERS, EXTENSIONS, MEDIA_TYPES
from scanner.investigations.registry import MODULES
from web.auth.access import get_owned_or_404
from web.errors import ApiError, error_response
from web.extensions import db
from web.investigations import bp
from web.investigations.service import (InvestigationError, cached_investigation, clusters_of,
                                        create_investigation, graph_of, normalize_email, queue_investigation)
from web.models import Investigation
from web.models.investigation import iso_offset


def _string_list(body, name):
    value = body.get(name)
    if value is not None and (not isinstance(value, list) or not all(isinstance(v, str) for v in value)):
        raise ApiError(400, f"{name} must be a list of module names", f"Valid modules: {', '.join(MODULES)}")
    return value


@bp.post("/api/investigate")
def investigate():
    """Start an investigation (202), or return a cached complete one (200) when caching is on."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return error_response(400, "Invalid request", "Send JSON such as {\"email\": \"user@example.com\"}")
    modules, enable_modules = _string_list(body, "modules"), _string_list(body, "enable_modules")
    try:
        if current_app.config["ENABLE_INVESTIGATION_CACHE"] and not body.get("force"):
            cached = cached_investigation(current_user, normalize_email(body.get("email")))
            if cached is not None:
                return {"id": cached.id, "status": "complete", "cached": True,
                        "created_at": iso_offset(cached.created_at)}
        investigation = create_investigation(current_user, body.get("email"), modules, enable_modules)
    except InvestigationError as exc:
        return error_response(400, "Invalid investigation", str(exc))
    queue_investigation(investigation)
    return {"id": investigation.id, "status": "pending", "created_at": iso_offset(investigation.created_at)}, 202


@bp.get("/api/investigations")
def list_investigations():
    """Your investigations, newest first, paginated."""
    page, page_size = request.args.get("page", "1"), request.args.get("page_size", "20")
    if not (page.isdigit() and page_size.isdigit() and int(page) >= 1 and 1 <= int(page_size) <= 100):
        return error_response(400, "Invalid pagination parameters", "page >= 1 and page_size 1-100")
    pagination = (Investigation.query.filter_by(user_id=current_user.id)
                  .order_by(Investigation.created_at.desc(), Investigation.id)
                  .paginate(page=int(page), per_page=int(page_size), error_out=False))
    return {"total": pagination.total, "page": int(page), "page_size": int(page_size), "pages": pagination.pages,
            "items": [item.to_list_item() for item in pagination.items]}


@bp.get("/api/report/<investigation_id>")
def report(investigation_id):
    """The full report: scores, module runs, findings, by module, metadata table."""
    return get_owned_or_404(Investigation, investigation_id).to_report()


@bp.get("/api/report/<investigation_id>/export")
def export(investigation_id):
    """The report as a file: json, csv, markdown, pdf, stix or maltego."""
    investigation = get_owned_or_404(Investigation, investigation_id)
    fmt = request.args.get("format", "json")
    if fmt not in EXPORTERS:
        return error_response(501, "Format not implemented", f"format must be one of: {', '.join(EXPORTERS)}")
    if investigation.status not in ("complete", "failed"):
        return error_response(409, "Investigation not finished", "Export once the investigation is complete")
    safe_email = "".join(ch if ch.isalnum() or ch in "@._-" else "_" for ch in investigation.email)
    filename = f"mailaccess_{safe_email}_{investigation.id}.{EXTENSIONS[fmt]}"
    return Response(EXPORTERS[fmt](investigation.to_report()), mimetype=MEDIA_TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _finished_or_404(investigation_id):
    investigation = get_owned_or_404(Investigation, investigation_id)
    if investigation.status != "complete":
        raise ApiError(404, "Investigation not found or not yet complete",
                       f"Investigation {investigation_id} is {investigation.status}")
    return investigation


@bp.get("/api/report/<investigation_id>/clusters")
def clusters(investigation_id):
    """Identities grouped across modules, with confidence, score and reasoning."""
    return clusters_of(_finished_or_404(investigation_id))


@bp.get("/api/report/<investigation_id>/graph")
def graph(investigation_id):
    """The identity graph as D3 nodes and links."""
    return graph_of(_finished_or_404(investigation_id))


@bp.delete("/api/investigation/<investigation_id>")
def delete_investigation(investigation_id):
    """Delete an investigation with its module runs and findings."""
    investigation = get_owned_or_404(Investigation, investigation_id)
    db.session.delete(investigation)
    db.session.commit()
    return "", 204


@bp.get("/api/modules/")
def modules():
    """Every registered module."""
    return [{"name": m.name, "description": m.description, "requires_key": m.requires_key,
             "category": m.category, "opt_in": m.opt_in} for m in MODULES.values()]
