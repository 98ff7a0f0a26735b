"""The contract's choices as typed enumerations: the same values and order as data/enums.csv, or no start."""

from __future__ import annotations

import csv
from importlib import resources

import pytest

from eipkit import contract, vocabulary
from eipkit.vocabulary import OPEN, PIPELINE, Stage, VocabularyDrift


def _listed(name: str) -> list[str]:
    """The values of one enumeration, read from the file itself (not through eipkit.contract)."""
    text = resources.files("eipkit.data").joinpath("enums.csv").read_text(encoding="utf-8")
    return [row["value"] for row in csv.DictReader(text.splitlines()) if row["enum"] == name]


@pytest.mark.parametrize("name", sorted(vocabulary.ENUMERATIONS))
def test_each_enumeration_holds_the_data_tables_values_in_their_order(name: str) -> None:
    assert [m.value for m in vocabulary.ENUMERATIONS[name]] == _listed(name)


def test_the_stages_helpers_follow_the_pipeline() -> None:
    assert tuple(Stage(v) for v in _listed("stage") if v != "dropped") == PIPELINE
    assert OPEN == (Stage.IDENTIFIED, Stage.PROPOSED, Stage.FEASIBILITY, Stage.IMPLEMENTING)
    assert [s for s in Stage if s.is_open] == list(OPEN) and not Stage.DROPPED.is_open
    assert [s for s in Stage if s.is_early] == [Stage.IDENTIFIED, Stage.PROPOSED]
    assert Stage("feasibility").position == 2 and Stage.PROPOSED == "proposed"


def test_a_table_and_code_that_drift_apart_stop_eipkit_with_the_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    listed = contract.enum_values
    monkeypatch.setattr(
        contract, "enum_values", lambda name: (*listed(name), "audited") if name == "stage" else listed(name)
    )
    with pytest.raises(VocabularyDrift, match=r"'stage' lists identified, .*, audited; eipkit\.vocabulary\.Stage"):
        vocabulary._check()


def test_every_carrier_burnt_on_site_has_its_combustion_factors_and_no_other_does() -> None:
    from eipkit.vocabulary import Carrier

    text = resources.files("eipkit.data").joinpath("fuels.csv").read_text(encoding="utf-8")
    with_factors = {row["carrier"] for row in csv.DictReader(text.splitlines())}
    assert {c.value for c in Carrier if c.is_burnt} == with_factors - {c.value for c in Carrier if not c.is_burnt}
    assert {c for c in Carrier if c.is_electricity} == {
        Carrier.ELECTRICITY_GRID,
        Carrier.ELECTRICITY_SOLAR_ONSITE,
        Carrier.ELECTRICITY_RENEWABLE_PURCHASED,
    }
    assert not Carrier.STEAM_PURCHASED.is_burnt and Carrier.BIOGAS.is_burnt
