"""community: memberships of other organisations, 免审密码, organisation management fields,
username changes (issue 13)

Revision ID: community_1
Revises: takeaway_1
"""
import sqlalchemy as sa
from alembic import op

revision = "community_1"
down_revision = "takeaway_1"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def fk_column(table, column, target, nullable):
    """A foreign-key column named by the house convention (app/extensions.py NAMING)."""
    return sa.Column(column, ID, sa.ForeignKey(f"{target}.id", name=f"fk_{table}_{column}_{target}"),
                     nullable=nullable)


def upgrade():
    op.create_table(
        "org_memberships",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_org_memberships"),
        fk_column("org_memberships", "org_id", "organisations", nullable=False),
        fk_column("org_memberships", "volunteer_id", "volunteers", nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("reason", sa.String(255), nullable=True),
        fk_column("org_memberships", "decided_by", "accounts", nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("joined_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("org_id", "volunteer_id", name="uq_org_memberships_org_id"),
    )
    op.create_index("ix_org_memberships_volunteer_id", "org_memberships", ["volunteer_id"])
    op.create_index("ix_org_memberships_org_status", "org_memberships", ["org_id", "status"])
    op.create_table(
        "comments",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_comments"),
        sa.Column("target_type", sa.String(20), nullable=False),
        sa.Column("target_id", ID, nullable=False),
        fk_column("comments", "org_id", "organisations", nullable=False),
        fk_column("comments", "author_account_id", "accounts", nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("hidden_at", sa.DateTime(), nullable=True),
        fk_column("comments", "hidden_by", "accounts", nullable=True),
        sa.Column("hidden_reason", sa.String(255), nullable=True),
    )
    op.create_index("ix_comments_target", "comments", ["target_type", "target_id", "hidden_at", "id"])
    op.create_index("ix_comments_org_id", "comments", ["org_id"])
    op.create_index("ix_comments_author_account_id", "comments", ["author_account_id"])
    with op.batch_alter_table("organisations") as batch:
        batch.add_column(sa.Column("contact_name", sa.String(64), nullable=True))
        batch.add_column(sa.Column("address", sa.String(255), nullable=True))
        batch.add_column(sa.Column("service_categories", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("logo_path", sa.String(255), nullable=True))
        batch.add_column(sa.Column("join_password_hash", sa.String(255), nullable=True))
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("username_changed_at", sa.DateTime(), nullable=True))
    op.create_table(
        "complaints",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_complaints"),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("target_type", sa.String(20), nullable=False),
        sa.Column("target_id", ID, nullable=False),
        fk_column("complaints", "handler_org_id", "organisations", nullable=True),
        fk_column("complaints", "complainant_account_id", "accounts", nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("image_paths", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("resolution", sa.Text(), nullable=True),
        fk_column("complaints", "resolved_by", "accounts", nullable=True),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_complaints_handler_status", "complaints", ["handler_org_id", "status", "id"])
    op.create_index("ix_complaints_complainant_account_id", "complaints", ["complainant_account_id"])
    op.create_table(
        "trainings",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_trainings"),
        fk_column("trainings", "org_id", "organisations", nullable=False),
        sa.Column("title", sa.String(120), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=True),
        fk_column("trainings", "created_by", "accounts", nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_trainings_org_id", "trainings", ["org_id"])
    op.create_table(
        "training_completions",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_training_completions"),
        fk_column("training_completions", "training_id", "trainings", nullable=False),
        fk_column("training_completions", "volunteer_id", "volunteers", nullable=False),
        fk_column("training_completions", "recorded_by", "accounts", nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("training_id", "volunteer_id", name="uq_training_completions_training_id"),
    )
    op.create_index("ix_training_completions_volunteer_id", "training_completions", ["volunteer_id"])
    op.create_table(
        "commendations",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_commendations"),
        fk_column("commendations", "org_id", "organisations", nullable=False),
        fk_column("commendations", "volunteer_id", "volunteers", nullable=False),
        sa.Column("title", sa.String(120), nullable=False),
        sa.Column("level", sa.String(20), nullable=False),
        sa.Column("awarded_on", sa.Date(), nullable=False),
        sa.Column("issuer", sa.String(120), nullable=False),
        fk_column("commendations", "created_by", "accounts", nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_commendations_org_id", "commendations", ["org_id"])
    op.create_index("ix_commendations_volunteer_id", "commendations", ["volunteer_id"])
    op.create_index("ix_activities_category_start", "activities",
                    ["service_category", "start_at", "id", "revoked_at", "enroll_start", "enroll_end", "end_at"])
    op.create_index("ix_activities_location", "activities", ["latitude", "longitude"])
    with op.batch_alter_table("volunteers") as batch:
        batch.add_column(sa.Column("background", sa.Text(), nullable=True))
        batch.add_column(sa.Column("specialties", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("available_times", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("avatar_path", sa.String(255), nullable=True))
    op.create_table(
        "shifts",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_shifts"),
        fk_column("shifts", "activity_id", "activities", nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("taken_count", sa.Integer(), nullable=False),
    )
    op.create_index("ix_shifts_activity_id", "shifts", ["activity_id"])
    with op.batch_alter_table("enrollments") as batch:
        batch.add_column(sa.Column("shift_id", ID, nullable=True))
        batch.create_foreign_key("fk_enrollments_shift_id_shifts", "shifts", ["shift_id"], ["id"])
        batch.create_index("ix_enrollments_shift_id", ["shift_id"])


def downgrade():
    op.drop_index("ix_commendations_volunteer_id", table_name="commendations")
    op.drop_index("ix_commendations_org_id", table_name="commendations")
    op.drop_table("commendations")
    op.drop_index("ix_training_completions_volunteer_id", table_name="training_completions")
    op.drop_table("training_completions")
    op.drop_index("ix_trainings_org_id", table_name="trainings")
    op.drop_table("trainings")
    op.drop_index("ix_complaints_complainant_account_id", table_name="complaints")
    op.drop_index("ix_complaints_handler_status", table_name="complaints")
    op.drop_table("complaints")
    op.drop_index("ix_activities_location", table_name="activities")
    op.drop_index("ix_activities_category_start", table_name="activities")
    with op.batch_alter_table("enrollments") as batch:
        batch.drop_index("ix_enrollments_shift_id")
        batch.drop_constraint("fk_enrollments_shift_id_shifts", type_="foreignkey")
        batch.drop_column("shift_id")
    op.drop_index("ix_shifts_activity_id", table_name="shifts")
    op.drop_table("shifts")
    with op.batch_alter_table("volunteers") as batch:
        for column in ("avatar_path", "available_times", "specialties", "background"):
            batch.drop_column(column)
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("username_changed_at")
    with op.batch_alter_table("organisations") as batch:
        for column in ("join_password_hash", "logo_path", "service_categories", "address", "contact_name"):
            batch.drop_column(column)
    op.drop_index("ix_comments_author_account_id", table_name="comments")
    op.drop_index("ix_comments_org_id", table_name="comments")
    op.drop_index("ix_comments_target", table_name="comments")
    op.drop_table("comments")
    op.drop_index("ix_org_memberships_org_status", table_name="org_memberships")
    op.drop_index("ix_org_memberships_volunteer_id", table_name="org_memberships")
    op.drop_table("org_memberships")
