"""unit prices: models billed per image, character, second or search unit

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("models", schema=None) as batch_op:
        batch_op.add_column(sa.Column("image_prices", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("image_input_price", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("character_price", sa.BigInteger(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("second_price", sa.BigInteger(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("search_unit_price", sa.BigInteger(), nullable=False, server_default="0"))


def downgrade():
    with op.batch_alter_table("models", schema=None) as batch_op:
        for name in ("search_unit_price", "second_price", "character_price", "image_input_price", "image_prices"):
            batch_op.drop_column(name)
