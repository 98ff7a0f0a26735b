"""Regulation impact analysis: Decree 82/2018 against Decree 35/2022 on hand-made parks, a pack diff, a threshold
sweep counted by hand. Expected standings are worked out from the packs' wording in the comments."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from eipkit.certification import impact, rules
from eipkit.certification.evidence import ParkFacts
from eipkit.certification.rules import RulePackError
from test_certification import park, recp, symbiosis, tenants

D82 = rules.load("vn-decree-82-2018")
D35 = rules.load("vn-decree-35-2022")


def facts(park_id: str, count: int, recp_for: int, **park_changes: object) -> ParkFacts:
    """`count` tenants with ISO 14001 and no violations, RECP measured at the first `recp_for`, one link E1-E2;
    green 60 of 200 ha; the annual report of 2024 filed; year 2025."""
    members = [e.__class__(**{**e.__dict__, "park_id": park_id}) for e in tenants(count)]
    opportunities = [recp(f"E{i}") for i in range(recp_for)] + [symbiosis("E1", "E2")]
    return ParkFacts(park(park_id=park_id, green_area_ha=60.0, **park_changes), 2025, members, opportunities)


def hand_made() -> list[ParkFacts]:
    return [
        # A: every criterion both packs can judge passes; each pack has clauses it cannot judge -> undetermined twice
        facts("A", 5, 1),
        # B: no annual report for 2024: Decree 35 Art. 37(1)(c) fails; Decree 82 has no such criterion
        facts("B", 5, 1, last_annual_report_year=2022),
        # C: 25 tenants, 5 with RECP (20%), but only E1 and E2 in a link (8% < Decree 82's 10% planning IS)
        facts("C", 25, 5),
        # D: 1 of 10 with RECP (10%): below 20% under both -> not eligible under both, no change
        facts("D", 10, 1),
    ]


def test_decree_82_against_decree_35_gives_the_changes_worked_out_by_hand() -> None:
    comparison = impact.compare([D82, D35], hand_made())
    by_park = {j.subject: j for j in comparison.parks}
    standings = {p: tuple(s.standing for s in j.standings) for p, j in by_park.items()}
    assert standings == {
        "A": ("undetermined", "undetermined"),
        "B": ("undetermined", "not_eligible"),
        "C": ("not_eligible", "undetermined"),
        "D": ("not_eligible", "not_eligible"),
    }
    assert [j.subject for j in comparison.parks if j.changed] == ["B", "C"]
    (cause_b,) = by_park["B"].causes
    assert (cause_b.pack, cause_b.criterion.id, cause_b.change, cause_b.counterpart) == (
        "vn-decree-35-2022",
        "D35-37.1.c",
        "added",
        None,
    )
    (cause_c,) = by_park["C"].causes
    assert (cause_c.pack, cause_c.criterion.id, cause_c.change) == ("vn-decree-82-2018", "D82-43.6b", "dropped")
    assert by_park["D"].standings[0].failing == ("D82-43.4",)
    assert by_park["D"].standings[1].failing == ("D35-37.2.c",)
    assert by_park["D"].causes == ()
    assert comparison.counts() == [
        {"eligible": 0, "undetermined": 2, "not_eligible": 2, "no_criteria": 0},
        {"eligible": 0, "undetermined": 2, "not_eligible": 2, "no_criteria": 0},
    ]
    assert comparison.transitions() == {
        ("undetermined", "undetermined"): 1,
        ("undetermined", "not_eligible"): 1,
        ("not_eligible", "undetermined"): 1,
        ("not_eligible", "not_eligible"): 1,
    }
    assert comparison.causes() == {"D35-37.1.c": 1, "D82-43.6b": 1}


def test_eco_enterprises_exist_only_under_the_pack_that_certifies_them() -> None:
    comparison = impact.compare([D82, D35], [facts("A", 5, 1)])
    standings = {j.subject: tuple(s.standing for s in j.standings) for j in comparison.enterprises}
    # Decree 35 Art. 37(2) for one enterprise: no violations, a link with ISO, an implemented measured RECP saving.
    # E0 has the RECP saving but no link; E1 and E2 the link but no RECP; E3, E4 neither.
    assert standings["E0"] == ("no_criteria", "not_eligible")
    assert set(standings.values()) == {("no_criteria", "not_eligible")}
    both = facts("A", 5, 2)  # E1 now has RECP too, and the link with E2
    standings = {j.subject: j.standings[1].standing for j in impact.compare([D82, D35], [both]).enterprises}
    assert standings == {
        "E0": "not_eligible",
        "E1": "eligible",
        "E2": "not_eligible",
        "E3": "not_eligible",
        "E4": "not_eligible",
    }


def test_diff_pairs_criteria_by_measure_and_names_what_changed(tmp_path: Path) -> None:
    pairs = {
        (p.first.id if p.first else None, p.second.id if p.second else None): p.change for p in impact.diff(D82, D35)
    }
    assert pairs[("D82-43.4", "D35-37.2.c")] == "wording"  # both 20% of enterprises; secondary -> verified
    assert pairs[("D82-43.2", "D35-37.1.b")] == "wording"
    assert pairs[("D82-43.5", None)] == "dropped"  # the 25% land share
    # compliance of investor and tenants, one criterion in Decree 82, two points of Art. 37 in Decree 35
    assert pairs[("D82-43.1", "D35-37.1.a")] == pairs[("D82-43.1", "D35-37.2.a")] == "redefined"
    assert pairs[("D82-43.6a", "D35-37.2.b")] == "redefined"  # a link, now with ISO systems
    assert pairs[("D82-43.6b", None)] == "dropped"  # 10% planning IS
    assert pairs[(None, "D35-37.1.c")] == "added"
    draft = yaml.safe_load(rules.resources.files("eipkit.data").joinpath("rules/vn-decree-35-2022.yaml").read_text())
    draft["pack"]["id"] = "draft-2026"
    for criterion in draft["criteria"]:
        if criterion["id"] == "D35-37.2.c":
            criterion["threshold"]["value"] = 30
    path = tmp_path / "draft.yaml"
    path.write_text(yaml.safe_dump(draft, allow_unicode=True), encoding="utf-8")
    changed = [p for p in impact.diff(D35, rules.load(path)) if p.change != "same"]
    assert [(p.first.id, p.change) for p in changed] == [("D35-37.2.c", "threshold")]


def test_a_tighter_draft_moves_parks_below_its_threshold(tmp_path: Path) -> None:
    draft = D35.with_thresholds({"D35-37.2.c": 30})
    # A: 1 of 5 with RECP = 20%: passes 20%, fails 30%
    comparison = impact.compare([D35, draft], [facts("A", 5, 1), facts("E", 5, 2)], enterprises=False)
    (a, e) = comparison.parks
    assert (a.standings[0].standing, a.standings[1].standing) == ("undetermined", "not_eligible")
    assert [(c.criterion.id, c.change) for c in a.causes] == [("D35-37.2.c", "threshold")]
    assert not e.changed  # 2 of 5 = 40% passes both


def test_threshold_sweep_counts_parks_by_hand() -> None:
    # RECP shares: 1/10 = 10%, 1/5 = 20%, 2/5 = 40%, 5/25 = 20%
    parks = [facts("D", 10, 1), facts("A", 5, 1), facts("E", 5, 2), facts("C", 25, 5)]
    steps = impact.sweep(D35, "D35-37.2.c", [10, 20, 30, 40, 50], parks)
    assert [s.parks for s in steps] == [4, 4, 4, 4, 4]
    assert [s.parks_meeting for s in steps] == [4, 3, 1, 1, 0]
    # nothing else fails for these parks, so the parks that do not fail any criterion are those that meet it
    assert [s.parks_not_failing for s in steps] == [4, 3, 1, 1, 0]
    assert [s.parks_eligible for s in steps] == [0] * 5  # Decree 35's unverified clauses
    # eco-enterprises (RECP + the E1-E2 link with ISO), counted in the parks that meet the threshold: E1 in park E
    # (RECP for E0, E1); E1 and E2 in C (RECP for E0..E4); none in D or A (RECP for E0 alone)
    assert [s.eco_enterprises for s in steps] == [3, 3, 1, 1, 0]


def test_comparing_needs_two_packs_and_a_sweep_a_known_criterion() -> None:
    with pytest.raises(RulePackError):
        impact.compare([D35], [])
    with pytest.raises(RulePackError, match="no criterion"):
        impact.sweep(D35, "D35-99", [10], [])
