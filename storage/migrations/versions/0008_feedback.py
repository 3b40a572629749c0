"""Questions asked and the entries users chose after them, for curators; no user in either.

Revision ID: 0008_feedback
Revises: 0007_delivery
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_feedback"
down_revision = "0007_delivery"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "questions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("outcome", sa.String(8), nullable=False),
        sa.Column("entry_id", sa.String(64), nullable=True),
        sa.Column("offered", sa.Text(), nullable=False, server_default="[]"),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column(
            "rephrase_of",
            sa.Integer(),
            sa.ForeignKey("questions.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_questions_asked_at", "questions", ["asked_at"])
    op.create_table(
        "choices",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "question_id",
            sa.Integer(),
            sa.ForeignKey("questions.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("entry_id", sa.String(64), nullable=False),
        sa.Column("via", sa.String(16), nullable=False),
        sa.Column("top_entry_id", sa.String(64), nullable=True),
        sa.Column("chosen_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_choices_chosen_at", "choices", ["chosen_at"])


def downgrade() -> None:
    op.drop_index("ix_choices_chosen_at", table_name="choices")
    op.drop_table("choices")
    op.drop_index("ix_questions_asked_at", table_name="questions")
    op.drop_table("questions")
