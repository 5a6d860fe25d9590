"""The notification outbox: every message is recorded here before it is sent."""
from app.extensions import db
from app.models.base import created_column, fk, id_column

CHANNELS = ("template", "subscribe", "sms", "custom")
# pending → sending (claimed, leased) → sent → delivered; failed (will retry) → given_up (final)
OUTBOX_STATUSES = ("pending", "sending", "sent", "delivered", "failed", "given_up")


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (db.Index("ix_outbox_due", "status", "next_attempt_at"),)

    id = id_column()
    # Same event never queued twice, e.g. "admission:<enrollment id>:template".
    dedupe_key = db.Column(db.String(120), nullable=False, unique=True)
    account_id = fk("accounts.id", nullable=True, index=True)
    channel = db.Column(db.String(20), nullable=False)
    kind = db.Column(db.String(40), nullable=False)  # review_result, admission, invitation…
    recipient = db.Column(db.String(255), nullable=False)  # openid, or encrypted phone for SMS
    payload = db.Column(db.JSON, nullable=False)
    status = db.Column(db.String(20), nullable=False, default="pending")
    attempts = db.Column(db.Integer, nullable=False, default=0)
    next_attempt_at = db.Column(db.DateTime, nullable=True)
    last_error = db.Column(db.String(255), nullable=True)
    wechat_msgid = db.Column(db.String(40), nullable=True, index=True)
    created_at = created_column()
    sent_at = db.Column(db.DateTime, nullable=True)
    delivered_at = db.Column(db.DateTime, nullable=True)
