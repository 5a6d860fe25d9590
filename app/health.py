"""GET /healthz: the database and Redis, each checked for real."""
from flask import Blueprint, jsonify
from sqlalchemy import text

from app import drain
from app.extensions import db, redis_store

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    status = {"status": "ok", "database": "ok", "redis": "ok"}
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:  # any failure means "down"; say which, never a 500
        db.session.rollback()  # not a use case: a failed statement leaves the session unusable until then
        status["database"] = f"down: {type(exc).__name__}"
    try:
        redis_store.client.ping()
    except Exception as exc:
        status["redis"] = f"down: {type(exc).__name__}"
    healthy = status["database"] == "ok" and status["redis"] == "ok"
    if not healthy:
        status["status"] = "down"
    elif drain.draining():  # stopping: the load balancer takes this instance out (app/drain.py)
        status["status"], healthy = "draining", False
    return jsonify(status), 200 if healthy else 503
