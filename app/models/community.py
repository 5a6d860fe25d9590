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


class Complaint(db.Model):
    """投诉 / 举报 by a logged-in person; handler_org_id: the organisation that handles it (None:
    the platform admin). Images are stored by us, resized, outside the web root."""

    __tablename__ = "complaints"
    __table_args__ = (db.Index("ix_complaints_handler_status", "handler_org_id", "status", "id"),)

    id = id_column()
    kind = db.Column(db.String(20), nullable=False)  # complaint / report
    target_type = db.Column(db.String(20), nullable=False)
    target_id = db.Column(IdType, nullable=False)
    handler_org_id = fk("organisations.id", nullable=True)
    complainant_account_id = fk("accounts.id", nullable=False, index=True)
    text = db.Column(db.Text, nullable=False)
    image_paths = db.Column(db.JSON, nullable=True)
    status = db.Column(db.String(20), nullable=False, default="pending")
    resolution = db.Column(db.Text, nullable=True)
    resolved_by = fk("accounts.id", nullable=True)
    resolved_at = db.Column(db.DateTime, nullable=True)
    created_at = created_column()

    complainant = db.relationship("Account", foreign_keys=[complainant_account_id])


class Training(db.Model):
    """培训: a session an organisation held; who completed it is in TrainingCompletion."""

    __tablename__ = "trainings"

    id = id_column()
    org_id = fk("organisations.id", nullable=False, index=True)
    title = db.Column(db.String(120), nullable=False)
    description = db.Column(db.Text, nullable=True)
    held_on = db.Column(db.Date, nullable=False)
    minutes = db.Column(db.Integer, nullable=True)
    created_by = fk("accounts.id", nullable=True)
    created_at = created_column()

    organisation = db.relationship("Organisation")


class TrainingCompletion(db.Model):
    __tablename__ = "training_completions"
    __table_args__ = (db.UniqueConstraint("training_id", "volunteer_id"),)

    id = id_column()
    training_id = fk("trainings.id", nullable=False)
    volunteer_id = fk("volunteers.id", nullable=False, index=True)
    recorded_by = fk("accounts.id", nullable=True)
    created_at = created_column()

    training = db.relationship("Training")


class Commendation(db.Model):
    """表彰 of a volunteer (title, level, date, issuing body), recorded by an organisation."""

    __tablename__ = "commendations"

    id = id_column()
    org_id = fk("organisations.id", nullable=False, index=True)
    volunteer_id = fk("volunteers.id", nullable=False, index=True)
    title = db.Column(db.String(120), nullable=False)
    level = db.Column(db.String(20), nullable=False)
    awarded_on = db.Column(db.Date, nullable=False)
    issuer = db.Column(db.String(120), nullable=False)
    created_by = fk("accounts.id", nullable=True)
    created_at = created_column()

    organisation = db.relationship("Organisation")
