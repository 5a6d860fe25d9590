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
