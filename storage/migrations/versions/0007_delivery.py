"""Where and when notifications are delivered: forum threads, silent delivery, time zones.

Subscriptions and outbox rows get a thread (0: the chat itself, or a forum's General topic); a
chat's subscriptions are unique per thread and topic. Chats get `silent` (send without sound)
and `time_zone` (an IANA name; NULL is UTC, which every digest time stored before was).

Revision ID: 0007_delivery
Revises: 0006_replicas
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_delivery"
down_revision = "0006_replicas"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("chats") as chats:
        chats.add_column(
            sa.Column("silent", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        chats.add_column(sa.Column("time_zone", sa.String(64), nullable=True))
    with op.batch_alter_table("subscriptions") as subscriptions:
        subscriptions.add_column(
            sa.Column("thread_id", sa.BigInteger(), nullable=False, server_default="0")
        )
        subscriptions.drop_constraint("uq_subscriptions_chat_topic", type_="unique")
        subscriptions.create_unique_constraint(
            "uq_subscriptions_chat_thread_topic", ["chat_id", "thread_id", "topic"]
        )
    with op.batch_alter_table("outbox") as outbox:
        outbox.add_column(
            sa.Column("thread_id", sa.BigInteger(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    op.execute("DELETE FROM subscriptions WHERE thread_id <> 0")
    with op.batch_alter_table("outbox") as outbox:
        outbox.drop_column("thread_id")
    with op.batch_alter_table("subscriptions") as subscriptions:
        subscriptions.drop_constraint("uq_subscriptions_chat_thread_topic", type_="unique")
        subscriptions.create_unique_constraint("uq_subscriptions_chat_topic", ["chat_id", "topic"])
        subscriptions.drop_column("thread_id")
    with op.batch_alter_table("chats") as chats:
        chats.drop_column("time_zone")
        chats.drop_column("silent")
