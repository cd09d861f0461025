"""Account Desk: the Flask application factory."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask

from webapp.compression import init_compression
from webapp.config import PROJECT_ROOT, ConfigError, load_config
from webapp.web.security import init_security_headers
from webapp.web.templating import init_templating

__all__ = ["ConfigError", "create_app"]


def create_app(overrides: dict | None = None, *, environ: dict[str, str] | None = None) -> Flask:
    config = load_config(environ)
    config.update(overrides or {})
    app = Flask(
        __name__,
        instance_path=config["INSTANCE_PATH"],
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.update(config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    configure_logging(app)
    trust_proxies(app)
    init_extensions(app)
    register_blueprints(app)
    register_error_handlers(app)
    init_security_headers(app)
    init_templating(app)
    init_compression(app)
    register_cli(app)
    init_background_collection(app)
    return app


def configure_logging(app: Flask) -> None:
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
        logging.getLogger("alembic").setLevel(logging.WARNING)


def trust_proxies(app: Flask) -> None:
    """Behind N reverse proxies, take the client address and scheme from their headers
    (so per-address sign-in throttling sees clients, not the proxy)."""
    if count := app.config["TRUSTED_PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=count, x_proto=count, x_host=count
        )


def init_extensions(app: Flask) -> None:
    from webapp import models  # noqa: F401 - registers the tables on db.metadata
    from webapp.auth.sessions import init_login
    from webapp.database import init_database
    from webapp.extensions import csrf, db, limiter, migrate
    from webapp.notifications.dispatch import init_dispatch

    db.init_app(app)
    init_database(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["REDIS_URL"] or "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    # Redis down: keep serving and count in process memory (same limits) until it is back.
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    limiter.init_app(app)
    init_login(app)
    init_dispatch()


def register_blueprints(app: Flask) -> None:
    from webapp.routing import BoundedIntConverter

    app.url_map.converters["int"] = BoundedIntConverter  # before any route is added
    from webapp.admin import bp as admin_bp
    from webapp.api import bp as api_bp
    from webapp.auth import bp as auth_bp
    from webapp.dashboard import bp as dashboard_bp
    from webapp.health import bp as health_bp

    app.register_blueprint(health_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(admin_bp)
    app.add_url_rule("/favicon.ico", "favicon", lambda: app.send_static_file("favicon.svg"))


def register_error_handlers(app: Flask) -> None:
    from webapp.errors import register

    register(app)


def init_background_collection(app: Flask) -> None:
    from webapp.collection.in_process import init_background_collection as init

    init(app)


def register_cli(app: Flask) -> None:
    from webapp.cli import register

    register(app)
