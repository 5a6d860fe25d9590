"""What WeChat's server would never send: replays, forged safe-mode messages, hostile XML.
Each is refused with a 4xx, quickly, and the callback keeps answering afterwards."""
import time

import pytest
from wechatpy.crypto import PrpCrypto

from app.extensions import jobs
from handlers import replies
from tests.handlers.wechat_sim import sha1, xml_of

BOMB = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
                   for i in range(1, 10))
        + b"]><xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><MsgType>text</MsgType>"
          b"<Content>&lol9;</Content></xml>")
EXTERNAL = (b'<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            b"<xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><MsgType>text</MsgType>"
            b"<Content>&xxe;</Content><MsgId>1</MsgId></xml>")
EXTERNAL_DTD = (b'<?xml version="1.0"?><!DOCTYPE xml SYSTEM "http://127.0.0.1:9/evil.dtd">'
                b"<xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><MsgType>text</MsgType></xml>")
PARAMETER_ENTITY = (b'<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY % p SYSTEM "file:///etc/passwd">%p;]>'
                    b"<xml><FromUserName>b</FromUserName><MsgType>text</MsgType></xml>")
UNDECLARED_ENTITY = b"<xml><FromUserName>b</FromUserName><MsgType>text</MsgType><Content>&lol9;</Content></xml>"
HUGE = b"<xml><Content>" + b"A" * (11 * 1024 * 1024) + b"</Content></xml>"
NOT_XML = b'{"MsgType": "text", "Content": "hello"}'
GARBAGE = bytes(range(256)) * 8


def post_raw(wechat, body, nonce):
    timestamp = str(int(time.time()))
    return wechat.client.post("/wechat/callback", query_string=wechat.query(timestamp, nonce), data=body,
                              content_type="text/xml")


@pytest.mark.parametrize("name, body, status", [
    ("entity bomb", BOMB, 400), ("external entity", EXTERNAL, 400), ("11 MB", HUGE, 413),
    ("external DTD", EXTERNAL_DTD, 400), ("parameter entity", PARAMETER_ENTITY, 400),
    ("undeclared entity", UNDECLARED_ENTITY, 400),
    ("not XML", NOT_XML, 400), ("binary garbage", GARBAGE, 400), ("empty", b"", 400),
    ("no MsgType", b"<xml><FromUserName>x</FromUserName></xml>", 400),
    ("wrong root", b"<msg><MsgType>text</MsgType></msg>", 400),
])
def test_hostile_bodies_are_refused_fast_and_the_service_keeps_answering(plain_wechat, name, body, status):
    started = time.monotonic()
    response = post_raw(plain_wechat, body, f"hostile-{name}")
    assert time.monotonic() - started < 1.0
    assert response.status_code == status
    assert plain_wechat.say(plain_wechat.text("val", "帮助"))["Content"] == replies.HELP


@pytest.mark.parametrize("body", [BOMB, EXTERNAL, NOT_XML])
def test_hostile_xml_inside_a_validly_encrypted_message_is_refused(safe_wechat, body):
    encrypt = PrpCrypto(safe_wechat.crypto.key).encrypt(body.decode(), safe_wechat.appid).decode()
    timestamp, nonce = str(int(time.time())), "enc-hostile"
    envelope = xml_of({"ToUserName": "gh", "Encrypt": encrypt}).encode()
    started = time.monotonic()
    response = safe_wechat.client.post("/wechat/callback",
                                       query_string=safe_wechat.query(timestamp, nonce, encrypt),
                                       data=envelope)
    assert time.monotonic() - started < 1.0
    assert response.status_code == 400


def test_a_stale_timestamp_is_refused(plain_wechat):
    response = plain_wechat.post(plain_wechat.text("wes", "帮助"), timestamp=int(time.time()) - 301)
    assert response.status_code == 403
    response = plain_wechat.post(plain_wechat.text("wes", "帮助"), timestamp=int(time.time()) + 400)
    assert response.status_code == 403


def test_a_bad_signature_is_refused(plain_wechat):
    query, body = plain_wechat.envelope(plain_wechat.text("xia", "帮助"), str(int(time.time())), "n-bad")
    query["signature"] = sha1("not-the-token", query["timestamp"], query["nonce"])
    assert plain_wechat.client.post("/wechat/callback", query_string=query, data=body).status_code == 403


def test_safe_mode_checks_msg_signature_not_only_signature(safe_wechat):
    """A valid URL signature with another message's Encrypt is a forgery."""
    timestamp, nonce = str(int(time.time())), "n-forge"
    query, _ = safe_wechat.envelope(safe_wechat.text("yan", "帮助"), timestamp, nonce)
    _, other_body = safe_wechat.envelope(safe_wechat.text("yan", "人工客服"), timestamp, "other")
    response = safe_wechat.client.post("/wechat/callback", query_string=query, data=other_body)
    assert response.status_code == 403
    del query["msg_signature"]
    response = safe_wechat.client.post("/wechat/callback", query_string=query, data=other_body)
    assert response.status_code == 403


def test_safe_mode_refuses_a_plain_post(safe_wechat, plain_wechat):
    query, body = plain_wechat.envelope(plain_wechat.text("zed", "帮助"), str(int(time.time())), "n-plain")
    assert safe_wechat.client.post("/wechat/callback", query_string=query, data=body).status_code == 400


