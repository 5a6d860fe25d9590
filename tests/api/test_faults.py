"""Faults at the edges, injected on purpose: Redis refusing connections, Redis hung (it accepts
and never answers), the database refusing connections, and the WeChat API timing out or
answering 5xx, 40001 and 45009. Each is answered clearly and quickly — 503 in the envelope on
the API within a second or two, never a hang; a polite reply on the WeChat callback within its
5 s — nothing is half-written, and the service recovers by itself when the fault ends.

The app under test is one of the test's own (create_app) pointed at the broken dependency."""
import shutil
import socket
import subprocess
import time
from datetime import timedelta

import pytest
import requests

from app import create_app
from app.extensions import db
from app.models import OutboxMessage
from scripts.scratch import free_port
from tests import conftest
from tests.activity_helpers import bearer
from tests.handlers.wechat_sim import AES_KEY, WechatServer

config = conftest.test_config  # (imported by name, pytest would collect it as a test)
CODE_REQUEST = {"phone": "13912345678", "purpose": "register"}


def timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


class HungRedis:
    """A TCP server that takes connections into its backlog and never answers: a Redis stopped
    (SIGSTOP), swapping, or behind a dead link."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]

    def close(self):
        self.sock.close()


@pytest.fixture
def hung_redis():
    server = HungRedis()
    yield server
    server.close()


def app_with(database_url, redis_url, emulator, tmp_path, **extra):
    return create_app(config(database_url, redis_url, emulator, upload_dir=tmp_path, **extra))


def unavailable(response):
    assert response.status_code == 503, response.data[:300]
    assert response.json["error"]["code"] == "SERVICE_UNAVAILABLE" and response.headers["Retry-After"]
    return True


def test_redis_refusing_connections_is_answered_at_once_and_recovers_by_itself(database_url, emulator, tmp_path):
    port = free_port()
    down = app_with(database_url, f"redis://127.0.0.1:{port}/0", emulator, tmp_path)
    client = down.test_client()
    first, took = timed(lambda: client.post("/api/v1/verification-codes", json=CODE_REQUEST))
    assert unavailable(first) and took < 1.5
    second, took = timed(lambda: client.post("/api/v1/verification-codes", json=CODE_REQUEST))
    assert unavailable(second) and took < 0.3  # known down: no new attempt to connect
    listed, _ = timed(lambda: client.get("/api/v1/activities"))
    assert listed.status_code == 200  # a page that needs no Redis is not held up
    with down.app_context():
        assert db.session.execute(db.select(db.func.count(OutboxMessage.id))).scalar_one() == 0  # nothing written
    if not shutil.which("redis-server"):
        pytest.skip("recovery needs the redis-server binary")
    server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:  # back within the breaker's pause (2 s) once Redis answers
            answer = client.post("/api/v1/verification-codes", json=CODE_REQUEST)
            if answer.status_code == 202 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert answer.status_code == 202, answer.json
    finally:
        server.terminate()
        server.wait(10)


def test_a_hung_redis_costs_one_timeout_then_fails_fast_and_pages_without_redis_are_not_held(
        database_url, emulator, tmp_path, hung_redis):
    hung = app_with(database_url, f"redis://127.0.0.1:{hung_redis.port}/0", emulator, tmp_path)
    client = hung.test_client()
    first, took = timed(lambda: client.post("/api/v1/verification-codes", json=CODE_REQUEST))
    assert unavailable(first) and took < 2.5  # one socket timeout (1 s), not redis-py's none
    second, took = timed(lambda: client.post("/api/v1/verification-codes", json=CODE_REQUEST))
    assert unavailable(second) and took < 0.3
    listed, took = timed(lambda: client.get("/api/v1/activities"))
    assert listed.status_code == 200 and took < 1.0


def _polite_busy(wechat, response, took):
    assert response.status_code == 200 and took < 5, (response.status_code, took)
    reply = wechat.read_reply(response.data)
    assert reply["MsgType"] == "text" and reply["Content"] == "系统繁忙，请稍后再试。"


@pytest.mark.parametrize("mode", ["plain", "safe"])
def test_the_callback_answers_politely_within_five_seconds_with_redis_hung(database_url, emulator, tmp_path,
                                                                            hung_redis, mode):
    extra = {"WECHAT_AES_KEY": AES_KEY} if mode == "safe" else {}
    hung = app_with(database_url, f"redis://127.0.0.1:{hung_redis.port}/0", emulator, tmp_path, **extra)
    wechat = WechatServer(hung.test_client(), hung.config, aes_key=AES_KEY if mode == "safe" else None)
    for n in range(3):  # the first waits one timeout; the next are answered at once
        response, took = timed(lambda n=n: wechat.post(wechat.text("amy", f"查询时长{n}")))
        _polite_busy(wechat, response, took)
        if n:
            assert took < 0.5


def test_the_callback_answers_politely_with_the_database_refusing(redis_url, emulator, tmp_path):
    down = app_with(f"mysql+pymysql://root@127.0.0.1:{free_port()}/nowhere", redis_url, emulator, tmp_path,
                    REDIS_PREFIX=f"faults-{free_port()}:")
    wechat = WechatServer(down.test_client(), down.config)
    response, took = timed(lambda: wechat.post(wechat.text("bob", "查询时长")))
    _polite_busy(wechat, response, took)


def test_the_database_refusing_connections_writes_nothing_and_answers_503(redis_url, emulator, tmp_path):
    down = app_with(f"mysql+pymysql://root@127.0.0.1:{free_port()}/nowhere", redis_url, emulator, tmp_path,
                    REDIS_PREFIX=f"faults-{free_port()}:")
    client = down.test_client()
    for method, path, body in (("post", "/api/v1/auth/login", {"account": "someone", "password": "Passw0rd!"}),
                               ("post", "/api/v1/verification-codes", CODE_REQUEST),
                               ("get", "/api/v1/activities", None)):
        response, took = timed(lambda path=path, method=method, body=body:
                               client.open(path, method=method.upper(), json=body))
        assert took < 5, (path, took)
        assert unavailable(response), path


# --- the WeChat API ---

def fail(emulator, api, **spec):
    requests.post(emulator.url + "/__emulator__/fail", json={"api": api, **spec}, timeout=5)


@pytest.mark.parametrize("spec, status, code", [
    ({"delay": 7}, 503, "WECHAT_UNAVAILABLE"),  # timing out (the gateway gives up after 5 s)
    ({"status": 502}, 503, "WECHAT_UNAVAILABLE"),
    ({"status": 500}, 503, "WECHAT_UNAVAILABLE"),
    ({"errcode": 45009}, 503, "WECHAT_UNAVAILABLE"),  # the API's daily quota
    ({"errcode": -1}, 503, "WECHAT_UNAVAILABLE"),  # system busy
], ids=["timeout", "502", "500", "45009", "-1"])
def test_wechat_login_when_wechat_fails_is_a_clear_503(client, emulator, spec, status, code):
    fail(emulator, "jscode2session", **spec)
    response, took = timed(lambda: client.post("/api/v1/auth/wx-login", json={"code": "wx-code-1"}))
    assert (response.status_code, response.json["error"]["code"]) == (status, code), response.json
    assert took < 6.5


@pytest.mark.parametrize("spec, expected", [
    ({"delay": 7}, (502, "WECHAT_CODE_FAILED")),
    ({"status": 503}, (502, "WECHAT_CODE_FAILED")),
    ({"errcode": 45009}, (502, "WECHAT_CODE_FAILED")),
    ({"errcode": 40001, "times": 1}, (200, None)),  # a token WeChat no longer takes: fetched anew, asked again
], ids=["timeout", "503", "45009", "40001"])
def test_a_mini_program_code_when_wechat_fails(client, factories, emulator, spec, expected):
    org = factories.org()
    admin = factories.admin(org)
    activity = factories.activity(org, starts_in=-timedelta(hours=1), hours=4, enroll_open=False)
    fail(emulator, "wxacode", **spec)
    response, took = timed(lambda: client.post(f"/api/v1/admin/activities/{activity.id}/qrcode",
                                               json={"kind": "checkin", "surface": "wxacode"}, headers=bearer(admin)))
    got = (response.status_code, (response.json.get("error") or {}).get("code"))
    assert got == expected, response.json
    assert took < 6.5
