"""Accounting against hand calculations from the published factors."""

import pytest

from eipkit.accounting import Factors, account, combustion
from eipkit.model import EnergyUse, MaterialUse, Output, Records, WasteFlow, WaterUse


def energy(carrier: str, gj: float, year: int = 2022, enterprise: str = "E1") -> EnergyUse:
    return EnergyUse(enterprise, year, carrier, gj)


def test_a_thousand_mwh_of_grid_electricity_in_2022_is_676_6_tco2() -> None:
    # DCC combined margin 2022: 0.6766 tCO2/MWh; 1,000 MWh = 3,600 GJ
    accounts = account(Records(energy=[energy("electricity_grid", 3600)]), 2022, enterprises=1)
    assert accounts.scope2_tco2e == pytest.approx(676.6)
    assert accounts.electricity_mwh == pytest.approx(1000)
    assert (accounts.grid_ef_tco2_per_mwh, accounts.grid_ef_year) == (0.6766, 2022)


def test_a_tonne_of_diesel_is_about_3_2_tco2e() -> None:
    # 1 t x 43.0 GJ/t = 0.043 TJ. CO2 0.043 x 74,100 = 3,186.3 kg; CH4 0.043 x 3 = 0.129 kg x 28 = 3.612 kg;
    # N2O 0.043 x 0.6 = 0.0258 kg x 265 = 6.837 kg. Total 3,196.749 kg CO2e.
    accounts = account(Records(energy=[energy("diesel", 43.0)]), 2022, enterprises=1)
    assert accounts.scope1_tco2e == pytest.approx(3.196749)
    assert accounts.fuel_tj == pytest.approx(0.043)


def test_biomass_co2_is_biogenic_and_only_its_ch4_and_n2o_count_in_scope_1() -> None:
    # 10 t of wood x 15.6 GJ/t = 156 GJ = 0.156 TJ. CO2 0.156 x 112,000 = 17,472 kg (biogenic);
    # CH4 0.156 x 30 = 4.68 kg x 28 = 131.04 kg; N2O 0.156 x 4 = 0.624 kg x 265 = 165.36 kg; scope 1 = 296.4 kg.
    accounts = account(Records(energy=[energy("biomass_wood", 156)]), 2022, enterprises=1)
    assert accounts.biogenic_co2_t == pytest.approx(17.472)
    assert accounts.scope1_tco2e == pytest.approx(0.2964)


def test_onsite_solar_counts_as_electricity_but_emits_nothing() -> None:
    records = Records(energy=[energy("electricity_grid", 360, 2023), energy("electricity_solar_onsite", 360, 2023)])
    accounts = account(records, 2023, enterprises=1)
    assert accounts.electricity_mwh == pytest.approx(200)
    assert accounts.scope2_tco2e == pytest.approx(100 * 0.6592)


def test_a_year_without_an_official_factor_borrows_the_latest_and_says_so() -> None:
    accounts = account(Records(energy=[energy("electricity_grid", 3600, year=2025)]), 2025, enterprises=1)
    assert accounts.grid_ef_year == 2023
    assert accounts.scope2_tco2e == pytest.approx(659.2)
    assert any("2025" in note for note in accounts.notes)


def test_records_of_other_years_are_left_out() -> None:
    records = Records(energy=[energy("electricity_grid", 3600, 2021), energy("electricity_grid", 7200, 2022)])
    assert account(records, 2022, enterprises=1).electricity_mwh == pytest.approx(2000)


def test_waste_by_fate_and_recovered_share() -> None:
    flows = [
        WasteFlow("E1", 2022, "sludge", 10, "landfill", hazardous=True),
        WasteFlow("E1", 2022, "scrap", 4, "recycling"),
        WasteFlow("E1", 2022, "ash", 3, "exchange", receiver="E2"),
        WasteFlow("E1", 2022, "pallets", 2, "reuse"),
        WasteFlow("E1", 2022, "sawdust", 1, "energy_recovery"),
        WasteFlow("E1", 2022, "solvent", 5, "incineration", hazardous=True),
    ]
    accounts = account(Records(waste=flows), 2022, enterprises=1)
    assert accounts.waste_t == 25
    assert accounts.hazardous_waste_t == 15
    assert accounts.waste_landfilled_t == 10
    assert accounts.waste_recovered_t == 4 + 3 + 2 + 1


def test_water_materials_and_production_value() -> None:
    records = Records(
        water=[
            WaterUse("E1", 2022, "withdrawal", 1000),
            WaterUse("E1", 2022, "wastewater", 800),
            WaterUse("E2", 2022, "withdrawal", 500),
        ],
        materials=[MaterialUse("E1", 2022, "steel", 12), MaterialUse("E1", 2022, "acid", 3, chemical=True)],
        production=[Output("E1", 2022, "parts", 100, "t", 5e9), Output("E2", 2022, "boxes", 10, "t", 1e9)],
    )
    accounts = account(records, 2022, enterprises=3)
    assert (accounts.water_withdrawal_m3, accounts.wastewater_m3) == (1500, 800)
    assert (accounts.materials_t, accounts.chemicals_t) == (15, 3)
    assert accounts.production_value_vnd == 6e9
    assert (accounts.enterprises, accounts.enterprises_reporting) == (3, 2)


def test_combustion_of_natural_gas_with_gas_by_gas_figures() -> None:
    # 1 TJ of natural gas: CO2 56,100 kg, CH4 1 kg, N2O 0.1 kg -> 56.1 + 0.028 + 0.0265 t CO2e
    burnt = combustion("natural_gas", 1000, Factors.for_year(2022))
    assert (burnt.fossil_co2_t, burnt.ch4_t, burnt.n2o_t) == pytest.approx((56.1, 0.001, 0.0001))
    assert burnt.co2e_t == pytest.approx(56.1545)
