"""Recording messages in the same transaction as the change that causes them.

A service calls queue_message() before its commit; the rows commit or roll back with the
change, so a message is never lost and never sent for a change that did not happen. After the
commit a job is queued to deliver each row (app/notify/delivery.py): the job's only argument is
the row's id, so no address, number or text ever sits in Redis.

Nothing secret is stored in clear: the phone (SMS) and address (email) are encrypted, SMS carry
a template kind and its parameters, and one-time secrets (a code, a temporary password) are
encrypted in `secret_enc`, filled in at send time and erased once the message is done.

Channels per account: a template message to a subscribed service-account identity; a subscribe
message to a mini-program identity only with the user's consent for that template, which it
spends (app/notify/consent.py); an SMS when the kind has SMS text — alongside a template
message, or as the fallback of a subscribe message (sent at once without consent, or when
WeChat refuses it with 43101). A subscribe message that cannot go stays in the outbox, 'held',
for the message centre.

Every event queued here also lands in the person's inbox (app/notify/inbox.py), bound or not.
"""
import json
import logging

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from app.extensions import db, jobs
from app.models import Account, OutboxMessage, WechatIdentity
from app.notify import consent, inbox
from app.notify.delivery import deliver_message
from app.notify.sms_templates import SmsText, sms
from app.notify.templates import subscribe_template_id
from app.security import pii
from app.services.unit_of_work import after_commit
from app.timeutil import utcnow

log = logging.getLogger(__name__)
NO_CONSENT = "未获用户订阅授权：保留在消息中心"


def queue_message(*, kind, account_id, fields, dedupe_key, sms_text=None, page=None):
    """Record `kind` for every channel the account can receive; the caller commits.

    fields: the message's content as {keyword: value} (app/notify/templates.py renders it per
    channel). sms_text: the kind's SMS (an SmsText from app/notify/sms_templates.py) when it
    also goes by SMS. dedupe_key: names the event (e.g. "admission:42") so that the same event
    is never queued twice. Returns the OutboxMessage rows added.
    """
    # 消息中心 first: the notice is kept for the person whatever the channels below can do.
    inbox.deposit(kind=kind, account_id=account_id, fields=fields, page=page, dedupe_key=dedupe_key)
    account = db.session.get(Account, account_id)
    sms_message = _as_sms(sms_text)
    sms_payload = _sms_payload(sms_message) if sms_message else None
    rows = []
    template_sent = subscribe_sent = False
    identities = db.session.execute(
        db.select(WechatIdentity).filter_by(account_id=account_id)
    ).scalars().all()
    for identity in identities:
        if identity.app == "mp" and identity.subscribed:
            rows.append(_row(kind, account_id, "template", identity.openid, {"fields": fields, "page": page},
                             dedupe_key))
            template_sent = True
        elif identity.app == "miniprogram":
            payload = {"fields": fields, "page": page, "sms": sms_payload}
            row = _row(kind, account_id, "subscribe", identity.openid, payload, dedupe_key)
            if _is_new(row) and consent.spend(identity.id, subscribe_template_id(kind)):
                subscribe_sent = True
            else:
                row.status, row.last_error, row.next_attempt_at = "held", NO_CONSENT, None
            rows.append(row)
    # SMS goes beside a template message; beside a subscribe message it waits to be the fallback.
    if sms_message and account is not None and account.phone_enc and (template_sent or not subscribe_sent):
        rows.append(_sms_row(kind, account_id, account.phone_enc, sms_message, f"{dedupe_key}:sms"))
    return _add(rows)


def queue_sms(*, kind, phone_enc, text, dedupe_key, account_id=None):
    """An SMS to a number that may have no account yet (e.g. a registration code).
    text: an SmsText; its secret part is stored encrypted."""
    return _add([_sms_row(kind, account_id, phone_enc, _as_sms(text), dedupe_key)])[0]


def queue_email(*, kind, address, params, dedupe_key, secret=None, account_id=None):
    """An email (e.g. a recovery code): the address is stored encrypted, the secret too."""
    row = _row(kind, account_id, "email", pii.encrypt(address), {"mail": {"kind": kind, "params": params}},
               dedupe_key, per_channel=False)
    row.secret_enc = pii.encrypt(json.dumps(secret)) if secret else None
    return _add([row])[0]


def _as_sms(text):
    if text is None or isinstance(text, SmsText):
        return text
    return sms("text", text=str(text))  # a free text: development and tests only


def _sms_payload(message):
    return {"kind": message.kind, "params": dict(message.params)}


def _sms_row(kind, account_id, phone_enc, message, dedupe_key):
    row = _row(kind, account_id, "sms", phone_enc, {"sms": _sms_payload(message)}, dedupe_key, per_channel=False)
    row.secret_enc = pii.encrypt(json.dumps(message.secret)) if message.secret else None
    return row


def _is_new(row):
    return db.session.execute(db.select(OutboxMessage.id).filter_by(dedupe_key=row.dedupe_key)).first() is None


def _add(rows):
    added = [row for row in rows if _is_new(row)]
    for row in added:
        db.session.add(row)
    db.session.flush()
    for row in added:
        if row.status == "pending":
            after_commit(_deliver, row.id)
    return added


def _row(kind, account_id, channel, recipient, payload, dedupe_key, per_channel=True):
    return OutboxMessage(
        dedupe_key=f"{dedupe_key}:{channel}" if per_channel else dedupe_key,
        account_id=account_id,
        channel=channel,
        kind=kind,
        recipient=recipient,
        payload=payload,
        status="pending",
        next_attempt_at=utcnow(),
    )


def _deliver(message_id):
    try:
        jobs.enqueue(deliver_message, message_id)
    except (RedisConnectionError, RedisTimeoutError):
        # Redis is down for a moment (a failover): the change is committed and its row is due, so the
        # sweep (app/notify/sweeper.py) queues it once Redis answers. The request succeeded.
        log.warning("outbox %s: not queued (Redis unavailable); left to the sweep", message_id)
