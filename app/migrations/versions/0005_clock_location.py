"""clock location: an activity with a venue requires a volunteer's position by default

require_location defaulted to false, so a volunteer sent a photo of a check-in code could clock
in from home during its life by sending no position. The model's default is now true; activities
with a venue that have not ended yet take the new default (nobody chose false for them: it was
the only default). An admin turns it off again per activity for an online one (audited).
Downgrade keeps the values (which rows were switched is not recorded).

Revision ID: clock_location_1
Revises: community_1 (the head when this was written; the lead chains parallel migrations)
"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "clock_location_1"
down_revision = "community_1"
branch_labels = None
depends_on = None


def upgrade():
    activities = sa.table("activities", sa.column("require_location", sa.Boolean),
                          sa.column("latitude", sa.Float), sa.column("longitude", sa.Float),
                          sa.column("end_at", sa.DateTime))
    now = datetime.now(UTC).replace(tzinfo=None)
    op.get_bind().execute(
        sa.update(activities)
        .where(activities.c.latitude.is_not(None), activities.c.longitude.is_not(None),
               activities.c.end_at > now, activities.c.require_location == sa.false())
        .values(require_location=True))


def downgrade():
    pass
