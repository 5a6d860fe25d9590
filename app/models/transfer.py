"""记录转移 / 接续: records brought from another platform region, and the requests that bring them."""
from app.extensions import db
from app.models.base import created_column, fk, id_column

TRANSFER_STATUSES = ("pending", "approved", "rejected")


class RecordTransfer(db.Model):
    __tablename__ = "record_transfers"

    id = id_column()
    volunteer_id = fk("volunteers.id", nullable=False, index=True)
    receiving_org_id = fk("organisations.id", nullable=False, index=True)
    source_platform = db.Column(db.String(60), nullable=False)
    source_region = db.Column(db.String(12), nullable=False)
    # The outbound document exactly as handed in (format: app/domain/record_transfer.py).
    document = db.Column(db.JSON, nullable=False)
    record_count = db.Column(db.Integer, nullable=False)
    total_minutes = db.Column(db.Integer, nullable=False)
    status = db.Column(db.String(20), nullable=False, default="pending")
    reason = db.Column(db.String(255), nullable=True)
    decided_by = fk("accounts.id", nullable=True)
    decided_at = db.Column(db.DateTime, nullable=True)
    created_at = created_column()


class TransferredRecord(db.Model):
    """A record that arrived by transfer, marked with its origin. The unique key makes a record
    count once, however many requests carry it or however often one is approved."""

    __tablename__ = "transferred_records"
    __table_args__ = (db.UniqueConstraint("volunteer_id", "origin_platform", "origin_record_id"),)

    id = id_column()
    transfer_id = fk("record_transfers.id", nullable=False, index=True)
    volunteer_id = fk("volunteers.id", nullable=False)
    org_id = fk("organisations.id", nullable=False, index=True)  # the receiving organisation
    origin_platform = db.Column(db.String(60), nullable=False)
    origin_region = db.Column(db.String(12), nullable=False)
    origin_record_id = db.Column(db.String(64), nullable=False)
    activity_title = db.Column(db.String(120), nullable=False)
    org_name = db.Column(db.String(120), nullable=False)
    service_day = db.Column(db.Date, nullable=True)
    minutes = db.Column(db.Integer, nullable=False)
    created_at = created_column()
