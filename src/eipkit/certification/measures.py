"""The measures a rule pack names: each computes one criterion's value from a park's facts, says which records
prove it, what is missing when it cannot, and the cheapest way to close the gap when it fails."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from eipkit import contract, labels
from eipkit.certification.evidence import ISO_STANDARDS, ParkFacts
from eipkit.i18n import Figure, Message, Said
from eipkit.model import Enterprise, Opportunity
from eipkit.recp import park_share
from eipkit.vocabulary import OPEN, OpportunityKind, Stage

NEAREST_FIRST = tuple(reversed(OPEN))  # the stages still open, nearest to 'implemented' first


class StageLabel(Message):
    """An opportunity stage in the reader's language."""

    def __init__(self, stage: str) -> None:
        super().__init__("stage", stage=stage)

    def text(self, lang: str = "en") -> str:
        return contract.enum_label("stage", self.params["stage"], lang)  # type: ignore[arg-type]


def _cost(o: Opportunity) -> float:
    return o.investment_vnd if o.investment_vnd is not None else math.inf


def _investment(o: Opportunity) -> Message | str:
    return Figure(o.investment_vnd) if o.investment_vnd is not None else "?"


@dataclass
class Outcome:
    """A measure's answer before the threshold is applied: `passed` is None when the data cannot tell."""

    value: Any
    passed: bool | None = None
    evidence: list[Message] = field(default_factory=list)
    missing: list[Message] = field(default_factory=list)
    path: list[Message] = field(default_factory=list)
    compare: bool = True  # False when the measure judges itself (composite criteria)


Measure = Callable[[ParkFacts, Any, dict[str, Any]], Outcome]
MEASURES: dict[str, Measure] = {}


def measure(name: str) -> Callable[[Measure], Measure]:
    def register(function: Measure) -> Measure:
        MEASURES[name] = function
        return function

    return register


def contract_label(sheet: str, column: str) -> str:
    """A contract column as people name it (ISO 9001, not iso_9001)."""
    return next(c.label("en") for c in contract.sheets()[sheet].columns if c.name == column)


def _percent(part: float, whole: float) -> float:
    return 100.0 * part / whole if whole else 0.0


def _names(enterprises: list[Enterprise] | list[str], limit: int = 10) -> str:
    ids = [e.enterprise_id if isinstance(e, Enterprise) else e for e in enterprises]
    return ", ".join(ids[:limit]) + (f" (+{len(ids) - limit})" if len(ids) > limit else "")


@measure("unverified")
def _unverified(facts: ParkFacts, criterion: Any, params: dict[str, Any]) -> Outcome:
    return Outcome(None, None, missing=[Message("cert.missing.unverified")], path=[Message("cert.path.unverified")])


def _not_given(sheet: str, column: str) -> Message:
    """A figure the criterion needs that the park's (or some tenants') rows leave empty, named by its label."""
    key = "cert.missing.park_field" if sheet == "parks" else "cert.missing.enterprise_field"
    return Message(key, field=labels.ColumnName(sheet, column))


@measure("not_in_data")
def _not_in_data(facts: ParkFacts, criterion: Any, params: dict[str, Any]) -> Outcome:
    return Outcome(None, None, missing=[Said(params.get("question_vi", ""), params.get("question_en", ""))])


@measure("investor_violations")
def _investor_violations(facts: ParkFacts, criterion: Any, params: dict[str, Any]) -> Outcome:
    value = facts.park.investor_violations_3y
    if value is None:
        return Outcome(None, None, missing=[_not_given("parks", "investor_violations_3y")])
    column = labels.ColumnName("parks", "investor_violations_3y")
    given = Message("cert.evidence.park_field", field=column, value=value)
    outcome = Outcome(value, evidence=[given])
    outcome.path = [Message("cert.path.investor_violations")]
    return outcome


def _violations(enterprises: list[Enterprise]) -> Outcome:
    unknown = [e for e in enterprises if e.violations_3y is None]
    offenders = [e for e in enterprises if (e.violations_3y or 0) > 0]
    total = sum(e.violations_3y or 0 for e in enterprises)
    outcome = Outcome(total)
    if offenders:
        outcome.evidence.append(Message("cert.evidence.offenders", names=_names(offenders), count=len(offenders)))
        outcome.path.append(Message("cert.path.offenders", names=_names(offenders)))
    if unknown:
        outcome.missing.append(Message("cert.missing.violations", names=_names(unknown), count=len(unknown)))
        if not offenders:
            outcome.value, outcome.passed, outcome.compare = None, None, False
    else:
        outcome.evidence.append(Message("cert.evidence.violations_known", count=len(enterprises)))
    return outcome


