"""The contract's choices the code reasons about, as typed enumerations: an opportunity's stage, kind and basis, a
waste's fate. Their values and order are those of `data/enums.csv`, checked when this module is imported, so the
code and the workbook's drop-downs cannot drift apart; labels in either language come from the same table
(`contract.enum_label`). Members are strings: `Stage.PROPOSED == "proposed"`, and a stored value reads back with
`Stage(value)`."""

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


ENUMERATIONS: dict[str, type[StrEnum]] = {
    "stage": Stage,
    "opportunity_kind": OpportunityKind,
    "basis": Basis,
    "fate": Fate,
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

__all__ = ["ENUMERATIONS", "OPEN", "PIPELINE", "Basis", "Fate", "OpportunityKind", "Stage", "VocabularyDrift"]
