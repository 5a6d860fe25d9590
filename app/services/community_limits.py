"""Per-person limits of the membership and community features, shared by every worker: a moving
window in Redis (the `limits` library, keys under the instance prefix), as verification codes
have them (app/services/verification.py).

WRONG_JOIN_PASSWORD: wrong 免审密码 tries per volunteer, all organisations together, so that a
join password cannot be guessed by trying; the right one or a plain request is never counted.
COMMENTS: 留言 per person; COMPLAINTS: 投诉 / 举报 per person.
"""
from flask import current_app
from limits import parse, parse_many
from limits.storage import RedisStorage
from limits.strategies import MovingWindowRateLimiter

from app.errors import DomainError
from app.extensions import redis_store

WRONG_JOIN_PASSWORD = parse("5 per 15 minutes")
# 留言 per person: a conversation, not a flood.
COMMENTS = parse_many("5/minute;30/hour")
# 投诉 / 举报 per person (each may carry images).
COMPLAINTS = parse_many("5/hour;20/day")


def _limiter():
    limiter = current_app.extensions.get("izyz_community_limiter")
    if limiter is None:
        storage = RedisStorage("redis://", connection_pool=redis_store.client.connection_pool,
                               key_prefix=redis_store.key("limits"))
        limiter = current_app.extensions["izyz_community_limiter"] = MovingWindowRateLimiter(storage)
    return limiter


def refuse_when_spent(item, code, *identifiers):
    """Raises `code` when the window of `item` for these identifiers is already full."""
    if not _limiter().test(item, *identifiers):
        raise DomainError(code)


def count(item, *identifiers):
    """Counts one use against `item` (a wrong try, a comment…)."""
    _limiter().hit(item, *identifiers)
