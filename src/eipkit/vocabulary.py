"""The contract's choices the code reasons about, as typed enumerations: an opportunity's stage, kind and basis, a
waste's fate, an energy carrier. Their values and order are those of `data/enums.csv`, checked when this module is
imported, so the code and the workbook's drop-downs cannot drift apart; labels in either language come from the same
table (`contract.enum_label`). Members are strings: `Stage.PROPOSED == "proposed"`, and a stored value reads back
with `Stage(value)`."""

from __future__ import annotations

from enum import StrEnum

from eipkit import contract


class VocabularyDrift(RuntimeError):
    """data/enums.csv and this module list different values: both are changed together or not at all."""


class Stage(StrEnum):
    """Where an opportunity is, in the pipeline's order; `dropped` stands aside from it."""

    IDENTIFIED = "identified"
    PROPOSED = "proposed"
    FEASIBILITY = "feasibility"
    IMPLEMENTING = "implementing"
    IMPLEMENTED = "implemented"
    DROPPED = "dropped"

    @property
    def is_open(self) -> bool:
        """Still to be done: neither implemented nor dropped (a planned measure, a pipeline's card)."""
        return self in OPEN

    @property
    def is_early(self) -> bool:
        """Nothing committed yet (identified or proposed): a dropped idea may come back to these, and a candidate
        proposed again may overwrite them."""
        return self in (Stage.IDENTIFIED, Stage.PROPOSED)

    @property
    def position(self) -> int:
        """Its place along the pipeline (dropped has none)."""
        return PIPELINE.index(self)


PIPELINE: tuple[Stage, ...] = tuple(s for s in Stage if s is not Stage.DROPPED)
OPEN: tuple[Stage, ...] = PIPELINE[:-1]


class OpportunityKind(StrEnum):
    RECP = "recp"
    SYMBIOSIS = "symbiosis"


class Basis(StrEnum):
    """How a saving is known: estimated beforehand, or measured at the meter (IPMVP)."""

    EXPECTED = "expected"
    MEASURED = "measured"


class Fate(StrEnum):
    """Where a waste goes; `exchange` is a symbiosis exchange with a named receiver."""

    LANDFILL = "landfill"
    INCINERATION = "incineration"
    TREATMENT = "treatment"
    RECYCLING = "recycling"
    REUSE = "reuse"
    ENERGY_RECOVERY = "energy_recovery"
    EXCHANGE = "exchange"


class Carrier(StrEnum):
    """An energy carrier a record may name: electricity of three origins, steam bought in, or a fuel burnt on site
    (whose factors are in `data/fuels.csv`)."""

    ELECTRICITY_GRID = "electricity_grid"
    ELECTRICITY_SOLAR_ONSITE = "electricity_solar_onsite"
    DIESEL = "diesel"
    FUEL_OIL = "fuel_oil"
    LPG = "lpg"
    NATURAL_GAS = "natural_gas"
    COAL_ANTHRACITE = "coal_anthracite"
    COAL_BITUMINOUS = "coal_bituminous"
    COAL_SUBBITUMINOUS = "coal_subbituminous"
    BIOMASS_WOOD = "biomass_wood"
    BIOMASS_RICE_HUSK = "biomass_rice_husk"
    BIOMASS_BAGASSE = "biomass_bagasse"
    BIOGAS = "biogas"
    ELECTRICITY_RENEWABLE_PURCHASED = "electricity_renewable_purchased"
    STEAM_PURCHASED = "steam_purchased"

    @property
    def is_electricity(self) -> bool:
        return self in (
            Carrier.ELECTRICITY_GRID,
            Carrier.ELECTRICITY_SOLAR_ONSITE,
            Carrier.ELECTRICITY_RENEWABLE_PURCHASED,
        )

    @property
    def is_burnt(self) -> bool:
        """Burnt on site (scope 1, by its combustion factors): neither electricity nor steam bought in."""
        return not self.is_electricity and self is not Carrier.STEAM_PURCHASED


ENUMERATIONS: dict[str, type[StrEnum]] = {
    "stage": Stage,
    "opportunity_kind": OpportunityKind,
    "basis": Basis,
    "fate": Fate,
    "carrier": Carrier,
}


def _check() -> None:
    for name, enumeration in ENUMERATIONS.items():
        written, listed = tuple(enumeration), contract.enum_values(name)
        if written != listed:
            raise VocabularyDrift(
                f"data/enums.csv '{name}' lists {', '.join(listed)}; eipkit.vocabulary.{enumeration.__name__} "
                f"holds {', '.join(written)}: change both together"
            )


_check()

__all__ = [
    "ENUMERATIONS",
    "OPEN",
    "PIPELINE",
    "Basis",
    "Carrier",
    "Fate",
    "OpportunityKind",
    "Stage",
    "VocabularyDrift",
]
