"""统计报表: per-organisation monthly figures, precomputed from the records (app/services/reports.py)."""
from app.extensions import db
from app.models.base import fk, id_column


class ReportRollup(db.Model):
    """One figure of one organisation (its own, not its subtree) for one month: a report over a
    subtree and a period sums these rows instead of scanning millions of records."""

    __tablename__ = "report_rollups"
    __table_args__ = (db.UniqueConstraint("org_id", "month", "metric", "category"),
                      db.Index("ix_report_rollups_month", "month", "metric"))

    id = id_column()
    org_id = fk("organisations.id", nullable=False)
    month = db.Column(db.String(7), nullable=False)  # "2026-11" (Asia/Shanghai)
    metric = db.Column(db.String(30), nullable=False)
    category = db.Column(db.String(40), nullable=False, default="")
    value = db.Column(db.BigInteger, nullable=False, default=0)


class ReportRefresh(db.Model):
    """When the rollups were last rebuilt (one row)."""

    __tablename__ = "report_refreshes"

    id = id_column()
    refreshed_at = db.Column(db.DateTime, nullable=False)
    months = db.Column(db.Integer, nullable=False, default=0)
