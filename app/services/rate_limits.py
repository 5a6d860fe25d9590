"""Rate limits per client address on what anyone can send without an account: password logins,
registrations (volunteers and organisations) and objections; verification codes have their own
per-number and per-address limits (app/services/verification.py). A refusal is RATE_LIMITED with
retry_after (seconds until the fullest window frees a place), which the API answers as 429 with
Retry-After. Counted with the `limits` library in our Redis, under the instance's prefix.

The limits (moving windows; settings in app/config.py):
- login: LOGIN_RATE_PER_ADDRESS, default 30/minute;300/hour — above what a shared network's
  people log in with, below what credential stuffing needs (per-account guessing has its own stop,
  app/services/login.py);
- register: REGISTER_RATE_PER_ADDRESS, default 30/hour;200/day — a school's network registers a
  class, as it asks for their codes;
- objection: 5/10 minutes;20/day — anyone may object to a public record, not flood its admins.
"""
import math
import time

from flask import current_app
from limits import parse_many
from limits.storage import RedisStorage
from limits.strategies import MovingWindowRateLimiter

from app.errors import DomainError
from app.extensions import redis_store

FIXED = {"objection": "5/10 minutes;20/day"}
CONFIGURED = {"login": "LOGIN_RATE_PER_ADDRESS", "register": "REGISTER_RATE_PER_ADDRESS"}


def limiter():
    state = current_app.extensions.get("izyz_rate_limiter")
    if state is None:
        storage = RedisStorage("redis://", connection_pool=redis_store.client.connection_pool,
                               key_prefix=redis_store.key("limits"))
        state = current_app.extensions["izyz_rate_limiter"] = MovingWindowRateLimiter(storage)
    return state


def _items(name):
    spec = current_app.config[CONFIGURED[name]] if name in CONFIGURED else FIXED[name]
    return parse_many(spec)


def check(name, address):
    """Counts one request of kind `name` from `address`, or raises RATE_LIMITED counting none."""
    refuse_when_limited([(item, (name, address or "unknown")) for item in _items(name)], "RATE_LIMITED")


def refuse_when_limited(checks, code):
    """checks: [(limit item, identifiers)]. All pass and are counted, or DomainError(code) with
    retry_after and none counted."""
    rate = limiter()
    for item, identifiers in checks:
        if not rate.test(item, *identifiers):
            raise DomainError(code, retry_after=seconds_until_free(item, identifiers))
    for item, identifiers in checks:
        rate.hit(item, *identifiers)


def seconds_until_free(item, identifiers):
    reset_at = limiter().get_window_stats(item, *identifiers).reset_time
    return max(1, math.ceil(reset_at - time.time()))
