"""The callback guard's own Redis connection: bounded waits, and the stored reply after the answer."""
import socket
import threading
import time

import pytest
import redis

from app.wechat.guard import CallbackGuard


def test_a_stalled_redis_fails_the_claim_within_its_timeout():
    """A Redis that accepts and never answers (overloaded, or a half-open connection) must not
    hold a web worker: the kernel's receive timeout ends the wait and the claim fails."""
    server = socket.create_server(("127.0.0.1", 0))
    accepted = []
    threading.Thread(target=lambda: [accepted.append(server.accept()) for _ in range(2)], daemon=True).start()
    client = redis.Redis(host="127.0.0.1", port=server.getsockname()[1], socket_timeout=0.3)
    guard = CallbackGuard(client, lambda *parts: "t:" + ":".join(parts))
    started = time.monotonic()
    with pytest.raises((redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)):
        guard.claim("nonce-1", "msg:1", "t:binding")
    elapsed = time.monotonic() - started
    assert 0.5 <= elapsed < 2.0  # two tries of 0.3 s each, then the error
    server.close()


def test_the_reply_is_stored_once_the_answer_is_out(redis_url):
    """store_reply sends the SET; its answer is read afterwards (or by the next command), and a
    retry of the message finds the reply either way."""
    client = redis.Redis.from_url(redis_url)
    prefix = f"guard-test-{time.time_ns()}:"
    guard = CallbackGuard(client, lambda *parts: prefix + ":".join(parts))
    try:
        assert guard.claim("n1", "msg:1", prefix + "b")[0] == "new"
        finish = guard.store_reply("msg:1", "<xml>one</xml>")
        finish()
        assert guard.claim("n1", "msg:1", prefix + "b")[:2] == ("repeat", b"=<xml>one</xml>")
        # Not finished by the caller: the next command reads the SET's answer before its own.
        assert guard.claim("n2", "msg:2", prefix + "b")[0] == "new"
        guard.store_reply("msg:2", "<xml>two</xml>")
        assert guard.claim("n3", "msg:3", prefix + "b")[0] == "new"
        assert guard.claim("n2", "msg:2", prefix + "b")[:2] == ("repeat", b"=<xml>two</xml>")
        assert guard.wait_for_reply("msg:2", b"\x00pending") == "<xml>two</xml>"
    finally:
        keys = list(client.scan_iter(match=prefix + "*"))
        if keys:
            client.delete(*keys)