@measure("enterprise_violations")
def _enterprise_violations(facts: ParkFacts, criterion: Any, params: dict[str, Any]) -> Outcome:
    return _violations(facts.enterprises)


@measure("all_violations")
def _all_violations(facts: ParkFacts, criterion: Any, params: dict[str, Any]) -> Outcome:
    outcome = _violations(facts.enterprises)
    investor = facts.park.investor_violations_3y
    if investor is None:
        outcome.missing.append(_not_given("parks", "investor_violations_3y"))
        if outcome.value == 0 or outcome.value is None:
            outcome.value, outcome.passed, outcome.compare = None, None, False
    elif outcome.value is not None:
        outcome.value += investor
    return outcome


@measure("basic_services")
def _basic_services(facts: ParkFacts, criterion: Any, params: dict[str, Any]) -> Outcome:
    required = list(params.get("required", []))
    offered = set(facts.park.services)
    if not offered:
        return Outcome(None, None, missing=[_not_given("parks", "services")])
    lacking = [s for s in required if s not in offered]
    outcome = Outcome(round(_percent(len(required) - len(lacking), len(required)), 1))
    outcome.evidence.append(Message("cert.evidence.services", services=labels.Choices("service", *sorted(offered))))
    if lacking:
        outcome.path.append(Message("cert.path.services", services=labels.Choices("service", *lacking)))
    return outcome


@measure("monitoring_and_report")
def _monitoring_and_report(facts: ParkFacts, criterion: Any, params: dict[str, Any]) -> Outcome:
    park = facts.park
    missing = []
    if park.io_monitoring is None:
        missing.append(_not_given("parks", "io_monitoring"))
    if park.last_annual_report_year is None:
        missing.append(_not_given("parks", "last_annual_report_year"))
    due = facts.year - 1
    fails = park.io_monitoring is False or (
        park.last_annual_report_year is not None and park.last_annual_report_year < due
    )
    outcome = Outcome(
        {"io_monitoring": park.io_monitoring, "last_annual_report_year": park.last_annual_report_year},
        passed=False if fails else (None if missing else True),
        missing=missing,
        compare=False,
    )
    outcome.evidence.append(
        Message("cert.evidence.monitoring", monitoring=yes_no(park.io_monitoring), year=park.last_annual_report_year)
    )
    if park.io_monitoring is False:
        outcome.path.append(Message("cert.path.monitoring"))
    if park.last_annual_report_year is not None and park.last_annual_report_year < due:
        outcome.path.append(Message("cert.path.annual_report", year=due))
    return outcome


def yes_no(flag: bool | None) -> Message:
    return Message({True: "cert.yes", False: "cert.no", None: "cert.unknown_flag"}[flag])


def _link_evidence(facts: ParkFacts) -> list[Message]:
    return [
        Message("cert.evidence.link", ref=link.ref, title=link.title, enterprises=" + ".join(link.enterprises))
        for link in facts.links[:10]
    ]


def _symbiosis_pipeline(facts: ParkFacts) -> list[Message]:
    """Symbiosis opportunities of the park not yet implemented, nearest to implementation first, then cheapest."""
    pending = [o for o in facts.opportunities if o.kind == OpportunityKind.SYMBIOSIS and o.stage in NEAREST_FIRST]
    pending.sort(
        key=lambda o: (NEAREST_FIRST.index(o.stage), o.investment_vnd if o.investment_vnd is not None else math.inf)
    )
    if not pending:
        return [Message("cert.path.no_symbiosis_pipeline")]
    return [
        Message(
            "cert.path.opportunity",
            id=o.opportunity_id,
            title=o.title,
            stage=StageLabel(o.stage),
            investment=_investment(o),
        )
        for o in pending[:5]
    ]


@measure("is_links")
def _is_links(facts: ParkFacts, criterion: Any, params: dict[str, Any]) -> Outcome:
    outcome = Outcome(len(facts.links), evidence=_link_evidence(facts))
    if not facts.links:
        outcome.path = [Message("cert.path.need_link"), *_symbiosis_pipeline(facts)]
    return outcome


