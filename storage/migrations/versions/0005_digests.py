"""Weekly and monthly digests: the digest_post and delivery_photo tables, the subscription's digests,
and outbox rows that belong to a digest, carry buttons or are a photo

Revision ID: 0005_digests
Revises: 0004_sender_lease
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_digests"
down_revision = "0004_sender_lease"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "digest_post",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("period", "first_day", name="uq_digest_post_period_first"),
    )
    op.create_table(
        "delivery_photo",
        sa.Column("key", sa.String(length=64), autoincrement=False, nullable=False),
        sa.Column("png", sa.LargeBinary(), nullable=False),
        sa.Column("file_id", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("subscription") as batch:
        batch.add_column(sa.Column("digests", sa.String(length=8), nullable=False, server_default="none"))
    # Nothing refers to the outbox, so SQLite's rebuild of it (batch mode) is safe with foreign keys on.
    with op.batch_alter_table("delivery") as batch:
        batch.alter_column("post_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("digest_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("markup", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("photo", sa.String(length=64), nullable=True))
        batch.create_foreign_key("fk_delivery_digest_id", "digest_post", ["digest_id"], ["id"])
        batch.create_unique_constraint("uq_delivery_digest_chat_kind", ["digest_id", "chat_id", "kind"])


def downgrade() -> None:
    op.execute("DELETE FROM delivery WHERE digest_id IS NOT NULL")
    with op.batch_alter_table("delivery") as batch:
        batch.drop_constraint("uq_delivery_digest_chat_kind", type_="unique")
        batch.drop_constraint("fk_delivery_digest_id", type_="foreignkey")
        batch.drop_column("photo")
        batch.drop_column("markup")
        batch.drop_column("digest_id")
        batch.alter_column("post_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("subscription") as batch:
        batch.drop_column("digests")
    op.drop_table("delivery_photo")
    op.drop_table("digest_post")
