"""The Flask layer: `create_app` builds the web app around the `scanner` engines."""

from flask import Flask

from datetime import timedelta

from werkzeug.middleware.proxy_fix import ProxyFix

from web import crypto, database, errors, request_tracing, security_headers
from web.config import load_config
from web.extensions import cors, login_manager, sock

TEMPLATES_DIR = "../templates"
STATIC_DIR = "../static"


def create_app(test_config=None):
    """Build the app: config, extensions, blueprints. Starts no threads and touches no data."""
    app = Flask(__name__, template_folder=TEMPLATES_DIR, static_folder=STATIC_DIR)
    app.config.from_mapping(load_config())
    if test_config:
        app.config.from_mapping(test_config)
    app.json.sort_keys = False  # keep the seeds' field order
    app.permanent_session_lifetime = timedelta(hours=app.config["SESSION_MAX_HOURS"])
    if app.config["TRUSTED_PROXIES"]:
        proxies = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    crypto.init_app(app)
    database.init_app(app)
    login_manager.init_app(app)
    sock.init_app(app)
    cors.init_app(app, resources={r"/api/*": {"origins": _cors_origins(app)}})
    request_tracing.init_app(app)
    security_headers.init_app(app)
    errors.init_app(app)

    from web import accounts, auth, health, investigations, pages, scans, schedules, settings, watchlist
    from web.investigations import maltego_views
    from web.auth import csrf
    from web.scans import live_socket

    csrf.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(accounts.bp)
    app.register_blueprint(scans.bp)
    app.register_blueprint(live_socket.bp)
    app.register_blueprint(schedules.bp)
    app.register_blueprint(investigations.bp)
    app.register_blueprint(maltego_views.bp)
    app.register_blueprint(watchlist.bp)

    from web.breaches import breach_cli

    app.cli.add_command(breach_cli)
    app.register_blueprint(settings.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(pages.bp)
    return app


def _cors_origins(app):
    origins = [o.strip() for o in app.config["CORS_ORIGINS"].split(",") if o.strip()]
    return "*" if origins in ([], ["*"]) else origins