@measure("is_links_with_iso")
@measure("own_symbiosis_with_iso")  # on an enterprise's own facts: its links and its own ISO
def _is_links_with_iso(facts: ParkFacts, criterion: Any, params: dict[str, Any]) -> Outcome:
    standards = tuple(params.get("standards", ISO_STANDARDS))
    outcome = _is_links(facts, criterion, params)
    outcome.compare = False
    if params.get("standards_wording") == "secondary":  # which standards count is a reading, not the decree's words
        named = ", ".join(contract_label("enterprises", s) for s in standards)
        outcome.evidence.append(
            Message(
                "cert.note.standards",
                standards=named,
                basis=Said(params.get("standards_basis_vi", ""), params.get("standards_basis_en", "")),
            )
        )
    held = {e: facts.has_iso(facts.members[e], standards) for e in facts.participants}
    without = [e for e, h in held.items() if h is False]
    unknown = [e for e, h in held.items() if h is None]
    enough = (
        criterion.threshold is None or criterion.threshold.value is None or criterion.threshold.holds(len(facts.links))
    )
    if held:
        outcome.evidence.append(
            Message("cert.evidence.iso", held=sum(h is True for h in held.values()), participants=len(held))
        )
    if without:
        outcome.path.append(Message("cert.path.iso", names=_names(without), standards=", ".join(standards)))
    if unknown:
        outcome.missing.append(Message("cert.missing.iso", names=_names(unknown)))
    if not enough or without:
        outcome.passed = False
    else:
        outcome.passed = None if unknown else True
    return outcome


@measure("recp_share")
def _recp_share(facts: ParkFacts, criterion: Any, params: dict[str, Any]) -> Outcome:
    counted = facts.recp_with_savings(float(params.get("minimum_saving", 0.0)))
    total = len(facts.enterprises)
    if total == 0:
        return Outcome(None, None, missing=[Message("cert.missing.no_enterprises")])
    share = _percent(len(counted), total)
    outcome = Outcome(round(share, 2), evidence=[Message("cert.evidence.recp", counted=len(counted), total=total)])
    outcome.evidence += [
        Message("cert.evidence.recp_enterprise", enterprise=e, ids=", ".join(o.opportunity_id for o in opps))
        for e, opps in sorted(counted.items())[:10]
    ]
    target = criterion.threshold.value if criterion.threshold and criterion.threshold.value is not None else None
    if target is not None:
        needed = park_share.enterprises_needed(len(counted), total, target)
        outcome.compare = False
        outcome.passed = needed == 0
        if needed:
            outcome.path = _recp_path(facts, counted, needed)
    return outcome


def _recp_path(facts: ParkFacts, counted: dict[str, Any], needed: int) -> list[Message]:
    """The cheapest way to `needed` more enterprises (`recp.park_share.cheapest_measures`), said step by step."""
    ranked = park_share.cheapest_measures(facts.opportunities, facts.members, counted, needed)
    path = [Message("cert.path.recp_needed", needed=needed)]
    for enterprise, o in ranked:
        step = "cert.path.recp_measure" if o.stage == Stage.IMPLEMENTED else "cert.path.recp_implement"
        path.append(
            Message(
                step,
                enterprise=enterprise,
                id=o.opportunity_id,
                title=o.title,
                investment=_investment(o),
                stage=StageLabel(o.stage),
            )
        )
    if len(ranked) < needed:
        path.append(Message("cert.path.recp_assess", count=needed - len(ranked)))
    return path


@measure("is_plan_share")
def _is_plan_share(facts: ParkFacts, criterion: Any, params: dict[str, Any]) -> Outcome:
    planning = {
        e
        for o in facts.opportunities
        if o.kind == OpportunityKind.SYMBIOSIS and o.stage != Stage.DROPPED
        for e in o.enterprise_ids
        if e in facts.members
    } | set(facts.participants)
    total = len(facts.enterprises)
    return Outcome(
        round(_percent(len(planning), total), 2), evidence=[Message("cert.evidence.plans", count=len(planning))]
    )


def _area_share(facts: ParkFacts, area: float | None, field_name: str) -> Outcome:
    if area is None or not facts.park.area_ha:
        return Outcome(None, None, missing=[_not_given("parks", field_name)])
    return Outcome(round(_percent(area, facts.park.area_ha), 2))


@measure("land_share")
def _land_share(facts: ParkFacts, criterion: Any, params: dict[str, Any]) -> Outcome:
    """Green area alone is a lower bound of green + roads + shared infrastructure: enough to pass, not to fail."""
    outcome = _area_share(facts, facts.park.green_area_ha, "green_area_ha")
    if outcome.value is None or criterion.threshold is None or criterion.threshold.value is None:
        return outcome
    outcome.compare = False
    outcome.evidence.append(Message("cert.evidence.green_lower_bound", share=outcome.value))
    if criterion.threshold.holds(outcome.value):
        outcome.passed = True
    else:
        outcome.missing.append(Message("cert.missing.shared_land"))
    return outcome


