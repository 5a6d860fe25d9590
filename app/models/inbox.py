"""消息中心: every notice sent to a person, kept for them to read in the mini-program."""
from app.extensions import db
from app.models.base import created_column, fk, id_column


class InboxMessage(db.Model):
    """Written by app/notify/outbox.py queue_message in the same transaction as the notice itself,
    once per event whatever the channels (none, when the person is not bound to WeChat)."""

    __tablename__ = "inbox_messages"
    __table_args__ = (db.Index("ix_inbox_account_read", "account_id", "read_at", "id"),)

    id = id_column()
    account_id = fk("accounts.id", nullable=False)
    dedupe_key = db.Column(db.String(120), nullable=False, unique=True)  # the outbox's event key
    kind = db.Column(db.String(40), nullable=False)
    fields = db.Column(db.JSON, nullable=False)
    page = db.Column(db.String(255), nullable=True)
    read_at = db.Column(db.DateTime, nullable=True)
    created_at = created_column()
