"""Audit log: one row for every admin action."""
from app.extensions import db
from app.models.base import created_column, fk, id_column


class AuditLog(db.Model):
    __tablename__ = "audit_log"

    id = id_column()
    actor_account_id = fk("accounts.id", nullable=True, index=True)
    org_id = fk("organisations.id", nullable=True, index=True)
    action = db.Column(db.String(60), nullable=False)
    target_type = db.Column(db.String(40), nullable=True)
    target_id = db.Column(db.String(40), nullable=True)
    detail = db.Column(db.JSON, nullable=True)
    at = created_column()
