"""Activities, their positions, enrollments and invitations."""
from app.extensions import db
from app.models.base import created_column, fk, id_column
from app.security import pii
from app.timeutil import utcnow

ENROLLMENT_STATUSES = ("pending", "admitted", "removed", "cancelled")  # 待录用 / 已录用 / 移除 / 取消


class Activity(db.Model):
    __tablename__ = "activities"
    __table_args__ = (
        # Search (app/services/activity_search.py) lists by (start_at, id) and filters on the times
        # of the displayed states: each index starts with what narrows or orders the list and
        # carries the time columns after it, so MariaDB filters and counts inside the index
        # (figures: scripts/bench_search.py, README).
        db.Index("ix_activities_start", "start_at", "id", "revoked_at", "enroll_start", "enroll_end", "end_at"),
        db.Index("ix_activities_end", "end_at", "start_at", "revoked_at"),  # 执行中 / 已结束
        db.Index("ix_activities_region_start", "region_code", "start_at", "id", "revoked_at", "enroll_start",
                 "enroll_end", "end_at"),
        db.Index("ix_activities_family_start", "is_family", "start_at", "id", "revoked_at", "enroll_start",
                 "enroll_end", "end_at"),  # 亲子体验
        db.Index("ix_activities_category_start", "service_category", "start_at", "id", "revoked_at",
                 "enroll_start", "enroll_end", "end_at"),  # category=
        db.Index("ix_activities_location", "latitude", "longitude"),  # near=: the box around the point
    )

    id = id_column()
    org_id = fk("organisations.id", nullable=False, index=True)
    title = db.Column(db.String(120), nullable=False)
    description = db.Column(db.Text, nullable=True)
    service_category = db.Column(db.String(40), nullable=True)
    region_code = db.Column(db.String(12), nullable=True)
    address = db.Column(db.String(255), nullable=True)
    # gcj02, as the mini-program's wx.getLocation reports them.
    latitude = db.Column(db.Float, nullable=True)
    longitude = db.Column(db.Float, nullable=True)
    radius_m = db.Column(db.Integer, nullable=False, default=500)
    # A volunteer's scan must carry a position where there is a venue (app/domain/clocking.py);
    # an admin turns it off for an online activity, audited as activity.require_location.
    require_location = db.Column(db.Boolean, nullable=False, default=True)
    cover_url = db.Column(db.String(255), nullable=True)
    enroll_start = db.Column(db.DateTime, nullable=False)
    enroll_end = db.Column(db.DateTime, nullable=False)
    start_at = db.Column(db.DateTime, nullable=False)
    end_at = db.Column(db.DateTime, nullable=False)
    quota = db.Column(db.Integer, nullable=False)
    # Places taken (pending + admitted); guarded by a row lock so the quota holds under load.
    taken_count = db.Column(db.Integer, nullable=False, default=0)
    contact_name = db.Column(db.String(64), nullable=True)
    contact_phone_enc = db.Column(db.String(255), nullable=True)
    is_family = db.Column(db.Boolean, nullable=False, default=False)  # 亲子体验
    revoked_at = db.Column(db.DateTime, nullable=True)
    revoke_reason = db.Column(db.String(255), nullable=True)
    created_by = fk("accounts.id", nullable=True)
    created_at = created_column()
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    organisation = db.relationship("Organisation")
    positions = db.relationship("Position", back_populates="activity", order_by="Position.id")
    shifts = db.relationship("Shift", back_populates="activity", order_by="Shift.starts_at, Shift.id")

    # The contact's number is personal data too: stored encrypted, read through this property.
    @property
    def contact_phone(self):
        return pii.decrypt(self.contact_phone_enc) if self.contact_phone_enc else None

    @contact_phone.setter
    def contact_phone(self, value):
        self.contact_phone_enc = pii.encrypt(pii.normalise("phone", value)) if value else None


class Position(db.Model):
    """岗位: an optional subdivision of an activity's places."""

    __tablename__ = "positions"

    id = id_column()
    activity_id = fk("activities.id", nullable=False, index=True)
    name = db.Column(db.String(64), nullable=False)
    quota = db.Column(db.Integer, nullable=False)
    taken_count = db.Column(db.Integer, nullable=False, default=0)

    activity = db.relationship("Activity", back_populates="positions")


class Shift(db.Model):
    """排班: a part of an activity's time with its own capacity; places taken are counted like the
    quota's, by one conditional UPDATE (app/services/enrollment.py)."""

    __tablename__ = "shifts"

    id = id_column()
    activity_id = fk("activities.id", nullable=False, index=True)
    starts_at = db.Column(db.DateTime, nullable=False)
    ends_at = db.Column(db.DateTime, nullable=False)
    capacity = db.Column(db.Integer, nullable=False)
    taken_count = db.Column(db.Integer, nullable=False, default=0)

    activity = db.relationship("Activity", back_populates="shifts")


class Enrollment(db.Model):
    __tablename__ = "enrollments"
    __table_args__ = (
        db.UniqueConstraint("activity_id", "volunteer_id"),
        db.Index("ix_enrollments_volunteer_status", "volunteer_id", "status"),
    )

    id = id_column()
    activity_id = fk("activities.id", nullable=False, index=True)
    volunteer_id = fk("volunteers.id", nullable=False)
    position_id = fk("positions.id", nullable=True)
    # 排班: the shift picked at enrollment, when the activity has shifts.
    shift_id = fk("shifts.id", nullable=True, index=True)
    status = db.Column(db.String(20), nullable=False, default="pending")
    created_at = created_column()
    decided_at = db.Column(db.DateTime, nullable=True)
    decided_by = fk("accounts.id", nullable=True)

    activity = db.relationship("Activity")
    volunteer = db.relationship("Volunteer")


class Invitation(db.Model):
    __tablename__ = "invitations"
    __table_args__ = (db.UniqueConstraint("activity_id", "volunteer_id"),)

    id = id_column()
    activity_id = fk("activities.id", nullable=False, index=True)
    volunteer_id = fk("volunteers.id", nullable=False, index=True)
    invited_by = fk("accounts.id", nullable=False)
    created_at = created_column()
