"""Running replicas and the version each serves (storage/replicas.py).

Revision ID: 0006_replicas
Revises: 0005_rates
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_replicas"
down_revision = "0005_rates"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "replicas",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("serving", sa.Integer(), nullable=True),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("replicas")
