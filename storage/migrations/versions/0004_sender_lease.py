"""One sender per bot token: the sender_lease table

Revision ID: 0004_sender_lease
Revises: 0003_subscription_lang
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_sender_lease"
down_revision = "0003_subscription_lang"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sender_lease",
        sa.Column("bot_id", sa.String(length=32), autoincrement=False, nullable=False),
        sa.Column("owner", sa.String(length=40), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("bot_id"),
    )


def downgrade() -> None:
    op.drop_table("sender_lease")
