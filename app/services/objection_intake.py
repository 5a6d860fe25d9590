"""我有异议 from any surface, within the same per-IP limits as the mini-program API (5 in 10
minutes, 20 a day, counted in Redis under the same keys, so that switching surface gains nothing)."""
from flask import current_app
from limits import parse
from limits.storage import RedisStorage
from limits.strategies import MovingWindowRateLimiter

from app.errors import DomainError
from app.extensions import redis_store
from app.services.records import file_objection

OBJECTION_LIMITS = (parse("5/10 minutes"), parse("20/day"))  # per client IP


def _limiter():
    limiter = current_app.extensions.get("izyz_objection_limiter")
    if limiter is None:
        storage = RedisStorage("redis://", connection_pool=redis_store.client.connection_pool,
                               key_prefix=redis_store.prefix + "limits")
        limiter = MovingWindowRateLimiter(storage)
        current_app.extensions["izyz_objection_limiter"] = limiter
    return limiter


def object_to_record(record_id, text, *, contact=None, filer_account_id=None, ip):
    """→ the Objection. RATE_LIMITED past the limits; OBJECTION_RECORD_NOT_PUBLIC as records says."""
    limiter = _limiter()
    if not all([limiter.hit(item, "objection", ip or "unknown") for item in OBJECTION_LIMITS]):
        raise DomainError("RATE_LIMITED")
    return file_objection(record_id, text, contact=contact, filer_account_id=filer_account_id)