@measure("green_share")
def _green_share(facts: ParkFacts, criterion: Any, params: dict[str, Any]) -> Outcome:
    return _area_share(facts, facts.park.green_area_ha, "green_area_ha")


@measure("service_count")
def _service_count(facts: ParkFacts, criterion: Any, params: dict[str, Any]) -> Outcome:
    if not facts.park.services:
        return Outcome(None, None, missing=[_not_given("parks", "services")])
    return Outcome(len(facts.park.services))


@measure("io_monitoring_flag")
def _io_monitoring_flag(facts: ParkFacts, criterion: Any, params: dict[str, Any]) -> Outcome:
    if facts.park.io_monitoring is None:
        return Outcome(None, None, missing=[_not_given("parks", "io_monitoring")])
    return Outcome(int(facts.park.io_monitoring))


@measure("iso14001_share")
def _iso14001_share(facts: ParkFacts, criterion: Any, params: dict[str, Any]) -> Outcome:
    known = [e for e in facts.enterprises if e.iso_14001 is not None]
    if not known:
        return Outcome(None, None, missing=[_not_given("enterprises", "iso_14001")])
    outcome = Outcome(round(_percent(sum(bool(e.iso_14001) for e in known), len(facts.enterprises)), 2))
    if len(known) < len(facts.enterprises):
        outcome.missing.append(_not_given("enterprises", "iso_14001"))
    return outcome


def _ratio(part: float, whole: float, what: str) -> Outcome:
    if whole <= 0:
        return Outcome(None, None, missing=[Message("cert.missing.records", what=what)])
    return Outcome(round(_percent(part, whole), 2))


@measure("renewable_share")
def _renewable_share(facts: ParkFacts, criterion: Any, params: dict[str, Any]) -> Outcome:
    a = facts.accounts
    return _ratio(a.renewable_tj(), a.energy_tj, "energy")


@measure("ghg_inventory")
def _ghg_inventory(facts: ParkFacts, criterion: Any, params: dict[str, Any]) -> Outcome:
    a = facts.accounts
    if a.energy_tj <= 0:
        return Outcome(None, None, missing=[Message("cert.missing.records", what="energy")])
    return Outcome(round(a.scope1_tco2e + a.scope2_tco2e, 1))


@measure("wastewater_reuse_share")
def _wastewater_reuse_share(facts: ParkFacts, criterion: Any, params: dict[str, Any]) -> Outcome:
    a = facts.accounts
    return _ratio(a.water_reused_m3, a.wastewater_m3 + a.water_reused_m3, "water")


@measure("waste_recovery_share")
def _waste_recovery_share(facts: ParkFacts, criterion: Any, params: dict[str, Any]) -> Outcome:
    a = facts.accounts
    return _ratio(a.waste_recovered_t, a.waste_t, "waste")


@measure("employment")
def _employment(facts: ParkFacts, criterion: Any, params: dict[str, Any]) -> Outcome:
    known = [e.employees for e in facts.enterprises if e.employees is not None]
    if not known:
        return Outcome(None, None, missing=[_not_given("enterprises", "employees")])
    return Outcome(sum(known))


@measure("production_value")
def _production_value(facts: ParkFacts, criterion: Any, params: dict[str, Any]) -> Outcome:
    a = facts.accounts
    if not a.production_value_vnd:
        return Outcome(None, None, missing=[Message("cert.missing.records", what="production")])
    return Outcome(round(a.production_value_vnd))


def _own(facts: ParkFacts) -> Enterprise:
    (enterprise,) = facts.enterprises
    return enterprise


@measure("own_violations")
def _own_violations(facts: ParkFacts, criterion: Any, params: dict[str, Any]) -> Outcome:
    return _violations([_own(facts)])


@measure("own_recp")
def _own_recp(facts: ParkFacts, criterion: Any, params: dict[str, Any]) -> Outcome:
    counted = facts.recp_with_savings(float(params.get("minimum_saving", 0.0))).get(_own(facts).enterprise_id, [])
    outcome = Outcome(len(counted))
    outcome.evidence = (
        [
            Message(
                "cert.evidence.recp_enterprise",
                enterprise=_own(facts).enterprise_id,
                ids=", ".join(o.opportunity_id for o in counted),
            )
        ]
        if counted
        else []
    )
    if not counted:
        outcome.path = _recp_path(facts, {}, 1)
    return outcome
