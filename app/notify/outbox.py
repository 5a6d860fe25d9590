"""Recording messages in the same transaction as the change that causes them.

A service calls queue_message() before its commit; the rows commit or roll back with the
change, so a message is never lost and never sent for a change that did not happen. After the
commit a job is queued to deliver each row (app/notify/delivery.py).
"""
from app.extensions import db, jobs
from app.models import Account, OutboxMessage, WechatIdentity
from app.notify.delivery import deliver_message
from app.services.unit_of_work import after_commit
from app.timeutil import utcnow


def queue_message(*, kind, account_id, fields, dedupe_key, sms_text=None, page=None):
    """Record `kind` for every channel the account can receive; the caller commits.

    fields: the message's content as {keyword: value} (app/notify/templates.py renders it per
    channel). sms_text: the SMS body when this kind also goes by SMS. dedupe_key: names the
    event (e.g. "admission:42") so that the same event is never queued twice.
    Returns the OutboxMessage rows added.
    """
    account = db.session.get(Account, account_id)
    rows = []
    identities = db.session.execute(
        db.select(WechatIdentity).filter_by(account_id=account_id)
    ).scalars().all()
    for identity in identities:
        if identity.app == "mp" and identity.subscribed:
            rows.append(_row(kind, account_id, "template", identity.openid, fields, dedupe_key, page))
        elif identity.app == "miniprogram":
            rows.append(_row(kind, account_id, "subscribe", identity.openid, fields, dedupe_key, page))
    if sms_text and account is not None and account.phone_enc:
        rows.append(_row(kind, account_id, "sms", account.phone_enc, {"text": sms_text}, dedupe_key, None))
    for row in rows:
        exists = db.session.execute(
            db.select(OutboxMessage.id).filter_by(dedupe_key=row.dedupe_key)
        ).first()
        if exists is None:
            db.session.add(row)
    db.session.flush()
    for row in rows:
        if row.id is not None:
            after_commit(_deliver, row.id)
    return rows


def queue_sms(*, kind, phone_enc, text, dedupe_key, account_id=None):
    """An SMS to a number that may have no account yet (e.g. a registration code)."""
    row = _row(kind, account_id, "sms", phone_enc, {"text": text}, dedupe_key, None, per_channel=False)
    db.session.add(row)
    db.session.flush()
    after_commit(_deliver, row.id)
    return row


def _row(kind, account_id, channel, recipient, fields, dedupe_key, page, per_channel=True):
    return OutboxMessage(
        dedupe_key=f"{dedupe_key}:{channel}" if per_channel else dedupe_key,
        account_id=account_id,
        channel=channel,
        kind=kind,
        recipient=recipient,
        payload={"fields": fields, "page": page},
        status="pending",
        next_attempt_at=utcnow(),
    )


def _deliver(message_id):
    jobs.enqueue(deliver_message, message_id)
