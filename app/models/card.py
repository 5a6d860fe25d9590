"""注册志愿者证: the card application and its progress."""
from app.extensions import db
from app.models.base import created_column, fk, id_column
from app.timeutil import utcnow

BANKS = ("boc", "ceb")  # 中国银行 / 光大银行
CARD_TYPES = ("debit", "credit")
CARD_STATUSES = ("submitted", "reviewing", "approved", "rejected", "issued", "mailed")


class CardApplication(db.Model):
    __tablename__ = "card_applications"

    id = id_column()
    volunteer_id = fk("volunteers.id", nullable=False, index=True)
    bank = db.Column(db.String(10), nullable=False)
    card_type = db.Column(db.String(10), nullable=False)
    delivery_name = db.Column(db.String(64), nullable=False)
    delivery_phone_enc = db.Column(db.String(255), nullable=False)
    delivery_address = db.Column(db.String(255), nullable=False)
    status = db.Column(db.String(20), nullable=False, default="submitted")
    # The volunteer while the application is active (any status but rejected), else NULL: the
    # unique key lets one active application exist per volunteer even when two arrive at once.
    active_volunteer_id = fk("volunteers.id", nullable=True, unique=True)
    status_note = db.Column(db.String(255), nullable=True)
    created_at = created_column()
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)
