"""Published bundles: the source files of each published knowledge version.

Revision ID: 0003_published_bundles
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_published_bundles"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kb_bundles",
        sa.Column(
            "version_id",
            sa.Integer(),
            sa.ForeignKey("kb_versions.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("format", sa.String(32), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("kb_bundles")
