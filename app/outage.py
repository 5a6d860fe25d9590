"""A dependency down for a moment — the database restarting, Redis failing over — is answered at
once with 503 SERVICE_UNAVAILABLE (in the envelope on /api/, with Retry-After), never a 500 or a
hang; the client (or WeChat) tries again. Nothing was half-written: the use case's transaction was
rolled back (app/services/unit_of_work.py). The pool and the Redis client recover by themselves:
SQLAlchemy drops every pooled connection once one is found broken, and redis-py (through Sentinel
when configured, app/redis_url.py) reconnects on the next command.
"""
import logging

from flask import make_response, request
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ReadOnlyError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from app import metrics
from app.errorhandlers import handle_unexpected, page_refusal
from app.errors import MESSAGES, DomainError
from app.extensions import db
from miniprogram_api.envelope import error_response

log = logging.getLogger(__name__)

# MySQL / MariaDB client and server errors that mean "not reachable now", not "this request is wrong":
# can't connect (2002, 2003), gone away or lost mid-query (2006, 2013, 2055), shutting down (1053),
# connection killed (1927), too many connections (1040), read-only while a replica is promoted (1290).
DATABASE_UNAVAILABLE = frozenset({1040, 1053, 1290, 1927, 2002, 2003, 2006, 2013, 2055})
# The exception classes create_app registers handle_outage for (the most specific handler wins).
EXCEPTIONS = (RedisConnectionError, RedisTimeoutError, ReadOnlyError, DBAPIError, PoolTimeoutError)


def dependency_down(exc):
    """'redis' or 'database' when exc means that dependency is unreachable, else None."""
    if isinstance(exc, (RedisConnectionError, RedisTimeoutError, ReadOnlyError)):
        return "redis"
    if isinstance(exc, PoolTimeoutError):
        return "database"
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return "database"
        code = getattr(exc.orig, "args", [None])[0] if exc.orig is not None else None
        if code in DATABASE_UNAVAILABLE:
            return "database"
    return None


def handle_outage(error):
    """Flask error handler for EXCEPTIONS; anything that is not an outage goes on as unexpected."""
    dependency = dependency_down(error)
    if dependency is None:
        return handle_unexpected(error)
    try:
        db.session.rollback()
    except Exception:  # the connection is gone; the session is thrown away below
        pass
    db.session.remove()
    metrics.dependency_unavailable(dependency)
    log.warning("%s unavailable on %s %s: %s", dependency, request.method, request.url_rule or "-",
                type(error).__name__)
    if request.path.startswith("/h5/"):  # the city-service pages' own error page, with its 503
        response, status = page_refusal(DomainError("SERVICE_UNAVAILABLE"))
        response = make_response(response)
    elif request.path.startswith("/api/"):
        response, status = error_response("SERVICE_UNAVAILABLE", MESSAGES["SERVICE_UNAVAILABLE"], 503,
                                          dependency=dependency)
    else:
        response, status = make_response(MESSAGES["SERVICE_UNAVAILABLE"], 503), 503
    response.headers["Retry-After"] = "1"
    return response, status
