"""The job queue runs work outside the request; the WeChat gateway shares one token."""
import threading

import requests

from app.extensions import jobs, redis_store
from app.wechat.gateway import Gateway, WechatApiError


def remember(key, value):
    """A job: proves it ran in a worker with the app context."""
    redis_store.client.set(redis_store.key("job-test", key), value)


def test_a_queued_job_runs_in_the_worker(app, run_jobs):
    jobs.enqueue(remember, "k", "ran")
    assert redis_store.client.get(redis_store.key("job-test", "k")) is None
    run_jobs()
    assert redis_store.client.get(redis_store.key("job-test", "k")) == b"ran"


def test_template_message_reaches_the_emulator_over_http(app, emulator):
    gateway = Gateway(app.config, redis_store.client, redis_store.prefix)
    msgid = gateway.send_template("openid-1", "TPL_REVIEW", {"thing1": {"value": "通过"}})
    sent = requests.get(emulator.url + "/__emulator__/sent", timeout=5).json()
    assert sent[-1]["touser"] == "openid-1"
    assert sent[-1]["msgid"] == msgid


def test_many_processes_share_one_token_fetch(app, emulator):
    """Eight gateways (as eight workers would) racing for a token cause exactly one fetch."""
    barrier = threading.Barrier(8)
    errors = []

    def worker():
        with app.app_context():
            gateway = Gateway(app.config, redis_store.client, redis_store.prefix)
            barrier.wait()
            try:
                gateway.send_template("openid-x", "TPL", {"thing1": {"value": "x"}})
            except Exception as exc:  # collected and asserted below
                errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    fetches = [f for f in emulator.state.token_fetches if f["appid"] == app.config["WECHAT_APPID"]]
    assert len(fetches) == 1
    assert len(emulator.state.sent) == 8


def test_a_wechat_error_surfaces_with_its_errcode(app, emulator):
    requests.post(emulator.url + "/__emulator__/fail", json={"api": "template_send", "errcode": 43101}, timeout=5)
    gateway = Gateway(app.config, redis_store.client, redis_store.prefix)
    try:
        gateway.send_template("openid-1", "TPL", {"thing1": {"value": "x"}})
    except WechatApiError as exc:
        assert exc.errcode == 43101
    else:
        raise AssertionError("expected WechatApiError")


def test_code2session_is_single_use(app):
    gateway = Gateway(app.config, redis_store.client, redis_store.prefix)
    first = gateway.code_to_session("user:alice:1")
    assert first["openid"].startswith("o")
    try:
        gateway.code_to_session("user:alice:1")
    except WechatApiError as exc:
        assert exc.errcode == 40163
    else:
        raise AssertionError("a wx.login code must work once")
