"""A message is recorded with the change and delivered by the worker after the commit."""
from app.extensions import db
from app.models import OutboxMessage, WechatIdentity
from app.notify.outbox import queue_message


def test_queued_message_is_delivered_by_the_worker_after_commit(factories, emulator, run_jobs):
    volunteer = factories.volunteer(factories.org())
    db.session.add(WechatIdentity(app="mp", openid="o-mp-1", account_id=volunteer.account_id, subscribed=True))
    db.session.commit()

    queue_message(kind="review_result", account_id=volunteer.account_id, dedupe_key="review:1",
                  fields={"name": "张三", "result": "通过", "reason": ""}, sms_text="【i志愿】您的实名审核已通过。")
    db.session.commit()
    run_jobs()

    sent = emulator.state.sent
    assert {m["channel"] for m in sent} == {"template", "sms"}
    template = next(m for m in sent if m["channel"] == "template")
    assert template["touser"] == "o-mp-1"
    assert template["data"]["keyword2"] == {"value": "通过"}
    assert "first" not in template["data"] and "remark" not in template["data"]
    sms = next(m for m in sent if m["channel"] == "sms")
    assert sms["phone"] == volunteer.account.phone
    statuses = {m.channel: m.status for m in db.session.execute(db.select(OutboxMessage)).scalars()}
    assert statuses == {"template": "sent", "sms": "sent"}


def test_a_rolled_back_change_sends_nothing(factories, emulator, run_jobs):
    volunteer = factories.volunteer(factories.org())
    queue_message(kind="review_result", account_id=volunteer.account_id, dedupe_key="review:2",
                  fields={"name": "x", "result": "通过"}, sms_text="text")
    db.session.rollback()
    run_jobs()
    assert emulator.state.sent == []
    assert db.session.execute(db.select(OutboxMessage)).first() is None


def test_a_user_who_refused_is_given_up_not_retried(factories, emulator, run_jobs):
    import requests

    volunteer = factories.volunteer(factories.org())
    db.session.add(WechatIdentity(app="mp", openid="o-mp-2", account_id=volunteer.account_id, subscribed=True))
    db.session.commit()
    requests.post(emulator.url + "/__emulator__/fail", json={"api": "template_send", "errcode": 43101}, timeout=5)
    queue_message(kind="review_result", account_id=volunteer.account_id, dedupe_key="review:3",
                  fields={"name": "x", "result": "通过"})
    db.session.commit()
    run_jobs()
    message = db.session.execute(db.select(OutboxMessage)).scalar_one()
    assert message.status == "given_up"
    assert message.last_error.startswith("43101")

