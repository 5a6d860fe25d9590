"""activities: search indexes that order by (start_at, id) and carry the state times

ix_activities_search (revoked_at, start_at) made MariaDB read `revoked_at IS NULL` as a ref over
every live row; the new indexes lead with what narrows or orders the search and carry the
time columns, so states filter and counts run inside the index (scripts/bench_search.py).

Revision ID: activities_1
Revises: 0001_initial
"""
from alembic import op

revision = "activities_1"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

TIMES = ["revoked_at", "enroll_start", "enroll_end", "end_at"]


def upgrade():
    op.drop_index("ix_activities_search", table_name="activities")
    op.drop_index("ix_activities_region_start", table_name="activities")
    op.create_index("ix_activities_start", "activities", ["start_at", "id", *TIMES])
    op.create_index("ix_activities_end", "activities", ["end_at", "start_at", "revoked_at"])
    op.create_index("ix_activities_region_start", "activities", ["region_code", "start_at", "id", *TIMES])
    op.create_index("ix_activities_family_start", "activities", ["is_family", "start_at", "id", *TIMES])


def downgrade():
    op.drop_index("ix_activities_family_start", table_name="activities")
    op.drop_index("ix_activities_region_start", table_name="activities")
    op.drop_index("ix_activities_end", table_name="activities")
    op.drop_index("ix_activities_start", table_name="activities")
    op.create_index("ix_activities_region_start", "activities", ["region_code", "start_at"])
    op.create_index("ix_activities_search", "activities", ["revoked_at", "start_at"])
