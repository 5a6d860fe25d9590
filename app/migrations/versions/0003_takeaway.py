"""takeaway: certificates, the message centre, record transfers and report rollups

- certificates / certificate_records: 志愿服务记录证明, with the covered records copied at issue.
- inbox_messages: 消息中心, one row per notice (written where the outbox records it).
- record_transfers / transferred_records: 记录转移, records from another platform region.
- report_rollups / report_refreshes: per-organisation monthly figures for the reports; and
  ix_service_records_org_day, the covering index of the one live figure (active volunteers).

Revision ID: takeaway_1
Revises: providers_1 (the head when this was written; the lead chains parallel migrations)
"""
import sqlalchemy as sa
from alembic import op

revision = "takeaway_1"
down_revision = "providers_1"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _id():
    return sa.Column("id", ID, autoincrement=True, nullable=False)


def upgrade():
    op.create_index("ix_service_records_org_day", "service_records", ["org_id", "service_day", "volunteer_id"])
    op.create_table(
        "record_transfers",
        _id(),
        sa.Column("volunteer_id", ID, nullable=False),
        sa.Column("receiving_org_id", ID, nullable=False),
        sa.Column("source_platform", sa.String(length=60), nullable=False),
        sa.Column("source_region", sa.String(length=12), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("record_count", sa.Integer(), nullable=False),
        sa.Column("total_minutes", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=255), nullable=True),
        sa.Column("decided_by", ID, nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["volunteer_id"], ["volunteers.id"]),
        sa.ForeignKeyConstraint(["receiving_org_id"], ["organisations.id"]),
        sa.ForeignKeyConstraint(["decided_by"], ["accounts.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_record_transfers_volunteer_id", "record_transfers", ["volunteer_id"])
    op.create_index("ix_record_transfers_receiving_org_id", "record_transfers", ["receiving_org_id"])
    op.create_table(
        "transferred_records",
        _id(),
        sa.Column("transfer_id", ID, nullable=False),
        sa.Column("volunteer_id", ID, nullable=False),
        sa.Column("org_id", ID, nullable=False),
        sa.Column("origin_platform", sa.String(length=60), nullable=False),
        sa.Column("origin_region", sa.String(length=12), nullable=False),
        sa.Column("origin_record_id", sa.String(length=64), nullable=False),
        sa.Column("activity_title", sa.String(length=120), nullable=False),
        sa.Column("org_name", sa.String(length=120), nullable=False),
        sa.Column("service_day", sa.Date(), nullable=True),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["transfer_id"], ["record_transfers.id"]),
        sa.ForeignKeyConstraint(["volunteer_id"], ["volunteers.id"]),
        sa.ForeignKeyConstraint(["org_id"], ["organisations.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("volunteer_id", "origin_platform", "origin_record_id"),
    )
    op.create_index("ix_transferred_records_transfer_id", "transferred_records", ["transfer_id"])
    op.create_index("ix_transferred_records_org_id", "transferred_records", ["org_id"])
    op.create_table(
        "certificates",
        _id(),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("volunteer_id", ID, nullable=False),
        sa.Column("holder_name", sa.String(length=64), nullable=False),
        sa.Column("id_number_masked", sa.String(length=40), nullable=True),
        sa.Column("volunteer_number", sa.String(length=20), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("total_minutes", sa.BigInteger(), nullable=False),
        sa.Column("record_count", sa.Integer(), nullable=False),
        sa.Column("sections", sa.JSON(), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["volunteer_id"], ["volunteers.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    op.create_index("ix_certificates_volunteer_id", "certificates", ["volunteer_id"])
    op.create_table(
        "certificate_records",
        _id(),
        sa.Column("certificate_id", ID, nullable=False),
        sa.Column("record_id", ID, nullable=True),
        sa.Column("transferred_record_id", ID, nullable=True),
        sa.Column("activity_title", sa.String(length=120), nullable=False),
        sa.Column("org_name", sa.String(length=120), nullable=False),
        sa.Column("service_day", sa.Date(), nullable=True),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=60), nullable=True),
        sa.ForeignKeyConstraint(["certificate_id"], ["certificates.id"]),
        sa.ForeignKeyConstraint(["record_id"], ["service_records.id"]),
        sa.ForeignKeyConstraint(["transferred_record_id"], ["transferred_records.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_certificate_records_certificate_id", "certificate_records", ["certificate_id"])
    op.create_index("ix_certificate_records_record_id", "certificate_records", ["record_id"])
    op.create_table(
        "inbox_messages",
        _id(),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("dedupe_key", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("page", sa.String(length=255), nullable=True),
        sa.Column("read_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dedupe_key"),
    )
    op.create_index("ix_inbox_account_read", "inbox_messages", ["account_id", "read_at", "id"])
    op.create_table(
        "report_rollups",
        _id(),
        sa.Column("org_id", ID, nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("metric", sa.String(length=30), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organisations.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("org_id", "month", "metric", "category"),
    )
    op.create_index("ix_report_rollups_month", "report_rollups", ["month", "metric"])
    op.create_table(
        "report_refreshes",
        _id(),
        sa.Column("refreshed_at", sa.DateTime(), nullable=False),
        sa.Column("months", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade():
    for table in ("report_refreshes", "report_rollups", "inbox_messages", "certificate_records", "certificates",
                  "transferred_records", "record_transfers"):
        op.drop_table(table)
    op.drop_index("ix_service_records_org_day", table_name="service_records")
