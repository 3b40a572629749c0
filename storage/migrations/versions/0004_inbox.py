"""The webhook inbox: updates stored before they are acknowledged, claimed, done.

Revision ID: 0004_inbox
Revises: 0003_published_bundles
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_inbox"
down_revision = "0003_published_bundles"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("update_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("chat_key", sa.BigInteger(), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.String(64), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_inbox_chat_update", "inbox", ["chat_key", "update_id"])
    op.create_index("ix_inbox_done_at", "inbox", ["done_at"])


def downgrade() -> None:
    op.drop_table("inbox")
