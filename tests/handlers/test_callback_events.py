"""Every message and event the service account receives, in plain and in safe mode, sent as
WeChat sends them; replies are read back (decrypted and their signature checked in safe mode)."""
import time

import pytest

from app.extensions import db, redis_store
from app.models import OutboxMessage, WechatIdentity
from app.services import wechat_identity
from handlers import replies


def identity(openid):
    db.session.commit()  # a new transaction: MariaDB (REPEATABLE READ) shows other commits
    query = db.select(WechatIdentity).filter_by(app="mp", openid=openid)
    return db.session.execute(query).scalar_one_or_none()


def bind(wechat, user, account):
    openid = wechat.openid(user)
    wechat_identity.bind("mp", openid, account.id)
    wechat_identity.record_subscription(openid, True)
    return openid


def test_subscribe_creates_a_subscribed_identity_and_tells_an_unbound_user_how_to_bind(wechat, run_jobs):
    reply = wechat.say(wechat.event("ann", "subscribe"))
    assert reply["MsgType"] == "text"
    assert reply["ToUserName"] == wechat.openid("ann")
    assert replies.WELCOME in reply["Content"]
    assert "/h5/bind/" in reply["Content"]
    row = identity(wechat.openid("ann"))
    assert row.subscribed is True and row.account_id is None
    # a job asked WeChat for the unionid (user/info), which links the mini-program identity
    run_jobs()
    assert identity(wechat.openid("ann")).unionid is not None


def test_subscribe_through_a_parametric_qr_code_with_a_plain_scene(wechat):
    reply = wechat.say(wechat.event("bob", "subscribe", EventKey="qrscene_poster-2026",
                                    Ticket="gQH47joAAAAAAAAAASxod"))
    assert replies.WELCOME in reply["Content"]
    assert identity(wechat.openid("bob")).subscribed is True


def test_a_bound_follower_is_welcomed_without_a_binding_hint(wechat, factories):
    org = factories.org()
    volunteer = factories.volunteer(org)
    openid = bind(wechat, "cat", volunteer.account)
    wechat.say(wechat.event("cat", "unsubscribe"))
    reply = wechat.say(wechat.event("cat", "subscribe"))
    assert reply["Content"] == replies.WELCOME
    assert identity(openid).account_id == volunteer.account_id


def test_unsubscribe_stops_template_messages(wechat, factories):
    from app.notify.outbox import queue_message

    volunteer = factories.volunteer(factories.org())
    openid = bind(wechat, "dan", volunteer.account)
    assert wechat.say(wechat.event("dan", "unsubscribe")) == {}
    assert identity(openid).subscribed is False
    queue_message(kind="review_result", account_id=volunteer.account_id, fields={"name": "x"},
                  dedupe_key="t:unsub")
    db.session.commit()
    channels = {m.channel for m in db.session.execute(db.select(OutboxMessage)).scalars()}
    assert "template" not in channels


def test_scan_of_a_non_clock_scene_welcomes_back(wechat):
    reply = wechat.say(wechat.event("eve", "SCAN", EventKey="poster-2026", Ticket="t"))
    assert reply["Content"] == replies.SCAN_WELCOME_BACK


@pytest.mark.parametrize("event", ["scancode_push", "scancode_waitmsg"])
def test_scancode_events_answer_with_what_was_scanned(wechat, event):
    reply = wechat.say(wechat.event("fay", event, EventKey="SCAN_CLOCK",
                                    ScanCodeInfo={"ScanType": "qrcode",
                                                  "ScanResult": "https://example.org/x"}))
    assert reply["Content"] == replies.SCANCODE_RESULT.format(text="https://example.org/x")


def test_a_scanned_text_that_looks_like_markup_comes_back_intact(wechat):
    """The reply quotes what was scanned; "]]>" in it must not end the reply's CDATA early."""
    scanned = "]]><xml>&amp; 码"
    reply = wechat.say(wechat.event("fay", "scancode_waitmsg", EventKey="SCAN_CLOCK",
                                    ScanCodeInfo={"ScanType": "qrcode", "ScanResult": scanned}))
    assert reply["Content"] == replies.SCANCODE_RESULT.format(text=scanned)


def test_click_my_hours_shows_hours_and_stars(wechat, factories):
    volunteer = factories.volunteer(factories.org(), real_name="周慧敏")
    volunteer.total_minutes = 320 * 60 + 15
    db.session.commit()
    bind(wechat, "gus", volunteer.account)
    reply = wechat.say(wechat.event("gus", "CLICK", EventKey="MY_HOURS"))
    assert "320 小时 15 分钟" in reply["Content"]
    assert "二星" in reply["Content"]
    assert "三星" in reply["Content"]  # how far to the next level


def test_click_unknown_key_and_help(wechat):
    assert wechat.say(wechat.event("hal", "CLICK", EventKey="NOPE"))["Content"] == replies.HELP
    assert wechat.say(wechat.event("hal", "CLICK", EventKey="HELP"))["Content"] == replies.HELP


def test_click_customer_service_transfers(wechat):
    reply = wechat.say(wechat.event("ida", "CLICK", EventKey="CUSTOMER_SERVICE"))
    assert reply["MsgType"] == "transfer_customer_service"


def test_view_gets_no_reply(wechat):
    assert wechat.say(wechat.event("jon", "VIEW", EventKey="http://127.0.0.1/h5/")) == {}


