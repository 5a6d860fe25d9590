"""Redis known down is answered at once: a circuit breaker in the connection.

A TCP connection to Redis that fails to connect, or times out or breaks while a command waits
for its answer, opens the breaker for REDIS_FAST_FAIL_SECONDS: during that time every command of
this process fails at once with ConnectionError (answered 503 in the envelope, app/outage.py)
instead of each request waiting out its own timeout — with Redis hung (not down), two sync
workers would otherwise be tied up and pages that need no Redis wait behind them. The first
command after the pause tries Redis again (half-open): it closes the breaker by succeeding or
opens it for another pause. Timeouts are sized for a web request (REDIS_SOCKET_TIMEOUT,
REDIS_CONNECT_TIMEOUT); RQ's worker raises its own connection's read timeout above its blocking
dequeue, which is a wait, not a fault.
"""
import threading
import time

from redis.connection import Connection
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError


class Breaker:
    """Shared by every connection of one client (one per process)."""

    def __init__(self, pause_seconds):
        self.pause_seconds = pause_seconds
        self._open_until = 0.0
        self._lock = threading.Lock()

    def check(self):
        if time.monotonic() < self._open_until:
            raise RedisConnectionError("Redis is known to be down: failing fast")

    def trip(self):
        with self._lock:
            self._open_until = time.monotonic() + self.pause_seconds

    @property
    def is_open(self):
        return time.monotonic() < self._open_until


class FastFailConnection(Connection):
    """A redis-py TCP connection that consults and trips the client's Breaker (None: a plain one)."""

    def __init__(self, *args, breaker=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.breaker = breaker

    def connect(self, *args, **kwargs):
        if self.breaker is not None:
            self.breaker.check()
        return self._tripping(super().connect, *args, on_connect=True, **kwargs)

    def send_packed_command(self, *args, **kwargs):
        if self.breaker is not None:
            self.breaker.check()
        return self._tripping(super().send_packed_command, *args, **kwargs)

    def read_response(self, *args, **kwargs):
        return self._tripping(super().read_response, *args, **kwargs)

    def _tripping(self, call, *args, on_connect=False, **kwargs):
        try:
            return call(*args, **kwargs)
        except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
            # A connect that fails, or a command that waits out its timeout (redis-py's, or the
            # kernel's SO_RCVTIMEO, which surfaces as EAGAIN), trips the breaker. An established
            # connection that merely breaks (Redis restarted, an idle connection closed) says
            # nothing yet about Redis: the reconnect that follows decides.
            if self.breaker is not None and (on_connect or _timed_out(exc)):
                self.breaker.trip()
            raise


def _timed_out(exc):
    while exc is not None:
        if isinstance(exc, RedisTimeoutError | TimeoutError | BlockingIOError):
            return True
        exc = exc.__cause__ or exc.__context__
    return False
