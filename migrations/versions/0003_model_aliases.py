"""model aliases (Anthropic model names mapped to registry models), cache write price

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("models", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cache_write_price", sa.BigInteger(), nullable=True))
    op.create_table(
        "model_aliases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pattern", sa.String(length=128), nullable=False),
        sa.Column("model_id", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["model_id"], ["models.id"], name=op.f("fk_model_aliases_model_id_models"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_aliases")),
        sa.UniqueConstraint("pattern", name=op.f("uq_model_aliases_pattern")),
    )


def downgrade():
    op.drop_table("model_aliases")
    with op.batch_alter_table("models", schema=None) as batch_op:
        batch_op.drop_column("cache_write_price")
