"""The notification outbox: every message is recorded here before it is sent."""
from app.extensions import db
from app.models.base import created_column, fk, id_column

CHANNELS = ("template", "subscribe", "sms", "email", "custom")
# pending → sending (claimed, leased) → sent → delivered; failed (will retry) → given_up (final);
# held: a subscribe message without the user's consent, never sent, kept for the message centre.
OUTBOX_STATUSES = ("pending", "sending", "sent", "delivered", "failed", "given_up", "held")


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (db.Index("ix_outbox_due", "status", "next_attempt_at"),)

    id = id_column()
    # Same event never queued twice, e.g. "admission:<enrollment id>:template".
    dedupe_key = db.Column(db.String(120), nullable=False, unique=True)
    account_id = fk("accounts.id", nullable=True, index=True)
    channel = db.Column(db.String(20), nullable=False)
    kind = db.Column(db.String(40), nullable=False)  # review_result, admission, invitation…
    # openid; the encrypted phone (SMS) or address (email): never a number or address in clear
    recipient = db.Column(db.String(512), nullable=False)
    # What to send, without secrets: {"fields", "page"} (WeChat), {"sms": {"kind", "params"}},
    # {"mail": {"kind", "params"}}.
    payload = db.Column(db.JSON, nullable=False)
    # One-time secrets of the message (a code, a temporary password), encrypted with the data
    # key, filled in at send time and erased once the message is sent or given up.
    secret_enc = db.Column(db.String(512), nullable=True)
    status = db.Column(db.String(20), nullable=False, default="pending")
    attempts = db.Column(db.Integer, nullable=False, default=0)
    next_attempt_at = db.Column(db.DateTime, nullable=True)
    last_error = db.Column(db.String(255), nullable=True)
    wechat_msgid = db.Column(db.String(40), nullable=True, index=True)
    created_at = created_column()
    sent_at = db.Column(db.DateTime, nullable=True)
    delivered_at = db.Column(db.DateTime, nullable=True)


class SubscribeConsent(db.Model):
    """The user's one-time consent to one subscribe-message template, as the mini-program
    reported it from wx.requestSubscribeMessage: each 'accept' allows one message, which
    spends it."""

    __tablename__ = "subscribe_consents"
    __table_args__ = (db.UniqueConstraint("wechat_identity_id", "template_id"),)

    id = id_column()
    wechat_identity_id = fk("wechat_identities.id", nullable=False)
    template_id = db.Column(db.String(64), nullable=False)
    remaining = db.Column(db.Integer, nullable=False, default=0)
    updated_at = db.Column(db.DateTime, nullable=True)
