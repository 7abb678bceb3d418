"""SneakyScanner entry point: `python app.py` serves; `flask --app app ...` runs CLI commands."""

import logging

from web import create_app  # noqa: F401  (the factory `flask --app app` looks for)

LOG_FORMAT = "%(asctime)s %(levelname)s %(message)s"


def main():
    """Migrate the database, create the admin on first start, then serve with gunicorn.

    One gunicorn worker with many threads: scans run on that worker's scheduler, and
    WebSocket connections each hold a thread.
    """
    from gunicorn.app.base import BaseApplication

    from web import jobs
    from web.auth.accounts import ensure_admin
    from web.database import upgrade_schema

    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT, datefmt="%Y-%m-%d %H:%M:%S")
    app = create_app()
    upgrade_schema(app)
    ensure_admin(app)
    host, port = app.config["SNEAKY_HOST"], app.config["SNEAKY_PORT"]

    class Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"[{host}]:{port}" if ":" in host else f"{host}:{port}")
            self.cfg.set("workers", 1)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("threads", 32)
            self.cfg.set("timeout", 120)
            self.cfg.set("accesslog", None)  # our own request log line carries the request ID

        def load(self):
            # Runs in the worker process, so the scheduler's threads live where requests are served.
            jobs.start(app)
            return app

    print(f"SneakyScanner serving on http://{host}:{port}/ (log in at /auth/login)", flush=True)
    Server().run()


if __name__ == "__main__":
    main()
