"""Replay refusal and retry de-duplication for the callback, in one Redis round trip.

WeChat retries a callback it got no answer to within 5 s (three tries in all), and a captured
request stays validly signed forever. So, for every authenticated message:

- its timestamp must be within 5 minutes of now (checked by the caller);
- its nonce is remembered with the message's identity: the same nonce carrying another
  message is a replay and is refused;
- the message's identity (MsgId for messages; FromUserName + CreateTime + Event + EventKey
  for events) is claimed with SET NX: the first delivery handles it and stores its reply, any
  repeat — also one arriving in parallel — answers with that stored reply and changes nothing.
  A message whose reply changes nothing and depends only on the message and the sender's
  binding (help, a poster's scene: handlers.routes.changes_nothing) is not claimed: a repeat is
  simply answered again, with no reply to store.

The same script also reads the cached binding of the sender (openid → account id), so that a
callback costs one Redis round trip before its handler runs.
"""
import hashlib
import logging
import os
import socket
import struct
import threading
import time

from redis.connection import Connection
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError
from redis.exceptions import TimeoutError as RedisTimeoutError

from app.redis_breaker import FastFailConnection

log = logging.getLogger(__name__)

NONCE_SECONDS = 600  # longer than the ±300 s timestamp window
DEDUPE_SECONDS = 600  # WeChat's three tries take about 15 s
PENDING = b"\x00pending"
TIMESTAMP_WINDOW = 300

# KEYS: nonce, dedupe, binding   ARGV: identity, nonce ttl, dedupe ttl, '1' to claim
_CLAIM = """
local seen = redis.call('GET', KEYS[1])
if seen and seen ~= ARGV[1] then return {'replay', false, false} end
if not seen then redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2]) end
local binding = redis.call('GET', KEYS[3])
if ARGV[4] ~= '1' then return {'unclaimed', false, binding} end
local claimed = redis.call('SET', KEYS[2], '\\0pending', 'NX', 'EX', ARGV[3])
if claimed then return {'new', false, binding} end
return {'repeat', redis.call('GET', KEYS[2]), binding}
"""


def message_identity(message):
    """The key that names one message across WeChat's retries."""
    if message.get("MsgId"):
        return "msg:" + str(message["MsgId"])
    if message.get("MsgType", "").lower() == "event":
        parts = (message.get("FromUserName", ""), message.get("CreateTime", ""),
                 message.get("Event", ""), message.get("EventKey", ""))
        return "evt:" + hashlib.sha1("\x1f".join(map(str, parts)).encode()).hexdigest()
    canonical = "\x1f".join(f"{k}={v}" for k, v in sorted(message.items()) if isinstance(v, str))
    return "body:" + hashlib.sha1(canonical.encode()).hexdigest()


def timestamp_fresh(timestamp, now=None):
    now = time.time() if now is None else now
    try:
        return abs(now - int(timestamp)) <= TIMESTAMP_WINDOW
    except (TypeError, ValueError):
        return False


class KernelTimeoutConnection(FastFailConnection):
    """A redis-py TCP connection whose socket blocks, with the timeout kept by the kernel.

    CPython polls before every read and write on a socket that has a timeout: two more system
    calls per command, on the path of every callback. SO_RCVTIMEO / SO_SNDTIMEO bound a stalled
    Redis just the same (redis-py raises ConnectionError), with no poll.
    """

    def _connect(self):
        sock = super()._connect()
        seconds = self.socket_timeout or 5.0
        timeval = struct.pack("ll", int(seconds), int((seconds % 1) * 1_000_000))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, timeval)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, timeval)
        sock.settimeout(None)
        return sock


