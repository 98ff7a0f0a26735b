"""Initial schema: parks, enterprises, yearly records, opportunities, import log.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "imports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=1000), nullable=False),
        sa.Column("rows", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imports")),
    )
    op.create_table(
        "parks",
        sa.Column("park_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("province", sa.String(length=500), nullable=False),
        sa.Column("area_ha", sa.Float(), nullable=False),
        sa.Column("green_area_ha", sa.Float(), nullable=True),
        sa.Column("industrial_land_ha", sa.Float(), nullable=True),
        sa.Column("established_year", sa.Integer(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("investor", sa.String(length=500), nullable=True),
        sa.Column("wwtp_capacity_m3_per_day", sa.Float(), nullable=True),
        sa.Column("services", sa.Text(), nullable=True),
        sa.Column("investor_violations_3y", sa.Integer(), nullable=True),
        sa.Column("io_monitoring", sa.Boolean(), nullable=True),
        sa.Column("last_annual_report_year", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("park_id", name=op.f("pk_parks")),
    )
    with op.batch_alter_table("parks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_parks_province"), ["province"], unique=False)

    op.create_table(
        "enterprises",
        sa.Column("enterprise_id", sa.String(length=64), nullable=False),
        sa.Column("park_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("vsic", sa.String(length=5), nullable=False),
        sa.Column("employees", sa.Integer(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("iso_14001", sa.Boolean(), nullable=True),
        sa.Column("iso_50001", sa.Boolean(), nullable=True),
        sa.Column("violations_3y", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["park_id"], ["parks.park_id"], name=op.f("fk_enterprises_park_id_parks")),
        sa.PrimaryKeyConstraint("enterprise_id", name=op.f("pk_enterprises")),
    )
    with op.batch_alter_table("enterprises", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enterprises_park_id"), ["park_id"], unique=False)

    op.create_table(
        "opportunities",
        sa.Column("opportunity_id", sa.String(length=64), nullable=False),
        sa.Column("park_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("basis", sa.String(length=20), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=True),
        sa.Column("year_identified", sa.Integer(), nullable=True),
        sa.Column("year_implemented", sa.Integer(), nullable=True),
        sa.Column("investment_vnd", sa.Float(), nullable=True),
        sa.Column("electricity_mwh", sa.Float(), nullable=True),
        sa.Column("fuel_gj", sa.Float(), nullable=True),
        sa.Column("fuel", sa.String(length=40), nullable=True),
        sa.Column("water_m3", sa.Float(), nullable=True),
        sa.Column("materials_t", sa.Float(), nullable=True),
        sa.Column("chemicals_t", sa.Float(), nullable=True),
        sa.Column("waste_t", sa.Float(), nullable=True),
        sa.Column("cost_saving_vnd", sa.Float(), nullable=True),
        sa.Column("co2e_t", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["park_id"], ["parks.park_id"], name=op.f("fk_opportunities_park_id_parks")),
        sa.PrimaryKeyConstraint("opportunity_id", name=op.f("pk_opportunities")),
    )
    with op.batch_alter_table("opportunities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_opportunities_park_id"), ["park_id"], unique=False)

    op.create_table(
        "energy",
        sa.Column("enterprise_id", sa.String(length=64), nullable=False),
        sa.Column("carrier", sa.String(length=40), nullable=False),
        sa.Column("cost_vnd", sa.Float(), nullable=True),
        sa.Column("energy_gj", sa.Float(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"], ["enterprises.enterprise_id"], name=op.f("fk_energy_enterprise_id_enterprises")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_energy")),
        sa.UniqueConstraint("enterprise_id", "year", "carrier", name=op.f("uq_energy_enterprise_id")),
    )
    with op.batch_alter_table("energy", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_energy_enterprise_id"), ["enterprise_id"], unique=False)

    op.create_table(
        "materials",
        sa.Column("enterprise_id", sa.String(length=64), nullable=False),
        sa.Column("material", sa.String(length=500), nullable=False),
        sa.Column("chemical", sa.Boolean(), nullable=True),
        sa.Column("cost_vnd", sa.Float(), nullable=True),
        sa.Column("mass_t", sa.Float(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.enterprise_id"],
            name=op.f("fk_materials_enterprise_id_enterprises"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_materials")),
        sa.UniqueConstraint("enterprise_id", "year", "material", name=op.f("uq_materials_enterprise_id")),
    )
    with op.batch_alter_table("materials", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_materials_enterprise_id"), ["enterprise_id"], unique=False)

    op.create_table(
        "opportunity_enterprises",
        sa.Column("opportunity_id", sa.String(length=64), nullable=False),
        sa.Column("enterprise_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.enterprise_id"],
            name=op.f("fk_opportunity_enterprises_enterprise_id_enterprises"),
        ),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["opportunities.opportunity_id"],
            name=op.f("fk_opportunity_enterprises_opportunity_id_opportunities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("opportunity_id", "enterprise_id", name=op.f("pk_opportunity_enterprises")),
    )
    op.create_table(
        "production",
        sa.Column("enterprise_id", sa.String(length=64), nullable=False),
        sa.Column("product", sa.String(length=500), nullable=False),
        sa.Column("value_vnd", sa.Float(), nullable=True),
        sa.Column("canonical_quantity", sa.Float(), nullable=False),
        sa.Column("canonical_unit", sa.String(length=10), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.enterprise_id"],
            name=op.f("fk_production_enterprise_id_enterprises"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_production")),
        sa.UniqueConstraint("enterprise_id", "year", "product", name=op.f("uq_production_enterprise_id")),
    )
    with op.batch_alter_table("production", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_production_enterprise_id"), ["enterprise_id"], unique=False)

    op.create_table(
        "waste",
        sa.Column("enterprise_id", sa.String(length=64), nullable=False),
        sa.Column("waste", sa.String(length=500), nullable=False),
        sa.Column("fate", sa.String(length=20), nullable=False),
        sa.Column("waste_code", sa.String(length=8), nullable=True),
        sa.Column("hazardous", sa.Boolean(), nullable=True),
        sa.Column("receiver", sa.String(length=64), nullable=True),
        sa.Column("cost_vnd", sa.Float(), nullable=True),
        sa.Column("mass_t", sa.Float(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"], ["enterprises.enterprise_id"], name=op.f("fk_waste_enterprise_id_enterprises")
        ),
        sa.ForeignKeyConstraint(
            ["receiver"], ["enterprises.enterprise_id"], name=op.f("fk_waste_receiver_enterprises")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waste")),
    )
    with op.batch_alter_table("waste", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_waste_enterprise_id"), ["enterprise_id"], unique=False)

    op.create_table(
        "water",
        sa.Column("enterprise_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("cost_vnd", sa.Float(), nullable=True),
        sa.Column("volume_m3", sa.Float(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"], ["enterprises.enterprise_id"], name=op.f("fk_water_enterprise_id_enterprises")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_water")),
        sa.UniqueConstraint("enterprise_id", "year", "kind", name=op.f("uq_water_enterprise_id")),
    )
    with op.batch_alter_table("water", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_water_enterprise_id"), ["enterprise_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("water", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_water_enterprise_id"))

    op.drop_table("water")
    with op.batch_alter_table("waste", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_waste_enterprise_id"))

    op.drop_table("waste")
    with op.batch_alter_table("production", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_production_enterprise_id"))

    op.drop_table("production")
    op.drop_table("opportunity_enterprises")
    with op.batch_alter_table("materials", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_materials_enterprise_id"))

    op.drop_table("materials")
    with op.batch_alter_table("energy", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_energy_enterprise_id"))

    op.drop_table("energy")
    with op.batch_alter_table("opportunities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_opportunities_park_id"))

    op.drop_table("opportunities")
    with op.batch_alter_table("enterprises", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enterprises_park_id"))

    op.drop_table("enterprises")
    with op.batch_alter_table("parks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_parks_province"))

    op.drop_table("parks")
    op.drop_table("imports")
