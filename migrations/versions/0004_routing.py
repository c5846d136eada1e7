"""routing and resilience: per-channel timeouts and health, per-key concurrency, tokens per minute, sticky routing

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("channels", schema=None) as batch_op:
        batch_op.add_column(sa.Column("connect_timeout", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("first_byte_timeout", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("idle_timeout", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("disabled_reason", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("checked_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("check_ok", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("check_latency_ms", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("check_error", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("upstream_balance", sa.String(length=64), nullable=True))
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tpm", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("max_concurrency", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("sticky_routing", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_column("sticky_routing")
        batch_op.drop_column("max_concurrency")
        batch_op.drop_column("tpm")
    with op.batch_alter_table("channels", schema=None) as batch_op:
        for column in ("upstream_balance", "check_error", "check_latency_ms", "check_ok", "checked_at",
                       "disabled_reason", "idle_timeout", "first_byte_timeout", "connect_timeout"):
            batch_op.drop_column(column)
