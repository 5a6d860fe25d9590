"""The send rate, shared by every worker: a moving window in Redis (the `limits` library).

WeChat throttles per account and per API (45009 daily quota, 45011 frequency); keeping each
channel under WECHAT_SEND_RATE (e.g. "20/second") spreads a large admission over time
instead of burning through retries.
"""
import time

from flask import current_app
from limits import parse
from limits.storage import RedisStorage
from limits.strategies import MovingWindowRateLimiter

from app.extensions import redis_store


def _limiter():
    state = current_app.extensions.get("izyz_send_limiter")
    if state is None:
        storage = RedisStorage("redis://", connection_pool=redis_store.client.connection_pool,
                               key_prefix=redis_store.prefix + "limits")
        state = (MovingWindowRateLimiter(storage), parse(current_app.config["WECHAT_SEND_RATE"]))
        current_app.extensions["izyz_send_limiter"] = state
    return state


def acquire(channel):
    """True when a message may go out on `channel` now (and counts it); False: wait and retry."""
    limiter, rate = _limiter()
    return limiter.hit(rate, "outbox", channel)


def seconds_until_free(channel):
    limiter, rate = _limiter()
    reset_at, _remaining = limiter.get_window_stats(rate, "outbox", channel)
    return max(0.2, reset_at - time.time())
