"""The last answer of each conversation (a chat and a user, under a keyed hash), kept for the
follow-up window (storage/follow_ups.py).

Revision ID: 0009_last_answers
Revises: 0008_feedback
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_last_answers"
down_revision = "0008_feedback"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "last_answers",
        sa.Column("talk", sa.String(64), primary_key=True),  # HMAC of chat and user ids
        sa.Column("entry_id", sa.String(64), nullable=True),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("language", sa.String(8), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_last_answers_answered_at", "last_answers", ["answered_at"])


def downgrade() -> None:
    op.drop_index("ix_last_answers_answered_at", table_name="last_answers")
    op.drop_table("last_answers")
