"""card applications: one active application per volunteer, kept by a unique key

card_applications.active_volunteer_id is the volunteer while the application is active (any
status but rejected) and NULL otherwise; its unique key refuses a second active application
even when two arrive at once (the check-then-insert let both in). Existing rows: the newest
active application of each volunteer takes it (an older duplicate, if a race made one, stays
as it is but no longer blocks).

Revision ID: card_active_1
Revises: clock_location_1
"""
import sqlalchemy as sa
from alembic import op

revision = "card_active_1"
down_revision = "clock_location_1"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
ACTIVE = ("submitted", "reviewing", "approved", "issued", "mailed")


def upgrade():
    with op.batch_alter_table("card_applications") as batch:
        batch.add_column(sa.Column("active_volunteer_id", ID, nullable=True))
        batch.create_foreign_key(op.f("fk_card_applications_active_volunteer_id_volunteers"), "volunteers",
                                 ["active_volunteer_id"], ["id"])
        batch.create_unique_constraint(op.f("uq_card_applications_active_volunteer_id"), ["active_volunteer_id"])
    cards = sa.table("card_applications", sa.column("id", ID), sa.column("volunteer_id", ID),
                     sa.column("status", sa.String), sa.column("active_volunteer_id", ID))
    bind = op.get_bind()
    newest = bind.execute(sa.select(sa.func.max(cards.c.id)).where(cards.c.status.in_(ACTIVE))
                          .group_by(cards.c.volunteer_id)).scalars().all()
    for application_id in newest:
        bind.execute(sa.update(cards).where(cards.c.id == application_id)
                     .values(active_volunteer_id=cards.c.volunteer_id))


def downgrade():
    with op.batch_alter_table("card_applications") as batch:
        batch.drop_constraint(op.f("uq_card_applications_active_volunteer_id"), type_="unique")
        batch.drop_constraint(op.f("fk_card_applications_active_volunteer_id_volunteers"), type_="foreignkey")
        batch.drop_column("active_volunteer_id")
