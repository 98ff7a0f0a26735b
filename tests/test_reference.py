"""Reference data: the published figures, their fallbacks, and their completeness."""

import pytest

from eipkit import contract, reference, units

PUBLISHED_GRID = {
    2014: 0.6612,
    2015: 0.8154,
    2016: 0.9185,
    2017: 0.8649,
    2018: 0.9130,
    2019: 0.8458,
    2020: 0.8041,
    2021: 0.7221,
    2022: 0.6766,
    2023: 0.6592,
}


@pytest.mark.parametrize(("year", "value"), sorted(PUBLISHED_GRID.items()))
def test_official_grid_factors_are_the_published_ones(year: int, value: float) -> None:
    choice = reference.grid_factor(year)
    assert choice.tco2_per_mwh == value
    assert not choice.is_fallback
    assert choice.factor.status == "official"


def test_a_later_year_uses_the_latest_official_factor_and_says_so() -> None:
    choice = reference.grid_factor(2025)
    assert (choice.year, choice.tco2_per_mwh, choice.is_fallback) == (2023, 0.6592, True)
    assert "2025" in choice.note("en") and "2023" in choice.note("en")
    assert "chính thức" in choice.note("vi")


def test_research_estimates_are_kept_but_never_chosen() -> None:
    assert reference.grid_factors()[2024].status == "estimate"
    assert reference.grid_factor(2024).tco2_per_mwh != reference.grid_factors()[2024].tco2_per_mwh


def test_a_year_before_the_series_is_refused() -> None:
    with pytest.raises(ValueError, match="starts in 2014"):
        reference.grid_factor(2010)


def test_ar5_gwps() -> None:
    assert reference.gwp() == {"CO2": 1, "CH4": 28, "N2O": 265}


def test_every_fuel_carrier_of_the_contract_has_factors() -> None:
    fuels = set(contract.enum_values("carrier")) - units.ELECTRIC_OR_HEAT
    assert fuels == set(reference.fuels())
    assert all(f.source and f.confidence for f in reference.fuels().values())


def test_diesel_factors_are_ipcc_2006_defaults() -> None:
    diesel = reference.fuels()["diesel"]
    assert (diesel.ncv_mj_per_kg, diesel.co2_kg_per_tj, diesel.ch4_kg_per_tj, diesel.n2o_kg_per_tj) == (
        43.0,
        74100,
        3,
        0.6,
    )


def test_vsic_2018_has_its_88_divisions() -> None:
    divisions = reference.divisions()
    assert len(divisions) == 88
    assert divisions["26"].section == "C"
    assert divisions["17"].name_vi == "Sản xuất giấy và sản phẩm từ giấy"
