"""Accounts (who logs in), volunteers (the registered person), sessions and WeChat identities."""
from app.extensions import db
from app.models.base import created_column, fk, id_column
from app.security import pii

ID_TYPES = ("mainland_id", "hk_macao_permit", "taiwan_permit", "passport")
REVIEW_STATUSES = ("pending", "approved", "rejected")
# 请求中 → 校验中 → 通过 / 不通过 / 未知
IDENTITY_CHECK_STATUSES = ("requested", "verifying", "passed", "failed", "unknown")
ACCOUNT_STATUSES = ("active", "deleted")


class Account(db.Model):
    __tablename__ = "accounts"

    id = id_column()
    username = db.Column(db.String(64), nullable=True, unique=True)
    email = db.Column(db.String(254), nullable=True, unique=True)
    phone_enc = db.Column(db.String(255), nullable=True)
    phone_hash = db.Column(db.String(64), nullable=True, unique=True)
    id_type = db.Column(db.String(20), nullable=True)
    id_number_enc = db.Column(db.String(255), nullable=True)
    id_number_hash = db.Column(db.String(64), nullable=True, unique=True)
    real_name = db.Column(db.String(64), nullable=True)
    gender = db.Column(db.String(10), nullable=True)
    password_hash = db.Column(db.String(255), nullable=False)
    # Imported accounts and admin resets: a new password is required at next login.
    must_change_password = db.Column(db.Boolean, nullable=False, default=False)
    status = db.Column(db.String(20), nullable=False, default="active")
    is_platform_admin = db.Column(db.Boolean, nullable=False, default=False)
    # Demo accounts log in only while the service runs with demo data (never in production).
    is_demo = db.Column(db.Boolean, nullable=False, default=False)
    created_at = created_column()
    deleted_at = db.Column(db.DateTime, nullable=True)
    # PATCH /api/v1/me/username: at most once per 180 days.
    username_changed_at = db.Column(db.DateTime, nullable=True)

    volunteer = db.relationship(
        "Volunteer", back_populates="account", uselist=False, foreign_keys="Volunteer.account_id"
    )
    admin_of = db.relationship("OrgAdmin", back_populates="account", foreign_keys="OrgAdmin.account_id")

    # Plaintext goes in and out only through these, so nothing stores it by mistake.
    @property
    def phone(self):
        return pii.decrypt(self.phone_enc) if self.phone_enc else None

    @phone.setter
    def phone(self, value):
        self.phone_enc = pii.encrypt(pii.normalise("phone", value)) if value else None
        self.phone_hash = pii.lookup_hash("phone", value) if value else None

    @property
    def id_number(self):
        return pii.decrypt(self.id_number_enc) if self.id_number_enc else None

    @id_number.setter
    def id_number(self, value):
        self.id_number_enc = pii.encrypt(pii.normalise("id", value)) if value else None
        self.id_number_hash = pii.lookup_hash("id", value) if value else None


class Volunteer(db.Model):
    """The registered volunteer behind an account (absent for admin-only accounts)."""

    __tablename__ = "volunteers"

    id = id_column()
    account_id = fk("accounts.id", nullable=False, unique=True)
    # 志愿者编号 (MZ/T 061-2015): unique and not the ID number.
    volunteer_number = db.Column(db.String(20), nullable=False, unique=True)
    home_org_id = fk("organisations.id", nullable=False, index=True)
    # A requested change of home organisation waits here until the new one approves.
    pending_home_org_id = fk("organisations.id", nullable=True, index=True)
    review_status = db.Column(db.String(20), nullable=False, default="pending", index=True)
    review_reason = db.Column(db.String(255), nullable=True)
    reviewed_at = db.Column(db.DateTime, nullable=True)
    reviewed_by = fk("accounts.id", nullable=True)
    identity_check_status = db.Column(db.String(20), nullable=False, default="requested")
    identity_check_requested_at = db.Column(db.DateTime, nullable=True)
    identity_checked_at = db.Column(db.DateTime, nullable=True)
    education = db.Column(db.String(30), nullable=True)
    service_intentions = db.Column(db.JSON, nullable=True)
    # 完善资料 (app/domain/profile.py): 背景经历, 特长, 可服务时间, and the avatar (resized, stored by us).
    background = db.Column(db.Text, nullable=True)
    specialties = db.Column(db.JSON, nullable=True)
    available_times = db.Column(db.JSON, nullable=True)
    avatar_path = db.Column(db.String(255), nullable=True)
    agreed_at = db.Column(db.DateTime, nullable=True)
    # 面验: once checked on site, for good.
    face_checked_at = db.Column(db.DateTime, nullable=True)
    face_checked_by = fk("accounts.id", nullable=True)
    face_checked_activity_id = fk("activities.id", nullable=True)
    # Sum of effective service records, kept by the services that change them.
    total_minutes = db.Column(db.BigInteger, nullable=False, default=0)
    created_at = created_column()

    account = db.relationship("Account", back_populates="volunteer", foreign_keys=[account_id])
    home_org = db.relationship("Organisation", foreign_keys=[home_org_id])


class HomeOrgChange(db.Model):
    """A volunteer's request to move to another home organisation."""

    __tablename__ = "home_org_changes"

    id = id_column()
    volunteer_id = fk("volunteers.id", nullable=False, index=True)
    from_org_id = fk("organisations.id", nullable=False)
    to_org_id = fk("organisations.id", nullable=False, index=True)
    status = db.Column(db.String(20), nullable=False, default="pending")
    reason = db.Column(db.String(255), nullable=True)
    decided_by = fk("accounts.id", nullable=True)
    decided_at = db.Column(db.DateTime, nullable=True)
    created_at = created_column()


class AuthSession(db.Model):
    """A bearer token (stored as its SHA-256 only); expires and can be revoked."""

    __tablename__ = "auth_sessions"

    id = id_column()
    token_hash = db.Column(db.String(64), nullable=False, unique=True)
    account_id = fk("accounts.id", nullable=True, index=True)
    # A mini-program session may exist before its WeChat identity is bound to an account.
    wechat_identity_id = fk("wechat_identities.id", nullable=True)
    created_at = created_column()
    expires_at = db.Column(db.DateTime, nullable=False)
    revoked_at = db.Column(db.DateTime, nullable=True)


class WechatIdentity(db.Model):
    """An openid of the service account ('mp') or the mini-program, bound to an account."""

    __tablename__ = "wechat_identities"
    __table_args__ = (db.UniqueConstraint("app", "openid"),)

    id = id_column()
    app = db.Column(db.String(20), nullable=False)  # "mp" or "miniprogram"
    openid = db.Column(db.String(64), nullable=False)
    unionid = db.Column(db.String(64), nullable=True, index=True)
    account_id = fk("accounts.id", nullable=True, index=True)
    # Unsubscribed users of the service account get no more pushes.
    subscribed = db.Column(db.Boolean, nullable=False, default=False)
    bound_at = db.Column(db.DateTime, nullable=True)
    created_at = created_column()
