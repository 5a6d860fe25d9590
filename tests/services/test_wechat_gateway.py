"""The WeChat gateway against the emulator over HTTP: one token fetch per expiry across
processes, no 40001 loop, JS-SDK ticket and signature, customer-service messages, OAuth."""
import hashlib
import json
import multiprocessing
from urllib.parse import parse_qs, urlparse

import pytest
import requests

from app.extensions import redis_store
from app.wechat.gateway import Gateway, WechatApiError
from tests.services.token_race_child import send_in_a_process

PROCESSES = 4


def gateway_config(app):
    keys = ("WECHAT_API_BASE", "WECHAT_OPEN_BASE", "WECHAT_APPID", "WECHAT_SECRET", "MINIPROGRAM_APPID",
            "MINIPROGRAM_SECRET")
    return {k: app.config[k] for k in keys}


def token_key(app):
    return redis_store.prefix + f"wechat:{app.config['WECHAT_APPID']}_access_token"


def test_processes_racing_after_each_expiry_cause_one_fetch_each_and_no_40001_loop(app, emulator, redis_url):
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(PROCESSES + 1)
    results = context.Queue()
    # A token that WeChat no longer accepts (as after another service rotated it): 40001.
    # JSON-encoded, as wechatpy's RedisStorage stores it
    redis_store.client.set(token_key(app), json.dumps("STALE_TOKEN_FROM_BEFORE"), ex=3600)
    processes = [context.Process(target=send_in_a_process,
                                 args=(gateway_config(app), redis_url, redis_store.prefix, barrier,
                                       results, 2))
                 for _ in range(PROCESSES)]
    for p in processes:
        p.start()
    try:
        barrier.wait(timeout=120)  # round 1 starts (stale token)
        barrier.wait(timeout=60)  # round 1 done
        fetches_after_round_1 = len(emulator.state.token_fetches)
        requests.post(emulator.url + "/__emulator__/expire-tokens", timeout=5)  # 42001 from now on
        barrier.wait(timeout=60)  # round 2 starts
        barrier.wait(timeout=60)  # round 2 done
    finally:
        for p in processes:
            p.join(timeout=60)
    outcomes = [results.get(timeout=5) for _ in range(2 * PROCESSES)]
    assert outcomes == ["ok"] * (2 * PROCESSES)
    mp_fetches = [f for f in emulator.state.token_fetches if f["appid"] == app.config["WECHAT_APPID"]]
    assert fetches_after_round_1 == 1
    assert len(mp_fetches) == 2  # one per expiry
    sends = [r for r in emulator.state.requests if r["path"] == "/cgi-bin/message/template/send"]
    # each process: at most one refused attempt per expiry, then its message
    assert len(sends) <= 2 * 2 * PROCESSES
    assert len(emulator.state.sent) == 2 * PROCESSES


def test_a_token_that_keeps_failing_is_not_retried_forever(app, emulator):
    gateway = Gateway(app.config, redis_store.client, redis_store.prefix)
    requests.post(emulator.url + "/__emulator__/fail",
                  json={"api": "template_send", "errcode": 40001, "times": 50}, timeout=5)
    with pytest.raises(WechatApiError) as caught:
        gateway.send_template("o1", "TPL", {"thing1": {"value": "x"}})
    assert caught.value.errcode == 40001
    sends = [r for r in emulator.state.requests if r["path"] == "/cgi-bin/message/template/send"]
    assert len(sends) == 2  # the request and one retry with a fresh token


def test_a_late_40001_does_not_throw_away_a_fresh_token(app, emulator):
    gateway = Gateway(app.config, redis_store.client, redis_store.prefix)
    fresh = gateway.mp.access_token
    assert gateway.mp.invalidate_token("SOME_OLDER_TOKEN") is False
    assert gateway.mp.access_token == fresh
    assert gateway.mp.invalidate_token(fresh) is True


