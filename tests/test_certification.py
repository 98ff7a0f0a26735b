"""Decree 35/2022 criteria at their boundaries, with hand-made parks whose answers are counted by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from eipkit.certification import evaluate, rules
from eipkit.certification.evidence import ParkFacts
from eipkit.model import Enterprise, Opportunity, Park, Records, WasteFlow

ALL_SERVICES = (
    "electricity",
    "water_supply",
    "telecom",
    "fire_protection",
    "wastewater_treatment",
    "waste_collection",
    "is_support",
)


def park(**changes: object) -> Park:
    values = {
        "park_id": "P",
        "name": "KCN Thử",
        "province": "Hải Phòng",
        "area_ha": 200.0,
        "services": ALL_SERVICES,
        "investor_violations_3y": 0,
        "io_monitoring": True,
        "last_annual_report_year": 2024,
    }
    return Park(**(values | changes))  # type: ignore[arg-type]


def tenants(count: int, **changes: object) -> list[Enterprise]:
    values = {"park_id": "P", "vsic": "2410", "iso_14001": True, "violations_3y": 0}
    return [Enterprise(f"E{i}", name=f"Công ty {i}", **(values | changes)) for i in range(count)]  # type: ignore[arg-type]


def recp(enterprise: str, stage: str = "implemented", basis: str = "measured", **changes: object) -> Opportunity:
    values = {"electricity_mwh": 12.0, "year_implemented": 2024}
    return Opportunity(
        f"R-{enterprise}-{stage}", "P", "recp", "Biến tần", stage, basis, (enterprise,), **(values | changes)
    )  # type: ignore[arg-type]


def symbiosis(*enterprises: str, stage: str = "implemented") -> Opportunity:
    return Opportunity(f"S-{'-'.join(enterprises)}", "P", "symbiosis", "Xỉ → gạch", stage, "expected", enterprises)


D35 = rules.load("vn-decree-35-2022")


def result(facts: ParkFacts, criterion: str, pack: rules.RulePack = D35) -> evaluate.CriterionResult:
    evaluation = evaluate.evaluate_park(pack, facts)
    (found,) = [r for r in evaluation.results if r.criterion.id == criterion]
    return found


def test_recp_share_of_one_in_five_is_twenty_percent_and_passes() -> None:
    facts = ParkFacts(park(), 2025, tenants(5), [recp("E0"), symbiosis("E1", "E2")])
    found = result(facts, "D35-37.2.c")
    assert (found.status, found.value) == ("pass", 20.0)


def test_recp_share_of_one_in_six_fails_and_names_the_cheapest_way_to_close_the_gap() -> None:
    opportunities = [
        recp("E0"),
        recp("E1", stage="feasibility", investment_vnd=900e6),
        recp("E2", stage="implementing", investment_vnd=2e9),
        recp("E3", stage="feasibility", investment_vnd=150e6),
        recp("E4", basis="expected"),  # implemented, savings not measured: nearest of all
    ]
    facts = ParkFacts(park(), 2025, tenants(6), opportunities)
    found = result(facts, "D35-37.2.c")
    assert found.status == "fail"
    assert found.value == pytest.approx(100 / 6, abs=0.01)
    # 20% of 6 is 1.2 enterprises: 2 are needed, 1 counted, so 1 more; the nearest is E4 (measure what was done)
    path = [m.text("en") for m in found.path]
    assert path[0].startswith("1 more enterprises")
    assert "E4: measure the savings of R-E4-implemented" in path[1]


def test_recp_without_measured_savings_or_implemented_later_does_not_count() -> None:
    opportunities = [recp("E0", basis="expected"), recp("E1", year_implemented=2026), recp("E2", electricity_mwh=0.0)]
    facts = ParkFacts(park(), 2025, tenants(5), opportunities)
    assert result(facts, "D35-37.2.c").value == 0.0


def test_only_a_measured_saving_of_resources_counts_not_a_co2_or_money_figure_alone() -> None:
    """Art. 37(2)(c): solutions that save materials, water, energy, chemicals, waste. E0 measured only CO2, E1 only
    money: neither counts; E2 measured water and E3 materials: 2 of 10 enterprises, 20%."""
    opportunities = [
        recp("E0", electricity_mwh=None, co2e_t=35.0),
        recp("E1", electricity_mwh=None, cost_saving_vnd=4e8),
        recp("E2", electricity_mwh=None, water_m3=1200.0),
        recp("E3", electricity_mwh=None, materials_t=8.0),
    ]
    facts = ParkFacts(park(), 2025, tenants(10), opportunities)
    found = result(facts, "D35-37.2.c")
    assert (found.value, found.status) == (20.0, "pass")
    assert sorted(facts.recp_with_savings()) == ["E2", "E3"]


def test_recp_gap_ranks_by_stage_then_investment() -> None:
    opportunities = [
        recp("E1", stage="feasibility", investment_vnd=900e6),
        recp("E2", stage="feasibility", investment_vnd=150e6),
        recp("E3", stage="identified", investment_vnd=1e6),
    ]
    facts = ParkFacts(park(), 2025, tenants(10), opportunities)
    path = [m.text("en") for m in result(facts, "D35-37.2.c").path]
    # 2 needed of 10: the two feasibility studies, cheaper first; the identified one is further away
    assert path[0].startswith("2 more enterprises")
    assert path[1].startswith("E2: implement R-E2-feasibility")
    assert "150,000,000 VND" in path[1]
    assert path[2].startswith("E1: implement")
    assert len(path) == 3


def test_one_link_between_iso_holders_passes_and_a_participant_without_iso_fails() -> None:
    enterprises = tenants(4)
    facts = ParkFacts(park(), 2025, enterprises, [symbiosis("E0", "E1")])
    assert result(facts, "D35-37.2.b").status == "pass"
    held = {"iso_14001": False, "iso_50001": False, "iso_9001": False}
    enterprises[1] = Enterprise("E1", "P", "Công ty 1", "2410", violations_3y=0, **held)
    facts = ParkFacts(park(), 2025, enterprises, [symbiosis("E0", "E1")])
    found = result(facts, "D35-37.2.b")
    assert found.status == "fail"
    assert "E1" in found.path[0].text("en")
    # ISO 9001 not known either way: whether E1 qualifies cannot be told
    unknown = Enterprise("E1", "P", "Công ty 1", "2410", violations_3y=0, iso_14001=False, iso_50001=False)
    enterprises[1] = unknown
    assert result(ParkFacts(park(), 2025, enterprises, [symbiosis("E0", "E1")]), "D35-37.2.b").status == "unknown"
    # ISO 50001 alone, or ISO 9001 alone (production management), is a suitable system; the reading is said
    for standard in ("iso_50001", "iso_9001"):
        enterprises[1] = Enterprise("E1", "P", "Công ty 1", "2410", violations_3y=0, **(held | {standard: True}))
        found = result(ParkFacts(park(), 2025, enterprises, [symbiosis("E0", "E1")]), "D35-37.2.b")
        assert found.status == "pass"
    evidence = [m.text("en") for m in found.evidence]
    assert any("ISO 14001, ISO 50001, ISO 9001" in e and "a reading" in e for e in evidence)


def test_no_link_fails_and_proposed_symbiosis_is_the_path() -> None:
    facts = ParkFacts(park(), 2025, tenants(3), [symbiosis("E0", "E1", stage="feasibility")])
    found = result(facts, "D35-37.2.b")
    assert (found.status, found.value) == ("fail", 0)
    assert "S-E0-E1" in found.path[1].text("vi")


def test_a_waste_record_sent_to_another_enterprise_is_a_link() -> None:
    waste = [WasteFlow("E0", 2025, "Xỉ lò", 300.0, "exchange", receiver="E1")]
    facts = ParkFacts(park(), 2025, tenants(3), [], Records(waste=waste))
    found = result(facts, "D35-37.2.b")
    assert (found.status, found.value) == ("pass", 1)
    # the same exchange in another year is not this year's link; sent to itself is no link
    other = [WasteFlow("E0", 2024, "Xỉ lò", 300.0, "exchange", receiver="E1")]
    assert result(ParkFacts(park(), 2025, tenants(3), [], Records(waste=other)), "D35-37.2.b").value == 0
    own = [WasteFlow("E0", 2025, "Xỉ lò", 300.0, "exchange", receiver="E0")]
    assert result(ParkFacts(park(), 2025, tenants(3), [], Records(waste=own)), "D35-37.2.b").value == 0


def test_link_recorded_twice_counts_once() -> None:
    waste = [WasteFlow("E0", 2025, "Xỉ lò", 300.0, "exchange", receiver="E1")]
    facts = ParkFacts(park(), 2025, tenants(3), [symbiosis("E0", "E1")], Records(waste=waste))
    assert result(facts, "D35-37.2.b").value == 1


def test_one_violation_fails_and_an_unknown_count_is_unknown() -> None:
    enterprises = tenants(4)
    assert result(ParkFacts(park(), 2025, enterprises, []), "D35-37.2.a").status == "pass"
    enterprises[2] = Enterprise("E2", "P", "Công ty 2", "2410", violations_3y=1)
    assert result(ParkFacts(park(), 2025, enterprises, []), "D35-37.2.a").status == "fail"
    enterprises[2] = Enterprise("E2", "P", "Công ty 2", "2410", violations_3y=None)
    found = result(ParkFacts(park(), 2025, enterprises, []), "D35-37.2.a")
    assert found.status == "unknown"
    assert "E2" in found.missing[0].text("en")
    assert result(ParkFacts(park(investor_violations_3y=1), 2025, tenants(2), []), "D35-37.1.a").status == "fail"
    assert result(ParkFacts(park(investor_violations_3y=None), 2025, tenants(2), []), "D35-37.1.a").status == "unknown"


def test_every_basic_service_is_needed() -> None:
    assert result(ParkFacts(park(), 2025, tenants(2), []), "D35-37.1.b").status == "pass"
    lacking = park(services=tuple(s for s in ALL_SERVICES if s != "wastewater_treatment"))
    found = result(ParkFacts(lacking, 2025, tenants(2), []), "D35-37.1.b")
    assert found.status == "fail"
    assert found.value == pytest.approx(100 * 6 / 7, abs=0.1)
    assert found.path[0].text("en") == "Add the missing services: Wastewater treatment"  # said by its label
    assert result(ParkFacts(park(services=()), 2025, tenants(2), []), "D35-37.1.b").status == "unknown"


def test_monitoring_needs_the_mechanism_and_last_years_report() -> None:
    assert result(ParkFacts(park(), 2025, tenants(2), []), "D35-37.1.c").status == "pass"
    assert result(ParkFacts(park(last_annual_report_year=2023), 2025, tenants(2), []), "D35-37.1.c").status == "fail"
    assert result(ParkFacts(park(io_monitoring=False), 2025, tenants(2), []), "D35-37.1.c").status == "fail"
    assert result(ParkFacts(park(io_monitoring=None), 2025, tenants(2), []), "D35-37.1.c").status == "unknown"


def test_unverified_clauses_are_unknown_so_a_perfect_park_is_never_silently_eligible() -> None:
    facts = ParkFacts(park(), 2025, tenants(5), [recp("E0"), symbiosis("E1", "E2")])
    evaluation = evaluate.evaluate_park(D35, facts)
    statuses = {r.criterion.id: r.status for r in evaluation.results}
    assert statuses == {
        "D35-37.1.a": "pass",
        "D35-37.1.b": "pass",
        "D35-37.1.c": "pass",
        "D35-37.1.d": "unknown",
        "D35-37.2.a": "pass",
        "D35-37.2.b": "pass",
        "D35-37.2.c": "pass",
        "D35-37.3": "unknown",
    }
    assert evaluation.eligible is None
    assert evaluation.eligible_on_verified is True
    assert evaluation.as_dict("en")["unverified_criteria"] == ["D35-37.1.d", "D35-37.3"]
    # one failure makes the park ineligible whatever is unknown
    failing = ParkFacts(park(investor_violations_3y=2), 2025, tenants(5), [recp("E0"), symbiosis("E1", "E2")])
    assert evaluate.evaluate_park(D35, failing).eligible is False


def test_eco_enterprises_each_against_article_37_2() -> None:
    enterprises = tenants(3)
    enterprises[2] = Enterprise("E2", "P", "Công ty 2", "2410", iso_14001=False, iso_50001=False, iso_9001=False)
    opportunities = [recp("E0"), recp("E2"), symbiosis("E0", "E2"), symbiosis("E1", "E0", stage="proposed")]
    facts = ParkFacts(park(), 2025, enterprises, opportunities)
    found = {e.subject: e for e in evaluate.evaluate_enterprises(D35, facts)}
    assert found["E0"].eligible is True  # RECP measured, in a link, ISO 14001, no violation
    assert found["E1"].eligible is False  # only a proposed link and no RECP
    assert {r.criterion.id: r.status for r in found["E2"].results}["D35-E.37.2.b"] == "fail"  # no ISO


def test_decree_82_pack_uses_its_own_thresholds() -> None:
    d82 = rules.load("vn-decree-82-2018")
    facts = ParkFacts(park(green_area_ha=60.0), 2025, tenants(10), [recp("E0"), symbiosis("E1", "E2")])
    evaluation = evaluate.evaluate_park(d82, facts, on=d82.effective_to)
    statuses = {r.criterion.id: (r.status, r.value) for r in evaluation.results}
    assert statuses["D82-43.4"] == ("fail", 10.0)  # 1 of 10 is below 20%
    assert statuses["D82-43.5"] == ("pass", 30.0)  # 60 of 200 ha green alone is over 25%
    assert statuses["D82-43.6b"] == ("pass", 20.0)  # E1, E2 of 10 in a link
    assert statuses["D82-43.3"][0] == "unknown"
    short = ParkFacts(park(green_area_ha=20.0), 2025, tenants(10), [])
    assert result(short, "D82-43.5", d82).status == "unknown"  # 10% green: roads and shared land could make 25%


def test_framework_thresholds_are_unknown_until_a_user_sets_one() -> None:
    framework = rules.load("intl-eip-framework-v2")
    facts = ParkFacts(park(green_area_ha=30.0), 2025, tenants(2), [])
    found = result(facts, "IF2-EN-06", framework)
    assert (found.status, found.value) == ("unknown", 15.0)
    mine = framework.with_thresholds({"IF2-EN-06": 10})
    found = result(facts, "IF2-EN-06", mine)
    assert found.status == "pass"
    assert found.as_dict("en")["threshold_set_by_user"] is True
    with pytest.raises(rules.RulePackError, match="IF2-XX"):
        framework.with_thresholds({"IF2-XX": 1})


def test_a_broken_pack_file_names_the_field(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(
        "pack: {id: mine, version: '1', title_vi: Bộ, title_en: Pack}\n"
        "criteria:\n  - {id: X1, measure: recp_share, wording: verified, title_vi: a, title_en: a,\n"
        "     threshold: {value: 20, comparison: '=>', unit: '%'}}\n",
        encoding="utf-8",
    )
    with pytest.raises(rules.RulePackError) as error:
        rules.load(path)
    assert "X1.threshold" in str(error.value)
    assert "Bộ tiêu chí" in error.value.text("vi")
    path.write_text(path.read_text(encoding="utf-8").replace("'=>'", "'>='").replace("recp_share", "nonsense"))
    with pytest.raises(rules.RulePackError, match=r"X1\.measure"):
        rules.load(path)
    with pytest.raises(rules.RulePackError, match="no-such-pack"):
        rules.load("no-such-pack")


def test_shipped_packs_cite_every_criterion_and_flag_the_unverified() -> None:
    for name in rules.packs():
        pack = rules.load(name)
        for criterion in pack.criteria + pack.enterprise_criteria:
            assert criterion.citation["vi"] and criterion.citation["en"], criterion.id
            assert criterion.confidence, criterion.id
            if criterion.wording == "unverified":
                assert criterion.measure == "unverified", criterion.id
    ids = {c.id for c in D35.criteria}
    assert {"D35-37.1.a", "D35-37.1.b", "D35-37.1.c", "D35-37.2.a", "D35-37.2.b", "D35-37.2.c"} <= ids


def test_the_renewable_share_counts_biomass_fuels_and_renewable_purchases() -> None:
    """1,600 GJ in a year: grid 600, onsite solar 100, a renewable purchase (DPPA) 100, wood 200, biogas 100, coal
    500. Renewable: 100 + 100 + 200 + 100 = 500 GJ, 31.25% (solar alone would have said 6.25%)."""
    from eipkit.certification.measures import MEASURES
    from eipkit.model import EnergyUse

    uses = {
        "electricity_grid": 600,
        "electricity_solar_onsite": 100,
        "electricity_renewable_purchased": 100,
        "biomass_wood": 200,
        "biogas": 100,
        "coal_anthracite": 500,
    }
    records = Records(energy=[EnergyUse("E0", 2025, carrier, gj) for carrier, gj in uses.items()])
    facts = ParkFacts(park(), 2025, tenants(1), [], records)
    outcome = MEASURES["renewable_share"](facts, None, {})
    assert outcome.value == pytest.approx(31.25)
    assert facts.accounts.renewable_tj() == pytest.approx(0.5)
    # the purchase is bought through the grid: location-based scope 2 at the grid factor, like grid electricity
    grid_factor = facts.accounts.grid_ef_tco2_per_mwh
    assert facts.accounts.scope2_tco2e == pytest.approx((600 + 100) / 3.6 * grid_factor)