def test_safe_mode_refuses_an_encrypt_element_that_does_not_decrypt(safe_wechat):
    timestamp, nonce, encrypt = str(int(time.time())), "n-junk", "bm90IGEgY2lwaGVydGV4dA=="
    body = xml_of({"ToUserName": "gh", "Encrypt": encrypt}).encode()
    response = safe_wechat.client.post("/wechat/callback",
                                       query_string=safe_wechat.query(timestamp, nonce, encrypt),
                                       data=body)
    assert response.status_code == 400


def test_a_replayed_nonce_with_another_message_is_refused(wechat):
    first = wechat.post(wechat.text("amy", "帮助"), nonce="same-nonce")
    assert first.status_code == 200
    replay = wechat.post(wechat.text("amy", "人工客服"), nonce="same-nonce")
    assert replay.status_code == 403


def test_a_replayed_nonce_is_refused_whichever_message_came_first(wechat):
    """Help changes nothing and is not claimed against retries, but its nonce is remembered."""
    assert wechat.post(wechat.text("amy", "活动"), nonce="nonce-a").status_code == 200
    assert wechat.post(wechat.text("amy", "帮助"), nonce="nonce-a").status_code == 403


def test_repeats_of_a_message_that_changes_nothing_are_answered_again_identically(wechat):
    """WeChat's retries of a help request (new nonces, some in parallel): every delivery gets
    exactly the same reply, and nothing is kept for them in Redis beyond the nonces."""
    from app.extensions import redis_store

    app = wechat.client.application
    message = wechat.text("hal", "帮助")
    answers = wechat.say_in_parallel(message, 4, "help")
    answers.append(wechat.say(message, nonce="help-later"))
    assert len(answers) == 5 and all(a == answers[0] for a in answers)
    assert answers[0]["Content"] == replies.HELP
    with app.app_context():
        assert not list(redis_store.client.scan_iter(match=redis_store.key("wx-dedupe", "*")))


def test_a_retry_with_the_same_nonce_answers_the_same(wechat, app):
    message = wechat.text("ben", "活动")
    first = wechat.say(message, nonce="retry-nonce")
    again = wechat.say(message, nonce="retry-nonce")
    assert first == again


def test_a_repeated_delivery_in_parallel_takes_effect_once(wechat, factories, run_jobs, emulator):
    """WeChat's retries of one message (new nonces, as after a timeout), all at once: one job,
    one customer-service message, and every delivery gets the same answer."""
    org = factories.org()
    volunteer = factories.volunteer(org)
    from app.services import wechat_identity
    wechat_identity.bind("mp", wechat.openid("cid"), volunteer.account_id)
    message = wechat.text("cid", "活动")
    answers = wechat.say_in_parallel(message, 8, "parallel")
    assert len(answers) == 8
    assert all(a == answers[0] for a in answers)
    assert answers[0]["Content"] == replies.ACTIVITIES_QUEUED
    assert jobs.queue.count == 1
    run_jobs()
    assert len([m for m in emulator.state.sent if m["channel"] == "custom"]) == 1


def test_a_repeated_subscribe_event_in_parallel_takes_effect_once(wechat):
    event = wechat.event("dee", "subscribe", create_time=int(time.time()))
    answers = wechat.say_in_parallel(event, 6, "sub")
    assert len(answers) == 6 and all(a == answers[0] for a in answers)
    assert jobs.queue.count == 1  # one unionid look-up: the event was handled once


def test_a_failing_handler_is_answered_politely_and_its_retry_runs_again(plain_wechat, monkeypatch):
    from handlers import routes

    calls = []

    def broken(msg):
        calls.append(msg.openid)
        raise RuntimeError("database went away")

    monkeypatch.setitem(routes.ROUTES, ("event", "click"), broken)
    event = plain_wechat.event("fin", "CLICK", EventKey="HELP")
    assert plain_wechat.say(event, nonce="fail-1")["Content"] == replies.BUSY
    monkeypatch.setitem(routes.ROUTES, ("event", "click"), routes.on_click)
    # WeChat's retry of the same event is handled afresh (the claim was released)
    assert plain_wechat.say(event, nonce="fail-2")["Content"] == replies.HELP
    assert len(calls) == 1


def test_the_guard_survives_a_dropped_redis_connection(plain_wechat):
    import socket

    from handlers.callback import _parts

    assert plain_wechat.say(plain_wechat.text("gil", "帮助"))["Content"] == replies.HELP
    with plain_wechat.client.application.app_context():
        guard = _parts()[1]
    guard._local.conn._sock.shutdown(socket.SHUT_RDWR)  # as when Redis restarts
    assert plain_wechat.say(plain_wechat.text("gil", "帮助"))["Content"] == replies.HELP


def test_a_signed_callback_nested_3000_deep_is_refused_cleanly(client, plain_wechat):
    body = "<xml>" + "<a>" * 3000 + "x" + "</a>" * 3000 + "</xml>"
    query = plain_wechat.query(str(int(time.time())), "deep1")
    response = client.post("/wechat/callback", query_string=query, data=body.encode(),
                           content_type="text/xml")
    assert response.status_code == 400
    assert b"nested too deeply" in response.data
