"""ledger: the sweeper's index holds only reservations (a partial index), so releases, charges and credits no longer update it

Revision ID: 0010
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

RESERVES = sa.text("kind = 'reserve'")


def upgrade():
    op.drop_index("ix_ledger_kind_created", table_name="ledger_entries")
    op.create_index("ix_ledger_reserves_created", "ledger_entries", ["created_at"], unique=False,
                    sqlite_where=RESERVES, postgresql_where=RESERVES)


def downgrade():
    op.drop_index("ix_ledger_reserves_created", table_name="ledger_entries")
    op.create_index("ix_ledger_kind_created", "ledger_entries", ["kind", "created_at"], unique=False)
