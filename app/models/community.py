"""The community around activities and organisations: 留言 (comments)."""
from app.extensions import db
from app.models.base import IdType, created_column, fk, id_column


class Comment(db.Model):
    """A volunteer's 留言 on an activity or an organisation; the owning organisation's admin may
    hide it (with a reason, audited). org_id: the organisation whose admin moderates it."""

    __tablename__ = "comments"
    __table_args__ = (db.Index("ix_comments_target", "target_type", "target_id", "hidden_at", "id"),)

    id = id_column()
    target_type = db.Column(db.String(20), nullable=False)  # activity / organisation
    target_id = db.Column(IdType, nullable=False)
    org_id = fk("organisations.id", nullable=False, index=True)
    author_account_id = fk("accounts.id", nullable=False, index=True)
    text = db.Column(db.Text, nullable=False)
    created_at = created_column()
    hidden_at = db.Column(db.DateTime, nullable=True)
    hidden_by = fk("accounts.id", nullable=True)
    hidden_reason = db.Column(db.String(255), nullable=True)

    author = db.relationship("Account", foreign_keys=[author_account_id])
