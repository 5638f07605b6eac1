"""review queue: priority factors, SLA, grouping, double review, appeals, labels, audit guard

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 08:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PG_GUARD = """
CREATE OR REPLACE FUNCTION review_events_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'review_events is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER review_events_no_update BEFORE UPDATE OR DELETE ON review_events
    FOR EACH ROW EXECUTE FUNCTION review_events_append_only();
"""
_SQLITE_GUARD = (
    "CREATE TRIGGER review_events_no_update BEFORE UPDATE ON review_events "
    "BEGIN SELECT RAISE(ABORT, 'review_events is append-only'); END",
    "CREATE TRIGGER review_events_no_delete BEFORE DELETE ON review_events "
    "BEGIN SELECT RAISE(ABORT, 'review_events is append-only'); END",
)


def upgrade() -> None:
    with op.batch_alter_table("review_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=12), server_default="screening", nullable=False))
        batch_op.add_column(sa.Column("group_key", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("brand_id", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("seller_id", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("risk", sa.Float(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("factors", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("due_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("required_reviews", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(sa.Column("excluded_moderator", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("origin_item_id", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("context", sa.JSON(), nullable=True))
        batch_op.create_index(batch_op.f("ix_review_items_group_key"), ["group_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_review_items_origin_item_id"), ["origin_item_id"], unique=False)
    op.execute("UPDATE review_items SET factors = '{}', context = '{}'")
    with op.batch_alter_table("review_items", schema=None) as batch_op:
        batch_op.alter_column("factors", existing_type=sa.JSON(), nullable=False)
        batch_op.alter_column("context", existing_type=sa.JSON(), nullable=False)

    with op.batch_alter_table("review_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_events_action"), ["action"], unique=False)

    op.create_table(
        "review_members",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("item_id", sa.String(length=40), nullable=False),
        sa.Column("screening_id", sa.String(length=40), nullable=False),
        sa.Column("listing_id", sa.String(length=200), nullable=False),
        sa.Column("seller_id", sa.String(length=200), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("title_key", sa.String(length=80), nullable=True),
        sa.Column("images", sa.JSON(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["review_items.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["screening_id"], ["screenings.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("review_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_members_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_review_members_listing_id"), ["listing_id"], unique=False)

    op.create_table(
        "review_decisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("item_id", sa.String(length=40), nullable=False),
        sa.Column("moderator_id", sa.String(length=40), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=30), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["review_items.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("review_decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_decisions_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_review_decisions_at"), ["at"], unique=False)

    op.create_table(
        "review_labels",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("item_id", sa.String(length=40), nullable=False),
        sa.Column("screening_id", sa.String(length=40), nullable=False),
        sa.Column("listing_id", sa.String(length=200), nullable=False),
        sa.Column("brand_id", sa.String(length=40), nullable=True),
        sa.Column("seller_id", sa.String(length=200), nullable=True),
        sa.Column("moderator_id", sa.String(length=40), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=30), nullable=False),
        sa.Column("label", sa.Integer(), nullable=True),
        sa.Column("risk", sa.Float(), nullable=False),
        sa.Column("model_version", sa.String(length=200), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("review_labels", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_labels_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_review_labels_brand_id"), ["brand_id"], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_GUARD)
    else:
        for statement in _SQLITE_GUARD:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS review_events_no_update ON review_events")
        op.execute("DROP FUNCTION IF EXISTS review_events_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS review_events_no_update")
        op.execute("DROP TRIGGER IF EXISTS review_events_no_delete")
    op.drop_table("review_labels")
    op.drop_table("review_decisions")
    op.drop_table("review_members")
    with op.batch_alter_table("review_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_events_action"))
    with op.batch_alter_table("review_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_items_origin_item_id"))
        batch_op.drop_index(batch_op.f("ix_review_items_group_key"))
        for column in ("context", "origin_item_id", "excluded_moderator", "required_reviews", "due_at",
                       "factors", "risk", "seller_id", "brand_id", "group_key", "kind"):
            batch_op.drop_column(column)
