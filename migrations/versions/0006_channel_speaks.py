"""channel speaks: the dialects a channel's upstream speaks, as the operator says

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    # Comma-separated dialect names (services.catalog.dialects); NULL: the provider default.
    with op.batch_alter_table("channels", schema=None) as batch_op:
        batch_op.add_column(sa.Column("speaks", sa.String(length=255), nullable=True))


def downgrade():
    with op.batch_alter_table("channels", schema=None) as batch_op:
        batch_op.drop_column("speaks")
