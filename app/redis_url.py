"""REDIS_URL → a redis-py client: a plain URL, or Redis Sentinel through redis-py's own support.

    redis://[:password@]host:6379/0              one Redis (or a managed one behind one address)
    unix:///run/redis.sock?db=0                  a local socket
    redis+sentinel://[:password@]host1:26379,host2:26379,host3:26379/SERVICE[/DB][?sentinel_password=…]

With Sentinel the client asks the sentinels for the current primary of SERVICE
(redis.sentinel.Sentinel.master_for) and again whenever a connection breaks, so a failover is
followed without a restart. The password in the URL is the primary's (and replicas');
`sentinel_password` authenticates to the sentinels when they require it. Commands never hang: the
connect and read timeouts below bound an unreachable primary to an error the app answers with 503.
"""
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urlsplit

import redis
from redis.sentinel import Sentinel

from app.redis_breaker import Breaker, FastFailConnection

SENTINEL_SCHEMES = ("redis+sentinel", "rediss+sentinel")
# Seconds. A sentinel answers at once or is skipped; the primary gets the same timeouts as redis-py's
# defaults for a plain URL (5 s to read), with a short connect timeout so a dead primary fails fast.
SENTINEL_SOCKET_TIMEOUT = 0.5
PRIMARY_CONNECT_TIMEOUT = 2.0
PRIMARY_SOCKET_TIMEOUT = 5.0


class RedisUrlError(ValueError):
    """REDIS_URL cannot be understood; the message says what is wrong."""


@dataclass
class SentinelSettings:
    sentinels: list = field(default_factory=list)  # [(host, port)]
    service: str = ""
    db: int = 0
    username: str | None = None
    password: str | None = None
    sentinel_password: str | None = None
    ssl: bool = False


def is_sentinel_url(url):
    return urlsplit(url).scheme in SENTINEL_SCHEMES


def parse_sentinel_url(url):
    """redis+sentinel://[user:password@]h1:p1,h2:p2/SERVICE[/DB][?sentinel_password=…] → SentinelSettings."""
    parts = urlsplit(url)
    if parts.scheme not in SENTINEL_SCHEMES:
        raise RedisUrlError(f"not a Sentinel URL: scheme {parts.scheme!r}")
    userinfo, _, hostlist = parts.netloc.rpartition("@")
    username = password = None
    if userinfo:
        user, _, secret = userinfo.partition(":")
        username, password = (unquote(user) or None), (unquote(secret) or None)
    sentinels = []
    for item in filter(None, hostlist.split(",")):
        host, _, port = item.rpartition(":") if ":" in item else (item, "", "26379")
        try:
            sentinels.append((host.strip("[]"), int(port or 26379)))
        except ValueError:
            raise RedisUrlError(f"bad sentinel address {item!r} in REDIS_URL") from None
    if not sentinels:
        raise RedisUrlError("REDIS_URL names no sentinel (redis+sentinel://host:26379,…/SERVICE)")
    path = [p for p in parts.path.split("/") if p]
    if not path:
        raise RedisUrlError("REDIS_URL names no Sentinel service (redis+sentinel://…/SERVICE[/DB])")
    try:
        db = int(path[1]) if len(path) > 1 else 0
    except ValueError:
        raise RedisUrlError(f"bad database number {path[1]!r} in REDIS_URL") from None
    query = parse_qs(parts.query)
    return SentinelSettings(sentinels=sentinels, service=unquote(path[0]), db=db, username=username,
                            password=password, sentinel_password=(query.get("sentinel_password") or [None])[0],
                            ssl=parts.scheme.startswith("rediss"))


def connect(url, socket_timeout=PRIMARY_SOCKET_TIMEOUT, connect_timeout=PRIMARY_CONNECT_TIMEOUT,
            fast_fail_seconds=None):
    """The client for REDIS_URL (not the embedded server: see app.extensions). A plain redis://
    URL gets the web request's timeouts and, with fast_fail_seconds, the circuit breaker of
    app/redis_breaker.py (a command fails at once while Redis is known down)."""
    if not is_sentinel_url(url):
        options = {"socket_timeout": socket_timeout, "socket_connect_timeout": connect_timeout}
        if urlsplit(url).scheme == "redis" and fast_fail_seconds:
            options.update(connection_class=FastFailConnection, breaker=Breaker(fast_fail_seconds))
        return redis.Redis.from_url(url, **options)
    settings = parse_sentinel_url(url)
    sentinel_kwargs = {"socket_timeout": SENTINEL_SOCKET_TIMEOUT, "socket_connect_timeout": SENTINEL_SOCKET_TIMEOUT}
    if settings.sentinel_password:
        sentinel_kwargs["password"] = settings.sentinel_password
    sentinel = Sentinel(settings.sentinels, sentinel_kwargs=sentinel_kwargs)
    return sentinel.master_for(settings.service, db=settings.db, username=settings.username,
                               password=settings.password, ssl=settings.ssl,
                               socket_timeout=PRIMARY_SOCKET_TIMEOUT,
                               socket_connect_timeout=PRIMARY_CONNECT_TIMEOUT)
