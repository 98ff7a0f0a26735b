"""The exercises (`data/training_exercises.yaml`) and how each answer is checked: the product computes the right
answer on the participant's sandbox, and the feedback says how far the answer is and where the guide explains it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import yaml

from eipkit import i18n
from eipkit.i18n import Message
from eipkit.store import Database
from eipkit.vocabulary import OPEN, OpportunityKind, Stage

if TYPE_CHECKING:
    from eipkit.certification.evidence import ParkFacts


@dataclass(frozen=True)
class Exercise:
    exercise_id: str
    guide: str
    anchor: str
    answer: str  # number or opportunities
    title: dict[str, str]
    task: dict[str, str]
    unit: str = ""
    tolerance: float = 0.0  # relative, for a number
    params: dict[str, Any] | None = None


@dataclass(frozen=True)
class Verdict:
    correct: bool
    feedback: Message


@cache
def catalogue() -> dict[str, Exercise]:
    text = resources.files("eipkit.data").joinpath("training_exercises.yaml").read_text(encoding="utf-8")
    found = {}
    for raw in yaml.safe_load(text)["exercises"]:
        known = {"id", "guide", "anchor", "answer", "tolerance", "unit"} | {
            f"{k}_{lang}" for k in ("title", "task") for lang in i18n.LANGUAGES
        }
        found[raw["id"]] = Exercise(
            exercise_id=raw["id"],
            guide=raw["guide"],
            anchor=raw["anchor"],
            answer=raw["answer"],
            title={lang: raw[f"title_{lang}"] for lang in i18n.LANGUAGES},
            task={lang: raw[f"task_{lang}"] for lang in i18n.LANGUAGES},
            unit=raw.get("unit", ""),
            tolerance=float(raw.get("tolerance", 0.0)),
            params={k: v for k, v in raw.items() if k not in known},
        )
    return found


def _energy_intensity(sandbox: Database) -> float:
    from eipkit import api

    found = api.enterprise_indicators(sandbox, "DEEPC-001", 2024).values["energy_gj_per_bn_vnd"]
    assert found is not None  # the demo's DEEPC-001 reports energy and output in 2024
    return found


def _scope_2(sandbox: Database) -> float:
    from eipkit import api

    return api.park_kpi(sandbox, "DEEPC", 2024).scope2_tco2e


def saving_opportunity(sandbox: Database) -> str:
    """The RECP opportunity of DEEPC-001 the measured saving is to be recorded on: its first one not dropped."""
    from eipkit import api

    chosen = [
        o
        for o in api.enterprise_opportunities(sandbox, "DEEPC-001")
        if o.kind == OpportunityKind.RECP and o.stage != Stage.DROPPED
    ]
    return sorted(chosen, key=lambda o: o.opportunity_id)[0].opportunity_id


def _measured_saving(sandbox: Database) -> float:
    from eipkit import api

    return api.enterprise_measured_savings(sandbox, "DEEPC-001", [2022], 2024).avoided["electricity_mwh"].avoided


def _dossier_gaps(sandbox: Database) -> float:
    from eipkit import api

    return float(sum(r.status != "pass" for r in api.certify_park(sandbox, "NAMCAUKIEN").results))


NUMBERS: dict[str, Callable[[Database], float]] = {
    "energy-intensity": _energy_intensity,
    "scope-2": _scope_2,
    "record-saving": _measured_saving,
    "dossier-gaps": _dossier_gaps,
}


@dataclass(frozen=True)
class ShareGap:
    """What reaching a RECP share takes: the enterprises counted, needed, and each other enterprise's cheapest open
    RECP opportunity with a resource saving (its id and investment)."""

    enterprises: int
    counted: int
    needed: int
    cheapest: dict[str, tuple[str, float]]  # enterprise -> (opportunity, investment VND)

    @property
    def least_cost(self) -> float | None:
        costs = sorted(cost for _, cost in self.cheapest.values())
        return sum(costs[: self.needed]) if len(costs) >= self.needed else None


def share_gap(facts: ParkFacts, target_percent: float) -> ShareGap:
    """Art. 37(2)(c): the enterprises short of `target_percent` and the cheapest opportunity of each that is not
    counted yet (an opportunity without an investment figure cannot be costed and is left out)."""
    from eipkit.recp import park_share

    counted = set(facts.recp_with_savings())
    total = len(facts.enterprises)
    needed = park_share.enterprises_needed(len(counted), total, target_percent)
    cheapest: dict[str, tuple[str, float]] = {}
    for o in facts.opportunities:
        if o.kind != OpportunityKind.RECP or o.stage not in OPEN:
            continue
        if o.investment_vnd is None or not park_share.saves_a_resource(o):
            continue
        for enterprise in o.enterprise_ids:
            if enterprise in facts.members and enterprise not in counted:
                best = cheapest.get(enterprise)
                if best is None or (o.investment_vnd, o.opportunity_id) < (best[1], best[0]):
                    cheapest[enterprise] = (o.opportunity_id, o.investment_vnd)
    return ShareGap(total, len(counted), needed, cheapest)


def _ids(text: str) -> list[str]:
    return [part for part in re.split(r"[;,\s]+", text.strip()) if part]


def check(exercise: Exercise, sandbox: Database, answer: str, lang: str) -> Verdict:
    """Whether `answer` is right, computed by the product on the sandbox, with feedback for the participant."""
    if exercise.answer == "opportunities":
        return _check_share(exercise, sandbox, answer, lang)
    try:
        given = i18n.parse_number(answer, lang)
    except i18n.NotANumber:
        return Verdict(False, Message("train.not_a_number", answer=answer))
    expected = NUMBERS[exercise.exercise_id](sandbox)
    close = abs(given - expected) <= max(exercise.tolerance * abs(expected), 1e-9)
    if close:
        digits = 0 if float(expected).is_integer() else 2
        unit = f" {exercise.unit}" if exercise.unit else ""
        return Verdict(True, Message("train.right", expected=i18n.Figure(expected, digits), unit=unit))
    direction = "train.too_high" if given > expected else "train.too_low"
    if not exercise.tolerance:
        return Verdict(False, Message(f"{direction}_exact"))
    return Verdict(False, Message(direction, tolerance=i18n.Figure(100 * exercise.tolerance, 1)))


def _check_share(exercise: Exercise, sandbox: Database, answer: str, lang: str) -> Verdict:
    from eipkit import api

    params = exercise.params or {}
    facts = api.park_facts(sandbox, "NAMCAUKIEN")  # read once: the gap and the answer's opportunities
    gap = share_gap(facts, float(params["target_percent"]))
    chosen = _ids(answer)
    by_id = {o.opportunity_id: o for o in facts.opportunities}
    unknown = [i for i in chosen if i not in by_id or by_id[i].kind != "recp"]
    if unknown:
        return Verdict(False, Message("train.unknown_opportunities", ids=", ".join(unknown)))
    open_ids = {o for o, _ in gap.cheapest.values()} | {
        o.opportunity_id for o in by_id.values() if o.stage in OPEN and o.investment_vnd is not None
    }
    gained = {e for i in chosen if i in open_ids for e in by_id[i].enterprise_ids if e in gap.cheapest}
    cost = sum(by_id[i].investment_vnd or 0.0 for i in set(chosen))
    least = gap.least_cost
    if len(gained) < gap.needed:
        return Verdict(False, Message("train.share_short", gained=len(gained), needed=gap.needed))
    if least is not None and cost > least + 0.5:
        return Verdict(
            False, Message("train.share_dear", cost=i18n.Figure(cost / 1e6, 0), least=i18n.Figure(least / 1e6, 0))
        )
    return Verdict(True, Message("train.share_right", needed=gap.needed, cost=i18n.Figure(cost / 1e6, 0)))
