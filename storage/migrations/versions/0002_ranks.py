"""The figures' derived rows: running sums and the rank each day held at the time (storage/ranks.py)

Revision ID: 0002_ranks
Revises: 0001
Create Date: 2026-12-02

Creates `figure_stat` and fills it from the stored figures. Unlike a table of the data itself, this one
is derived: it must hold what the code of this revision derives, so it is filled by `storage.ranks`
(a later change to the derivation comes with a migration that rebuilds it the same way).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_ranks"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "figure_stat",
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("report_date", sa.Date(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("reported_sum", sa.BigInteger(), nullable=False),
        sa.Column("known", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column("ties", sa.Integer(), nullable=True),
        sa.Column("known_regular", sa.Integer(), nullable=True),
        sa.Column("rank_regular", sa.Integer(), nullable=True),
        sa.Column("ties_regular", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["report_date"], ["report.report_date"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("category", "report_date"),
    )
    with op.batch_alter_table("figure_stat", schema=None) as batch_op:
        batch_op.create_index("ix_figure_stat_day", ["report_date"], unique=False)
        batch_op.create_index(
            "ix_figure_stat_record", ["category", "rank", "ties", "report_date"], unique=False
        )
        batch_op.create_index(
            "ix_figure_stat_record_regular",
            ["category", "rank_regular", "ties_regular", "report_date"],
            unique=False,
        )
    from storage import ranks  # the derivation of this revision (see above)

    ranks.rebuild(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("figure_stat", schema=None) as batch_op:
        batch_op.drop_index("ix_figure_stat_record_regular")
        batch_op.drop_index("ix_figure_stat_record")
        batch_op.drop_index("ix_figure_stat_day")
    op.drop_table("figure_stat")