def test_location_event_is_remembered_briefly(wechat):
    assert wechat.say(wechat.event("kim", "LOCATION", Latitude="23.1291", Longitude="113.2644",
                                   Precision="30.0")) == {}
    with wechat.client.application.app_context():
        assert wechat_identity.latest_location(wechat.openid("kim")) == (23.1291, 113.2644)
        ttl = redis_store.client.ttl(redis_store.key("wx-location", wechat.openid("kim")))
    assert 0 < ttl <= 300


def test_location_message_is_remembered_and_acknowledged(wechat):
    message = {**wechat.base("lea", "location"), "Location_X": "23.1", "Location_Y": "113.3",
               "Scale": 15, "Label": "广州", "MsgId": int(time.time() * 1000) + 7}
    assert wechat.say(message)["Content"] == replies.LOCATION_NOTED


def test_template_send_job_finish_records_delivery(wechat, factories):
    volunteer = factories.volunteer(factories.org())
    row = OutboxMessage(dedupe_key="t:finish", account_id=volunteer.account_id, channel="template",
                        kind="review_result", recipient="o1", payload={}, status="sent",
                        wechat_msgid="424242")
    db.session.add(row)
    db.session.commit()
    assert wechat.say(wechat.event("max", "TEMPLATESENDJOBFINISH", MsgID=424242, Status="success")) == {}
    db.session.commit()  # a new transaction: MariaDB (REPEATABLE READ) shows other commits
    assert db.session.get(OutboxMessage, row.id).status == "delivered"


def test_text_hours_keyword_for_an_unbound_user_points_to_binding(wechat):
    reply = wechat.say(wechat.text("ned", "时长"))
    assert "/h5/bind/" in reply["Content"]


def test_text_bind_keyword_sends_the_binding_link(wechat):
    reply = wechat.say(wechat.text("ola", "绑定"))
    assert reply["Content"].startswith("点击绑定")
    assert "/h5/bind/" in reply["Content"]


def test_text_customer_service_keyword_transfers(wechat):
    assert wechat.say(wechat.text("pia", "人工客服"))["MsgType"] == "transfer_customer_service"


def test_text_activities_answers_at_once_and_sends_the_list_later(wechat, factories, run_jobs, emulator):
    org = factories.org()
    volunteer = factories.volunteer(org)
    factories.enroll(factories.activity(org, title="海珠湿地清洁"), volunteer)
    openid = bind(wechat, "quinn", volunteer.account)
    assert wechat.say(wechat.text("quinn", "活动"))["Content"] == replies.ACTIVITIES_QUEUED
    run_jobs()
    custom = [m for m in emulator.state.sent if m["channel"] == "custom"]
    assert custom[-1]["touser"] == openid
    assert "海珠湿地清洁" in custom[-1]["text"]["content"]
    assert "已录用" in custom[-1]["text"]["content"]


def test_other_text_gets_the_default_reply(wechat):
    reply = wechat.say(wechat.text("ray", "你好"))
    assert reply["Content"].startswith(replies.HELP)


@pytest.mark.parametrize("msg_type", ["image", "voice", "video", "shortvideo", "link", "hologram"])
def test_unknown_types_are_answered_politely(wechat, msg_type):
    message = {**wechat.base("sue", msg_type), "MediaId": "m1", "MsgId": int(time.time() * 1000)}
    assert wechat.say(message)["Content"] == replies.UNSUPPORTED


def test_unknown_event_is_answered_politely(wechat):
    assert wechat.say(wechat.event("tom", "user_get_card", CardId="c"))["Content"] == replies.UNSUPPORTED


def test_compatible_mode_reads_only_the_encrypted_copy(safe_wechat):
    """Compatible mode sends a plaintext copy beside Encrypt; only Encrypt is authenticated."""
    message = safe_wechat.text("uma", "人工客服")
    plain_part, encrypted_part = dict(message, Content="时长"), message
    timestamp, nonce = str(int(time.time())), "compat1"
    query, body = safe_wechat.envelope(encrypted_part, timestamp, nonce, compatible=False)
    body = body.replace(b"</xml>", f"<Content><![CDATA[{plain_part['Content']}]]></Content></xml>".encode())
    response = safe_wechat.client.post("/wechat/callback", query_string=query, data=body)
    assert safe_wechat.reply(response)["MsgType"] == "transfer_customer_service"
    # the same through the helper's compatible envelope
    assert safe_wechat.say(safe_wechat.text("uma", "人工客服"), compatible=True)["MsgType"] == \
        "transfer_customer_service"


def test_the_service_check_answers_echostr(client, plain_wechat):
    query = plain_wechat.query(str(int(time.time())), "n1")
    answer = client.get("/wechat/callback", query_string={**query, "echostr": "e123"})
    assert (answer.status_code, answer.data, answer.mimetype) == (200, b"e123", "text/plain")
    query["signature"] = "0" * 40
    assert client.get("/wechat/callback", query_string={**query, "echostr": "e123"}).status_code == 403


def test_the_service_check_keeps_the_five_minute_window(client, plain_wechat):
    """A signed check replayed later (or signed for later) is refused like an old POST."""
    for timestamp in (int(time.time()) - 301, int(time.time()) + 301, 1700000000):
        query = plain_wechat.query(str(timestamp), "n1")
        assert client.get("/wechat/callback", query_string={**query, "echostr": "e123"}).status_code == 403


def test_the_service_check_never_answers_echostr_as_a_page(client, plain_wechat):
    query = plain_wechat.query(str(int(time.time())), "n1")
    echo = "<script>alert(1)</script>"
    answer = client.get("/wechat/callback", query_string={**query, "echostr": echo})
    assert answer.data.decode() == echo
    assert answer.mimetype == "text/plain"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
