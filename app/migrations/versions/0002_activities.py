"""activities: search indexes for 执行中 / 已结束 (end_at) and the 亲子体验 listing

Revision ID: activities_1
Revises: 0001_initial
"""
from alembic import op

revision = "activities_1"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.create_index("ix_activities_end", ["revoked_at", "end_at"], unique=False)
        batch_op.create_index("ix_activities_family_start", ["is_family", "revoked_at", "start_at"], unique=False)


def downgrade():
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.drop_index("ix_activities_family_start")
        batch_op.drop_index("ix_activities_end")
