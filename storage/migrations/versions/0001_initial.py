"""The first schema: reports, figures, chat preferences, moderation, delivery

Revision ID: 0001
Revises: nothing (the schema `create_all` made before migrations existed)
Create Date: 2026-12-01

Exactly what `SQLModel.metadata.create_all` made before (tests/storage/test_migrations.py compares). The
column types are the databases' own (DateTime, String), not storage/schema.py's TypeDecorators, which only
convert values in Python: a migration must keep meaning what it meant when written, whatever the code
becomes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chat_prefs",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("chat_id"),
    )
    op.create_table(
        "delivery_post",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_date", sa.Date(), nullable=False),
        sa.Column("available_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("report_date"),
    )
    op.create_table(
        "pending_preview",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("moderator_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("report_date", sa.Date(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("raw_text", sa.Text(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("has_errors", sa.Boolean(), nullable=False),
        sa.Column("base_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("closed_by", sa.BigInteger(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_pending_preview_status"), "pending_preview", ["status"], unique=False)
    op.create_table(
        "report",
        sa.Column("report_date", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("source_url", sa.Text(), nullable=True),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("report_date"),
    )
    op.create_table(
        "report_revision",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("report_date", sa.Date(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("moderator_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("raw_text", sa.Text(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("report_date", "revision", name="uq_report_revision_date_rev"),
    )
    op.create_index(op.f("ix_report_revision_report_date"), "report_revision", ["report_date"], unique=False)
    op.create_table(
        "subscription",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("chat_type", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=256), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("receive", sa.String(length=8), nullable=False),
        sa.Column("send_at", sa.String(length=5), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("top_personnel", sa.Integer(), nullable=False),
        sa.Column("top_other", sa.Integer(), nullable=False),
        sa.Column("subscribed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("chat_id"),
    )
    op.create_table(
        "delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("op", sa.String(length=4), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("owner", sa.String(length=40), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("corrected_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["delivery_post.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("post_id", "chat_id", "kind", name="uq_delivery_post_chat_kind"),
    )
    op.create_index("ix_delivery_chat", "delivery", ["chat_id", "state", "id"], unique=False)
    op.create_index("ix_delivery_state", "delivery", ["state", "not_before", "id"], unique=False)
    op.create_table(
        "figure",
        sa.Column("report_date", sa.Date(), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("increase", sa.BigInteger(), nullable=True),
        sa.Column("change", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["report_date"], ["report.report_date"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("report_date", "category"),
    )
    op.create_index(
        "ix_figure_category_date", "figure", ["category", "report_date", "total", "increase"], unique=False
    )
    op.create_index(
        "ix_figure_category_increase", "figure", ["category", "increase", "report_date"], unique=False
    )
    op.create_index(
        "ix_figure_recount",
        "figure",
        ["report_date"],
        unique=False,
        sqlite_where=sa.text("increase <> change"),
        postgresql_where=sa.text("increase <> change"),
    )


def downgrade() -> None:
    op.drop_index(
        "ix_figure_recount",
        table_name="figure",
        sqlite_where=sa.text("increase <> change"),
        postgresql_where=sa.text("increase <> change"),
    )
    op.drop_index("ix_figure_category_increase", table_name="figure")
    op.drop_index("ix_figure_category_date", table_name="figure")
    op.drop_table("figure")
    op.drop_index("ix_delivery_state", table_name="delivery")
    op.drop_index("ix_delivery_chat", table_name="delivery")
    op.drop_table("delivery")
    op.drop_table("subscription")
    op.drop_index(op.f("ix_report_revision_report_date"), table_name="report_revision")
    op.drop_table("report_revision")
    op.drop_table("report")
    op.drop_index(op.f("ix_pending_preview_status"), table_name="pending_preview")
    op.drop_table("pending_preview")
    op.drop_table("delivery_post")
    op.drop_table("chat_prefs")
