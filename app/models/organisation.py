"""Organisations form a tree: province → city / industry / university / social → teams."""
from app.extensions import db
from app.models.base import created_column, fk, id_column

ORG_CATEGORIES = ("province", "city", "industry", "university", "social", "team")
ORG_CATEGORY_LABELS = {
    "province": "省级",
    "city": "地市",
    "industry": "行业",
    "university": "高校",
    "social": "社会组织",
    "team": "队伍",
}
ORG_STATUSES = ("pending", "approved", "rejected")


class Organisation(db.Model):
    __tablename__ = "organisations"

    id = id_column()
    name = db.Column(db.String(120), nullable=False, index=True)
    category = db.Column(db.String(20), nullable=False)
    parent_id = fk("organisations.id", nullable=True, index=True)
    # Materialised path "/1/4/9/": descendants are a prefix match on one indexed column.
    path = db.Column(db.String(255), nullable=False, default="/", index=True)
    region_code = db.Column(db.String(12), nullable=True, index=True)
    is_legal_person = db.Column(db.Boolean, nullable=False, default=False)
    # 志愿云's 高级团体: may act on descendants, not only on itself.
    regional_authority = db.Column(db.Boolean, nullable=False, default=False)
    status = db.Column(db.String(20), nullable=False, default="pending", index=True)
    reject_reason = db.Column(db.String(255), nullable=True)
    contact_phone_enc = db.Column(db.String(255), nullable=True)
    description = db.Column(db.Text, nullable=True)
    # Managed by the organisation's own admin (组织管理): contact, address, categories, logo.
    contact_name = db.Column(db.String(64), nullable=True)
    address = db.Column(db.String(255), nullable=True)
    service_categories = db.Column(db.JSON, nullable=True)
    logo_path = db.Column(db.String(255), nullable=True)
    # 免审密码 (Argon2 hash): the right one joins a volunteer without the admin's approval.
    join_password_hash = db.Column(db.String(255), nullable=True)
    # The registering admin's hand-held ID photo, stored outside the web root.
    id_photo_path = db.Column(db.String(255), nullable=True)
    # Statistics kept current by the services that change them.
    volunteer_count = db.Column(db.Integer, nullable=False, default=0)
    activity_count = db.Column(db.Integer, nullable=False, default=0)
    total_minutes = db.Column(db.BigInteger, nullable=False, default=0)
    created_at = created_column()
    reviewed_at = db.Column(db.DateTime, nullable=True)
    reviewed_by = fk("accounts.id", nullable=True)

    parent = db.relationship(
        "Organisation", remote_side=[id], backref="children", foreign_keys=[parent_id]
    )


class OrgAdmin(db.Model):
    """An account that administers an organisation (the same person may be a volunteer)."""

    __tablename__ = "org_admins"
    __table_args__ = (db.UniqueConstraint("org_id", "account_id"),)

    id = id_column()
    org_id = fk("organisations.id", nullable=False, index=True)
    account_id = fk("accounts.id", nullable=False, index=True)
    created_at = created_column()

    organisation = db.relationship("Organisation")
    account = db.relationship("Account", back_populates="admin_of", foreign_keys=[account_id])


class OrgMembership(db.Model):
    """A volunteer's membership of an organisation other than the home one (pending, joined…);
    one row per (organisation, volunteer), reused when they ask again (app/domain/membership.py)."""

    __tablename__ = "org_memberships"
    __table_args__ = (db.UniqueConstraint("org_id", "volunteer_id"),
                      db.Index("ix_org_memberships_org_status", "org_id", "status"))

    id = id_column()
    org_id = fk("organisations.id", nullable=False)
    volunteer_id = fk("volunteers.id", nullable=False, index=True)
    status = db.Column(db.String(20), nullable=False)
    reason = db.Column(db.String(255), nullable=True)
    decided_by = fk("accounts.id", nullable=True)
    decided_at = db.Column(db.DateTime, nullable=True)
    joined_at = db.Column(db.DateTime, nullable=True)
    created_at = created_column()
    updated_at = db.Column(db.DateTime, nullable=True)

    organisation = db.relationship("Organisation")
    volunteer = db.relationship("Volunteer")
