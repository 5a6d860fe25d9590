"""消息中心: a person's notices (app/notify/inbox.py), newest first, with the unread count."""
from app.errors import DomainError
from app.extensions import db
from app.models import InboxMessage, OutboxMessage
from app.notify import inbox
from app.services.unit_of_work import use_case
from app.timeutil import to_iso, utcnow


def my_messages(account_id, *, unread_only=False, page=1, per_page=20):
    query = db.select(InboxMessage).where(InboxMessage.account_id == account_id)
    if unread_only:
        query = query.where(InboxMessage.read_at.is_(None))
    total = db.session.execute(db.select(db.func.count()).select_from(query.subquery())).scalar_one()
    unread = db.session.execute(db.select(db.func.count(InboxMessage.id)).where(
        InboxMessage.account_id == account_id, InboxMessage.read_at.is_(None))).scalar_one()
    rows = db.session.execute(query.order_by(InboxMessage.id.desc()).limit(per_page)
                              .offset((page - 1) * per_page)).scalars().all()
    held = _held_keys([m.dedupe_key for m in rows])
    return {"total": total, "unread_count": unread, "items": [_json(m, m.dedupe_key in held) for m in rows]}


def _held_keys(keys):
    """Events whose WeChat message is held for want of subscribe consent: the inbox is where they are read."""
    if not keys:
        return set()
    held = db.session.execute(db.select(OutboxMessage.dedupe_key).where(
        OutboxMessage.dedupe_key.in_([f"{k}:subscribe" for k in keys]), OutboxMessage.status == "held")).scalars()
    return {key.rsplit(":", 1)[0] for key in held}


def _json(message, held):
    return {"id": message.id, "kind": message.kind, "title": inbox.title_of(message.kind),
            "fields": message.fields, "lines": inbox.lines_of(message.fields), "page": message.page,
            "read": message.read_at is not None, "read_at": to_iso(message.read_at),
            "created_at": to_iso(message.created_at), "wechat_held": held}


@use_case
def mark_read(account_id, message_ids=None, now=None):
    """Marks the given messages (or, with None, every unread one) as read; → the unread count left."""
    now = now or utcnow()
    query = db.update(InboxMessage).where(InboxMessage.account_id == account_id, InboxMessage.read_at.is_(None))
    if message_ids is not None:
        ids = list(message_ids)
        owned = db.session.execute(db.select(db.func.count(InboxMessage.id)).where(
            InboxMessage.account_id == account_id, InboxMessage.id.in_(ids))).scalar_one()
        if owned != len(set(ids)):
            raise DomainError("MESSAGE_NOT_FOUND")
        query = query.where(InboxMessage.id.in_(ids))
    db.session.execute(query.values(read_at=now))
    return db.session.execute(db.select(db.func.count(InboxMessage.id)).where(
        InboxMessage.account_id == account_id, InboxMessage.read_at.is_(None))).scalar_one()
