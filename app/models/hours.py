"""Clock events, service records, supplementary entries and objections."""
from app.extensions import db
from app.models.base import created_column, fk, id_column
from app.security import pii

# 已生效 / 未生效 / 删除 (志愿云)
RECORD_STATUSES = ("effective", "pending", "deleted")
SUPPLEMENT_STATUSES = ("pending", "approved", "rejected")
OBJECTION_STATUSES = ("open", "kept", "amended", "revoked")


class ClockEvent(db.Model):
    """One accepted scan: a check-in or a check-out of one volunteer in one activity."""

    __tablename__ = "clock_events"
    __table_args__ = (
        # One check-in and one check-out per session per day: a repeated scan records nothing.
        db.UniqueConstraint("activity_id", "volunteer_id", "service_day", "session_no", "kind"),
        db.Index("ix_clock_events_volunteer_at", "volunteer_id", "at"),
    )

    id = id_column()
    activity_id = fk("activities.id", nullable=False)
    volunteer_id = fk("volunteers.id", nullable=False)
    kind = db.Column(db.String(10), nullable=False)  # checkin / checkout
    at = db.Column(db.DateTime, nullable=False)
    service_day = db.Column(db.Date, nullable=False)
    session_no = db.Column(db.Integer, nullable=False, default=1)
    # miniprogram / mp_scan / mp_scancode / h5 / admin_scan
    source = db.Column(db.String(20), nullable=False)
    code_nonce = db.Column(db.String(32), nullable=True)
    latitude = db.Column(db.Float, nullable=True)
    longitude = db.Column(db.Float, nullable=True)
    minutes = db.Column(db.Integer, nullable=True)  # on a check-out: minutes since the check-in


class ServiceRecord(db.Model):
    """Recorded service time (minutes), public on the hours board for a year."""

    __tablename__ = "service_records"
    __table_args__ = (
        db.Index("ix_service_records_volunteer", "volunteer_id", "status"),
        db.Index("ix_service_records_board", "activity_id", "recorded_at"),
        # Reports: distinct active volunteers of organisations in a period, read from the index alone.
        db.Index("ix_service_records_org_day", "org_id", "service_day", "volunteer_id"),
    )

    id = id_column()
    volunteer_id = fk("volunteers.id", nullable=False)
    activity_id = fk("activities.id", nullable=False)
    org_id = fk("organisations.id", nullable=False, index=True)
    minutes = db.Column(db.Integer, nullable=False)
    source = db.Column(db.String(20), nullable=False)  # clock / supplement
    service_day = db.Column(db.Date, nullable=True)
    checkin_event_id = fk("clock_events.id", nullable=True)
    checkout_event_id = fk("clock_events.id", nullable=True, unique=True)
    supplement_id = fk("supplement_entries.id", nullable=True, unique=True)
    status = db.Column(db.String(20), nullable=False, default="effective")
    recorded_at = db.Column(db.DateTime, nullable=False)
    public_until = db.Column(db.DateTime, nullable=False)
    amended_from_minutes = db.Column(db.Integer, nullable=True)


class SupplementEntry(db.Model):
    """时长补录: hours entered by an admin when scanning failed; the parent org approves."""

    __tablename__ = "supplement_entries"

    id = id_column()
    activity_id = fk("activities.id", nullable=False, index=True)
    volunteer_id = fk("volunteers.id", nullable=False, index=True)
    minutes = db.Column(db.Integer, nullable=False)
    note = db.Column(db.String(255), nullable=True)
    # Stored proof files: [{"path", "content_type", "size"}], outside the web root.
    proof_files = db.Column(db.JSON, nullable=False, default=list)
    entered_by = fk("accounts.id", nullable=False)
    status = db.Column(db.String(20), nullable=False, default="pending")
    decided_by = fk("accounts.id", nullable=True)
    decided_at = db.Column(db.DateTime, nullable=True)
    reject_reason = db.Column(db.String(255), nullable=True)
    created_at = created_column()


class Objection(db.Model):
    """我有异议: anyone may object to a public hours record; the activity's admin resolves it."""

    __tablename__ = "objections"

    id = id_column()
    record_id = fk("service_records.id", nullable=False, index=True)
    text = db.Column(db.Text, nullable=False)
    # The objector's phone or other contact, encrypted like every phone number (app/security/pii.py).
    contact_enc = db.Column(db.String(255), nullable=True)
    filer_account_id = fk("accounts.id", nullable=True)
    status = db.Column(db.String(20), nullable=False, default="open")
    resolution_note = db.Column(db.String(255), nullable=True)
    resolved_by = fk("accounts.id", nullable=True)
    resolved_at = db.Column(db.DateTime, nullable=True)
    created_at = created_column()

    @property
    def contact(self):
        return pii.decrypt(self.contact_enc) if self.contact_enc else None

    @contact.setter
    def contact(self, value):
        self.contact_enc = pii.encrypt(value) if value else None
