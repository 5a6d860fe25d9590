"""providers: no secrets in the clear in the outbox or objections; subscribe-message consent

- outbox_messages.secret_enc: one-time secrets (codes, temporary passwords) encrypted, erased
  once sent; recipient widened for encrypted email addresses. SMS rows written before this
  kept their whole text (codes, temporary passwords) in payload: the text is dropped, and those
  still waiting are given up (providers send templates, not free text; a code is long expired).
- objections.contact (a phone number, in clear) → contact_enc, encrypted with the data key.
- subscribe_consents: one-time consent per mini-program identity and template.

Revision ID: providers_1
Revises: activities_1 (the head when this was written; the lead chains parallel migrations)
"""
import sqlalchemy as sa
from alembic import op

from app.security import pii

revision = "providers_1"
down_revision = "activities_1"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade():
    with op.batch_alter_table("outbox_messages") as batch:
        batch.add_column(sa.Column("secret_enc", sa.String(length=512), nullable=True))
        batch.alter_column("recipient", existing_type=sa.String(length=255), type_=sa.String(length=512),
                           existing_nullable=False)
    bind = op.get_bind()
    outbox = sa.table("outbox_messages", sa.column("id", ID), sa.column("channel", sa.String),
                      sa.column("kind", sa.String), sa.column("status", sa.String),
                      sa.column("payload", sa.JSON), sa.column("last_error", sa.String))
    for row in bind.execute(sa.select(outbox.c.id, outbox.c.kind, outbox.c.status)
                            .where(outbox.c.channel == "sms")).all():
        values = {"payload": {"sms": {"kind": "text", "params": {}}, "dropped": "text kept in clear before 0002"}}
        if row.status in ("pending", "failed", "sending"):
            values.update(status="given_up", last_error="dropped by migration providers_1: SMS are templates now")
        bind.execute(sa.update(outbox).where(outbox.c.id == row.id).values(**values))

    with op.batch_alter_table("objections") as batch:
        batch.add_column(sa.Column("contact_enc", sa.String(length=255), nullable=True))
    objections = sa.table("objections", sa.column("id", ID), sa.column("contact", sa.String),
                          sa.column("contact_enc", sa.String))
    for row in bind.execute(sa.select(objections.c.id, objections.c.contact)
                            .where(objections.c.contact.is_not(None))).all():
        bind.execute(sa.update(objections).where(objections.c.id == row.id)
                     .values(contact_enc=pii.encrypt(row.contact), contact=None))
    with op.batch_alter_table("objections") as batch:
        batch.drop_column("contact")

    op.create_table(
        "subscribe_consents",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("wechat_identity_id", ID, nullable=False),
        sa.Column("template_id", sa.String(length=64), nullable=False),
        sa.Column("remaining", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["wechat_identity_id"], ["wechat_identities.id"],
                                name=op.f("fk_subscribe_consents_wechat_identity_id_wechat_identities")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscribe_consents")),
        sa.UniqueConstraint("wechat_identity_id", "template_id",
                            name=op.f("uq_subscribe_consents_wechat_identity_id")),
    )


def downgrade():
    op.drop_table("subscribe_consents")
    bind = op.get_bind()
    with op.batch_alter_table("objections") as batch:
        batch.add_column(sa.Column("contact", sa.String(length=100), nullable=True))
    objections = sa.table("objections", sa.column("id", ID), sa.column("contact", sa.String),
                          sa.column("contact_enc", sa.String))
    for row in bind.execute(sa.select(objections.c.id, objections.c.contact_enc)
                            .where(objections.c.contact_enc.is_not(None))).all():
        bind.execute(sa.update(objections).where(objections.c.id == row.id)
                     .values(contact=pii.decrypt(row.contact_enc)[:100]))
    with op.batch_alter_table("objections") as batch:
        batch.drop_column("contact_enc")
    with op.batch_alter_table("outbox_messages") as batch:
        batch.drop_column("secret_enc")
        batch.alter_column("recipient", existing_type=sa.String(length=512), type_=sa.String(length=255),
                           existing_nullable=False)
    # The SMS texts dropped on upgrade do not come back.
