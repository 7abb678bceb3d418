"""Pages for investigations, the watchlist, schedules, notifications, settings, users and keys."""

import json

from flask import render_template, request
from flask_login import current_user

from scanner.investigations.exports import EXPORTERS
from scanner.investigations.registry import MODULES
from web.auth.access import get_owned_or_404, require_admin
from web.extensions import db
from web.investigations.service import clusters_of
from web.models import (ApiKey, Delivery, Investigation, Notification, PostbackEndpoint, Schedule, User,
                        WatchedDomain, WatchedEmail)
from web.pages import bp
from web.pages.views import config_names
from web.schedules.service import next_run, sync_config_schedules
from web.settings.store import SETTINGS, is_secret, public_settings


@bp.get("/investigations")
def investigation_list():
    """Your investigations; start a new one."""
    page = max(request.args.get("page", 1, type=int), 1)
    pagination = (Investigation.query.filter_by(user_id=current_user.id)
                  .order_by(Investigation.created_at.desc()).paginate(page=page, per_page=20, error_out=False))
    return render_template("pages/investigations.html", pagination=pagination, modules=MODULES.values())


@bp.get("/investigations/<investigation_id>")
def investigation_detail(investigation_id):
    """One investigation: live module results while it runs, then scores, findings, clusters, graph."""
    investigation = get_owned_or_404(Investigation, investigation_id)
    report = investigation.to_report()
    clusters = clusters_of(investigation)["clusters"] if investigation.status == "complete" else []
    return render_template("pages/investigation.html", report=report, clusters=clusters,
                           formats=list(EXPORTERS), dumps=json.dumps)


@bp.get("/watchlist")
def watchlist():
    """Your watched emails and domains, the postback URL, and the delivery log."""
    return render_template(
        "pages/watchlist.html",
        emails=WatchedEmail.query.filter_by(user_id=current_user.id).order_by(WatchedEmail.created_at).all(),
        domains=WatchedDomain.query.filter_by(user_id=current_user.id).order_by(WatchedDomain.created_at).all(),
        postback=db.session.get(PostbackEndpoint, current_user.id),
        deliveries=Delivery.query.filter_by(user_id=current_user.id).order_by(Delivery.created_at.desc())
        .limit(20).all())


@bp.get("/schedules")
def schedules():
    """Scan schedules, from the API and from configs' own schedule lines."""
    sync_config_schedules()
    rows = Schedule.query.order_by(Schedule.id).all()
    return render_template("pages/schedules.html", schedules=[(s, next_run(s)) for s in rows],
                           configs=config_names())


@bp.get("/notifications")
def notifications():
    """Your notifications, newest first."""
    rows = (Notification.query.filter_by(user_id=current_user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(100).all())
    return render_template("pages/notifications.html", notifications=rows)


@bp.get("/settings")
def settings_page():
    """Every setting, secrets masked (admin only)."""
    require_admin()
    values = public_settings()
    fields = [{"key": key, "value": values[key], "secret": is_secret(key),
               "kind": type(SETTINGS[key].default).__name__} for key in SETTINGS]
    return render_template("pages/settings.html", fields=fields)


@bp.get("/account")
def account():
    """Your API keys and two-factor status; for admins, the team's accounts."""
    keys = ApiKey.query.filter_by(user_id=current_user.id).order_by(ApiKey.id).all()
    users = User.query.order_by(User.id).all() if current_user.is_admin else []
    return render_template("pages/account.html", keys=keys, users=users)