class CallbackGuard:
    """The callback's Redis calls per message: the claim, and storing the reply of a claimed one.

    They run on a connection this thread keeps (not taken from and returned to redis-py's pool
    on every call): on this hot path the pool's bookkeeping cost more CPU than the command.
    A broken connection is dropped and the command retried once on a fresh one. The reply is
    stored by a command whose answer is read after the HTTP response has gone out (store_reply),
    so the worker never sits waiting for it.
    """

    def __init__(self, redis_client, key):
        """key: a function building our prefixed Redis keys (redis_store.key)."""
        self.redis = redis_client
        self.key = key
        self._claim = redis_client.register_script(_CLAIM)
        self._local = threading.local()
        # A forked worker must not share its parent's socket (cheaper than a getpid per command).
        os.register_at_fork(after_in_child=self._forget_connection)

    def _forget_connection(self):
        self._local = threading.local()

    def _connection(self):
        conn = getattr(self._local, "conn", None)
        if conn is None:
            pool = self.redis.connection_pool
            if pool.connection_class in (Connection, FastFailConnection):  # TCP to one address (not a socket,
                # nor Sentinel's primary); the breaker, when the client has one, comes along in the kwargs
                conn = KernelTimeoutConnection(**pool.connection_kwargs)
            else:
                # Built as the pool builds its own but outside its count (redis-py caps a pool at 100
                # connections made, and this one is never handed back: reconnecting through a Redis
                # outage would exhaust it), and connected here through the class's own connect(): a
                # Sentinel-managed connection asks the sentinels for the primary there, where
                # redis-py's lazy connect on the first command would dial the default localhost:6379.
                conn = pool.connection_class(**pool.connection_kwargs)
                conn.connect()
            self._local.conn, self._local.unread = conn, 0
        return conn

    def _drop_connection(self):
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.disconnect()
        self._local.conn = None

    def _read_unread(self):
        """Read the answers of commands sent earlier without waiting (store_reply)."""
        while self._local.unread:
            self._local.unread -= 1
            self._local.conn.read_response()

    def _command(self, *args):
        for attempt in (1, 2):
            try:
                conn = self._connection()
                self._read_unread()
                conn.send_command(*args)
                return conn.read_response()
            except (RedisConnectionError, RedisTimeoutError):
                self._drop_connection()
                if attempt == 2:
                    raise
        return None

    def claim(self, nonce, identity, binding_key, dedupe=True):
        """→ (status, stored reply or None, cached binding or None); status 'new' | 'repeat' |
        'replay', or 'unclaimed' with dedupe=False (the nonce is checked, nothing is claimed)."""
        keys = [self.key("wx-nonce", nonce), self.key("wx-dedupe", identity), binding_key]
        args = [identity, NONCE_SECONDS, DEDUPE_SECONDS, "1" if dedupe else "0"]
        try:
            result = self._command("EVALSHA", self._claim.sha, 3, *keys, *args)
        except NoScriptError:  # Redis restarted or flushed its scripts: load it again
            result = self._command("EVAL", _CLAIM, 3, *keys, *args)
        status, stored, binding = (list(result) + [None, None])[:3]
        return status.decode() if isinstance(status, bytes) else status, stored or None, binding or None

    def store_reply(self, identity, reply_xml):
        """Send the SET that stores the reply for WeChat's retries and return a function that
        reads its answer: the caller runs it once the HTTP response is out (Answer.after in
        handlers/callback.py). If it is never run, the next command on this connection reads it first."""
        args = ("SET", self.key("wx-dedupe", identity), b"=" + reply_xml.encode("utf-8"), "EX", DEDUPE_SECONDS)
        try:
            self._connection().send_command(*args)
            self._local.unread += 1
        except (RedisConnectionError, RedisTimeoutError):
            self._drop_connection()
            self._command(*args)  # once more on a fresh connection, waiting for the answer
        return self.finish_store

    def finish_store(self):
        try:
            if getattr(self._local, "conn", None) is not None:
                self._read_unread()
        except Exception:  # the reply went out; a retry then finds no stored reply and waits
            log.exception("storing a callback reply failed")
            self._drop_connection()

    def release(self, identity):
        """The handler failed and changed nothing: let WeChat's retry try again."""
        self.redis.delete(self.key("wx-dedupe", identity))

    def wait_for_reply(self, identity, stored, seconds=3.0):
        """A repeat that arrived while the first delivery is still being handled waits for its
        reply (WeChat gives up at 5 s). → the reply XML, or None when it never came."""
        deadline = time.monotonic() + seconds
        while stored == PENDING and time.monotonic() < deadline:
            time.sleep(0.02)
            stored = self.redis.get(self.key("wx-dedupe", identity))
        if stored is None or stored == PENDING:
            return None
        return stored[1:].decode("utf-8")
