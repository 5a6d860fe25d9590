"""Delivering outbox rows: one job per message, run by the worker."""
from app.extensions import db
from app.models import OutboxMessage
from app.notify import sms
from app.notify.templates import render
from app.timeutil import utcnow
from app.wechat.gateway import WechatApiError, get_gateway

# WeChat answers that will never succeed on retry: give up with the reason.
FINAL_ERRCODES = {43101: "用户未订阅或拒收", 43004: "用户未关注", 40003: "openid 无效", 40037: "模板 ID 无效"}


def deliver_message(message_id):
    """Send one message if it is still pending; record the outcome."""
    claimed = db.session.execute(
        db.update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status.in_(("pending", "failed")))
        .values(status="sending", attempts=OutboxMessage.attempts + 1)
    ).rowcount
    db.session.commit()
    if not claimed:
        return "not pending"
    message = db.session.get(OutboxMessage, message_id)
    try:
        msgid = send(message)
    except WechatApiError as exc:
        message.last_error = f"{exc.errcode}: {exc.errmsg}"[:255]
        message.status = "given_up" if exc.errcode in FINAL_ERRCODES else "failed"
        db.session.commit()
        return message.status
    message.status = "sent"
    message.sent_at = utcnow()
    message.wechat_msgid = str(msgid) if msgid is not None else None
    db.session.commit()
    return "sent"


def send(message):
    if message.channel == "sms":
        return sms.get_sms_gateway().send(message.recipient, message.payload["fields"]["text"])
    rendered = render(message.kind, message.channel, message.payload["fields"])
    if message.channel == "template":
        return get_gateway().send_template(message.recipient, rendered["template_id"], rendered["data"],
                                           url=rendered.get("url"))
    if message.channel == "subscribe":
        result = get_gateway().send_subscribe(message.recipient, rendered["template_id"], rendered["data"],
                                              page=message.payload.get("page"))
        return result.get("msgid")
    raise ValueError(f"unknown channel {message.channel}")


def mark_template_result(msgid, status_text):
    """TEMPLATESENDJOBFINISH: WeChat tells whether a template message reached the user.

    status_text: "success", "failed:user block" or "failed: system failed". Returns the row
    updated, or None for a msgid we never sent.
    """
    message = db.session.execute(
        db.select(OutboxMessage).filter_by(wechat_msgid=str(msgid), channel="template")
    ).scalar_one_or_none()
    if message is None:
        return None
    if status_text == "success":
        message.status = "delivered"
        message.delivered_at = utcnow()
    else:
        message.status = "given_up"
        message.last_error = status_text[:255]
    db.session.commit()
    return message
