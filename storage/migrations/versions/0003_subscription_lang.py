"""subscription.lang: the daily messages' language while a chat has set none with /lang

Revision ID: 0003_subscription_lang
Revises: 0002_ranks
Create Date: 2026-12-02

Before, /subscribe stored the subscriber's language as the chat's, so a group's answers followed the
admin who subscribed it instead of each member. Existing subscriptions keep what they have (their chat's
language, if any), so nothing is copied here.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_subscription_lang"
down_revision = "0002_ranks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("subscription") as batch:
        batch.add_column(sa.Column("lang", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("subscription") as batch:
        batch.drop_column("lang")