def test_quota_and_server_errors_surface_without_a_token_refresh(app, emulator):
    gateway = Gateway(app.config, redis_store.client, redis_store.prefix)
    requests.post(emulator.url + "/__emulator__/fail", json={"api": "custom_send", "errcode": 45009},
                  timeout=5)
    with pytest.raises(WechatApiError) as caught:
        gateway.send_custom_text("o1", "hi")
    assert caught.value.errcode == 45009
    requests.post(emulator.url + "/__emulator__/fail", json={"api": "custom_send", "status": 503}, timeout=5)
    with pytest.raises(WechatApiError):
        gateway.send_custom_text("o1", "hi")
    assert len(emulator.state.token_fetches) == 1
    gateway.send_custom_text("o1", "你好")
    assert emulator.state.sent[-1]["text"] == {"content": "你好"}
    assert emulator.state.sent[-1]["msgtype"] == "text"


def test_a_timeout_surfaces_as_a_transient_error(app, emulator):
    gateway = Gateway(app.config, redis_store.client, redis_store.prefix)
    gateway.mp.timeout = 0.5
    requests.post(emulator.url + "/__emulator__/fail", json={"api": "custom_send", "delay": 1.5}, timeout=5)
    with pytest.raises(WechatApiError) as caught:
        gateway.send_custom_text("o1", "hi")
    assert caught.value.errcode is None


def test_jsapi_ticket_is_shared_and_the_signature_is_wechats(app, emulator):
    first = Gateway(app.config, redis_store.client, redis_store.prefix)
    second = Gateway(app.config, redis_store.client, redis_store.prefix)
    signed = first.jsapi_signature("http://127.0.0.1:8000/h5/scan?x=1#part")
    second.jsapi_signature("http://127.0.0.1:8000/h5/other")
    assert len(emulator.state.ticket_fetches) == 1
    ticket = next(iter(emulator.state.tickets))
    plain = (f"jsapi_ticket={ticket}&noncestr={signed['nonceStr']}&timestamp={signed['timestamp']}"
             f"&url=http://127.0.0.1:8000/h5/scan?x=1")
    assert signed["signature"] == hashlib.sha1(plain.encode()).hexdigest()
    assert signed["appId"] == app.config["WECHAT_APPID"]


def test_oauth_authorize_redirects_back_with_a_single_use_code(app, emulator):
    gateway = Gateway(app.config, redis_store.client, redis_store.prefix)
    url = gateway.oauth_authorize_url("http://127.0.0.1:8000/h5/bind/", state="s1")
    assert "scope=snsapi_base" in url and url.endswith("#wechat_redirect")
    response = requests.get(url.split("#")[0] + "&emulator_user=olga", allow_redirects=False, timeout=5)
    assert response.status_code == 302
    back = parse_qs(urlparse(response.headers["Location"]).query)
    assert back["state"] == ["s1"]
    result = gateway.oauth_exchange(back["code"][0])
    from scripts.emulator import openid_for
    assert result["openid"] == openid_for(app.config["WECHAT_APPID"], "olga")
    assert "unionid" not in result  # snsapi_base does not return it
    with pytest.raises(WechatApiError) as caught:
        gateway.oauth_exchange(back["code"][0])
    assert caught.value.errcode == 40163


def test_the_menu_command_pushes_the_menu_in_the_repository(app, emulator):
    from handlers.menu import MENU, menu_problems

    assert menu_problems(MENU) == []
    result = app.test_cli_runner().invoke(args=["wechat", "push-menu"])
    assert result.exit_code == 0, result.output
    pushed = emulator.state.menu
    names = [b["name"] for b in pushed["button"]]
    assert names == ["做志愿", "我的", "服务"]
    mine = pushed["button"][1]["sub_button"]
    assert {"type": "scancode_waitmsg", "name": "扫码计时", "key": "SCAN_CLOCK"} in mine
    assert pushed["button"][0]["url"] == app.config["PUBLIC_BASE_URL"] + "/h5/"
