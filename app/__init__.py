"""Application factory: extensions, blueprints, error handlers and CLI commands, in that order."""
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from app import db_pool
from app.config import load_config
from app.extensions import db, jobs, migrate, redis_store
from app.request_globals import RequestGlobals
from app.security import pii


def create_app(config=None):
    """config: optional overrides (strings are read like environment variables)."""
    app = Flask(__name__, template_folder="../templates")
    app.app_ctx_globals_class = RequestGlobals
    app.config.update(load_config(overrides=config))
    app.json.ensure_ascii = False  # Chinese stays readable in JSON
    register_extensions(app)
    register_blueprints(app)
    register_commands(app)
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    return app


def register_extensions(app):
    pii.configure(app.config["DATA_KEY"])
    db.init_app(app)
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        with app.app_context():
            db_pool.install(db.engine, app.config["DB_IDLE_PING_SECONDS"])
    migrate.init_app(app, db, directory=str(_migrations_dir()), render_as_batch=True)
    redis_store.init_app(app)
    jobs.init_app(app)
    import app.models  # noqa: F401  (register the tables)


def register_blueprints(app):
    from app.health import bp as health_bp
    from handlers import register_handlers
    from miniprogram_api import register_api

    app.register_blueprint(health_bp)
    register_api(app)
    register_handlers(app)


def register_commands(app):
    from app.cli import register

    register(app)


def _migrations_dir():
    from pathlib import Path

    return Path(__file__).resolve().parent / "migrations"
