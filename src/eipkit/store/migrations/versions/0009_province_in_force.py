"""Parks are filed under the provincial unit in force since the 2025 merger (Resolution 202/2025/QH15), with the
province as written kept: stored parks of a former province ("Long An") are re-filed ("Tây Ninh").

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from eipkit.provinces import resolve

    with op.batch_alter_table("parks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("province_as_written", sa.String(length=500), nullable=True))
    parks = sa.table("parks", sa.column("park_id"), sa.column("province"), sa.column("province_as_written"))
    connection = op.get_bind()
    for park_id, province in connection.execute(sa.select(parks.c.park_id, parks.c.province)).all():
        resolved = resolve(province)
        if resolved.name != province:
            connection.execute(
                parks.update()
                .where(parks.c.park_id == park_id)
                .values(province=resolved.name, province_as_written=province)
            )


def downgrade() -> None:
    parks = sa.table("parks", sa.column("province"), sa.column("province_as_written"))
    op.execute(
        parks.update().where(parks.c.province_as_written.is_not(None)).values(province=parks.c.province_as_written)
    )
    with op.batch_alter_table("parks", schema=None) as batch_op:
        batch_op.drop_column("province_as_written")
