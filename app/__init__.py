"""Application factory: the whole start-up, read top to bottom.

Every blueprint, error handler, middleware and command the service has is named here.
"""
from pathlib import Path

from flask import Flask
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from app import cli, db_pool, logging_setup, metrics, request_id
from app.config import load_config
from app.errors import DomainError
from app.extensions import db, jobs, migrate, redis_store
from app.json_input import StrictJSONProvider
from app.request_globals import RequestGlobals
from app.security import pii

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

# The adapters (handlers/, miniprogram_api/, app/h5/, app/errorhandlers.py) import app.*, so they
# are imported inside the register_* functions below: at the top, importing any adapter first
# would meet this package half-initialised (a real cycle).


def create_app(config=None):
    """config: optional overrides (strings are read like environment variables)."""
    app = Flask(__name__, template_folder="../templates")
    app.app_ctx_globals_class = RequestGlobals
    app.config.update(load_config(overrides=config))
    app.json = StrictJSONProvider(app)  # bodies that cannot be stored are malformed; Chinese stays readable
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_middleware(app)
    register_commands(app)
    return app


def register_extensions(app):
    if app.config["LOG_FORMAT"] == "json":
        logging_setup.configure()
    logging_setup.add_secrets(*(app.config[name] for name in ("SECRET_KEY", "WECHAT_SECRET", "WECHAT_TOKEN",
                                                              "WECHAT_AES_KEY", "MINIPROGRAM_SECRET")))
    pii.configure(app.config["DATA_KEYS"], app.config["DATA_LOOKUP_KEY_ID"])
    db.init_app(app)
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        with app.app_context():
            db_pool.install(db.engine, app.config["DB_IDLE_PING_SECONDS"])
            metrics.install_pool_metrics(db.engine)
    metrics.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS), render_as_batch=True)
    redis_store.init_app(app)
    jobs.init_app(app)


def register_blueprints(app):
    from app import health
    from app.h5 import activities as h5_activities
    from app.h5 import admin as h5_admin
    from app.h5 import bind as h5_bind
    from app.h5 import board as h5_board
    from app.h5 import card as h5_card
    from app.h5 import certificate as h5_certificate
    from app.h5 import home as h5_home
    from app.h5 import me as h5_me
    from app.h5 import organisations as h5_orgs
    from app.h5 import scan as h5_scan
    from handlers import callback, menu
    from miniprogram_api import (
        achievements,
        activities,
        admin_accounts,
        admin_activities,
        admin_exports,
        attendance,
        auth,
        certificates,
        comments,
        complaints,
        group_enrollment,
        hours,
        init_api,
        me,
        me_account,
        me_profile,
        memberships,
        messages,
        my_activities,
        org_management,
        organisations,
        record_transfers,
        registration,
        shifts,
        subscriptions,
        wx_auth,
    )

    # The mini-program API, in the order the OpenAPI description lists them.
    init_api(app, (
        activities.blp, admin_accounts.blp, admin_activities.blp, attendance.blp, auth.blp, hours.blp, me.blp,
        me_account.blp, my_activities.blp, organisations.blp, registration.blp, subscriptions.blp, wx_auth.blp,
        # what volunteers and organisations take away (issue 12)
        admin_exports.blp, certificates.blp, messages.blp, record_transfers.blp,
        # membership and community (issue 13)
        memberships.blp, org_management.blp, comments.blp, shifts.blp, me_profile.blp, group_enrollment.blp,
        complaints.blp, achievements.blp,
    ))
    # The health check, /metrics, the callback's server check, the city-service H5 pages and the menu command.
    for blueprint in (health.bp, metrics.bp, callback.bp, h5_home.bp, h5_activities.bp, h5_orgs.bp, h5_me.bp,
                      h5_board.bp, h5_admin.bp, h5_bind.bp, h5_card.bp, h5_certificate.bp, h5_scan.bp, menu.bp):
        app.register_blueprint(blueprint)


def register_errorhandlers(app):
    """One translation of a refusal (DomainError) per adapter kind, all in app/errorhandlers.py:
    the JSON envelope on /api/, an error page on /h5/, and a polite reply for the WeChat callback,
    which is answered in front of Flask's routing and so calls errorhandlers.wechat_reply itself."""
    from app import errorhandlers, outage
    from app.h5 import errors as h5_errors

    # On the app, not a blueprint: unmatched URLs (404, 405) never reach a blueprint's handlers.
    app.register_error_handler(DomainError, errorhandlers.handle_domain_error)
    for unreachable in outage.EXCEPTIONS:  # the database or Redis down for a moment: 503 at once
        app.register_error_handler(unreachable, outage.handle_outage)
    app.register_error_handler(Exception, errorhandlers.handle_unexpected)
    # Replaces flask-smorest's HTTPException handler (registered by init_api): an unknown /h5/ page
    # gets a friendly Chinese page; every other path goes on to the API's handling as before.
    app.register_error_handler(HTTPException, h5_errors.handle_http_error)


def register_middleware(app):
    from app.h5.sessions import QuickCookieSessionInterface
    from handlers.callback import CallbackEndpoint

    # The H5 pages' signed-cookie session, never opened for the callback or the API.
    app.session_interface = QuickCookieSessionInterface()
    # POST /wechat/callback answered in front of Flask's routing (handlers/callback.py).
    app.wsgi_app = CallbackEndpoint(app, app.wsgi_app)
    # Every request counted and timed by route, under a request id that its log lines and jobs carry.
    app.before_request_funcs.setdefault(None, []).insert(0, request_id.remember_route)
    app.wsgi_app = metrics.MetricsMiddleware(app.wsgi_app)
    proxies = app.config["TRUSTED_PROXIES"]
    app.wsgi_app = request_id.RequestIdMiddleware(app.wsgi_app, trust_header=proxies > 0)
    if proxies:  # outermost: the client's address and scheme as the trusted proxy saw them
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)


def register_commands(app):
    cli.register(app)
