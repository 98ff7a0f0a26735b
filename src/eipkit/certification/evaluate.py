"""A park (or each of its enterprises) against a rule pack: pass, fail or unknown per criterion, with the value,
the threshold, the evidence, what is missing and the cheapest path to close a gap.

A criterion whose wording could not be verified is unknown whatever the data say; a threshold nobody could read is
unknown until a user sets one. `eligible` is True only when every criterion passes, False as soon as one fails, and
None otherwise, so an unverified clause can never turn into a silent pass.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from eipkit import i18n
from eipkit.certification.evidence import ParkFacts
from eipkit.certification.measures import MEASURES, Outcome
from eipkit.certification.rules import Criterion, RulePack
from eipkit.i18n import Message
from eipkit.model import Enterprise

PASS, FAIL, UNKNOWN = "pass", "fail", "unknown"


@dataclass
class CriterionResult:
    criterion: Criterion
    status: str
    value: Any
    evidence: list[Message] = field(default_factory=list)
    missing: list[Message] = field(default_factory=list)
    path: list[Message] = field(default_factory=list)

    def as_dict(self, lang: str = "vi", named: bool = True) -> dict[str, Any]:
        """The result for a reader; with `named` False (a reader without the right to see a park's details) the
        evidence, what is missing and the path count enterprises and opportunities instead of naming them."""
        c = self.criterion
        evidence, missing, path = (_counted(m, named) for m in (self.evidence, self.missing, self.path))
        return {
            "id": c.id,
            "title": c.title[lang],
            "citation": c.citation[lang],
            "status": self.status,
            "value": self.value,
            "threshold": c.threshold.text(lang) if c.threshold else None,
            "threshold_set_by_user": bool(c.threshold and c.threshold.set_by_user),
            "wording": c.wording,
            "confidence": c.confidence,
            "evidence": [m.text(lang) for m in evidence],
            "missing": [m.text(lang) for m in missing],
            "path": [m.text(lang) for m in path] if self.status != PASS else [],
        }


NAMING = frozenset({"names", "enterprise", "enterprises", "ids", "title", "ref"})


def _counted(messages: list[Message], named: bool) -> list[Message]:
    """Messages that name enterprises or opportunities (a parameter in NAMING) said by count: in their `.counted`
    wording when the messages have one, else left out and counted in one closing line."""
    if named:
        return messages
    kept, withheld = [], 0
    for message in messages:
        if not NAMING & message.params.keys():
            kept.append(message)
        elif i18n.known(f"{message.key}.counted"):
            params = {k: v for k, v in message.params.items() if k not in NAMING}
            kept.append(Message(f"{message.key}.counted", **params))
        else:
            withheld += 1
    if withheld:
        kept.append(Message("cert.withheld", count=withheld))
    return kept


def _verdict(results: list[CriterionResult]) -> bool | None:
    statuses = {r.status for r in results}
    if FAIL in statuses:
        return False
    return None if UNKNOWN in statuses else True


@dataclass
class Evaluation:
    pack: RulePack
    subject: str  # park or enterprise id
    name: str
    year: int
    results: list[CriterionResult]

    @property
    def eligible(self) -> bool | None:
        return _verdict(self.results)

    @property
    def eligible_on_verified(self) -> bool | None:
        """The same judgement over the criteria whose wording is verified: what the data can already say."""
        return _verdict([r for r in self.results if r.criterion.wording == "verified"])

    def as_dict(self, lang: str = "vi", named: bool = True) -> dict[str, Any]:
        unverified = [r.criterion.id for r in self.results if r.criterion.wording == "unverified"]
        return {
            "pack": self.pack.id,
            "pack_version": self.pack.version,
            "pack_title": self.pack.title[lang],
            "subject": self.subject,
            "name": self.name,
            "year": self.year,
            "eligible": self.eligible,
            "eligible_on_verified_criteria": self.eligible_on_verified,
            "unverified_criteria": unverified,
            "criteria": [r.as_dict(lang, named) for r in self.results],
        }


def judge(criterion: Criterion, facts: ParkFacts) -> CriterionResult:
    outcome: Outcome = MEASURES[criterion.measure](facts, criterion, criterion.params)
    result = CriterionResult(criterion, UNKNOWN, outcome.value, outcome.evidence, outcome.missing, outcome.path)
    if criterion.wording == "unverified":
        if not any(m.key == "cert.missing.unverified" for m in result.missing):
            result.missing.append(Message("cert.missing.unverified"))
        return result
    threshold = criterion.threshold
    if outcome.compare:
        if outcome.value is None:
            return result
        if threshold is None or threshold.value is None:
            result.missing.append(Message("cert.missing.threshold", id=criterion.id))
            return result
        result.status = PASS if threshold.holds(float(outcome.value)) else FAIL
    elif outcome.passed is not None:
        result.status = PASS if outcome.passed else FAIL
    return result


def evaluate_park(pack: RulePack, facts: ParkFacts, on: dt.date | None = None) -> Evaluation:
    """The park against the pack's park criteria in force on `on` (default: the end of the facts' year)."""
    on = on or dt.date(facts.year, 12, 31)
    results = [judge(c, facts) for c in pack.criteria if c.in_force(on)]
    return Evaluation(pack, facts.park.park_id, facts.park.name, facts.year, results)


def enterprise_facts(facts: ParkFacts, enterprise: Enterprise) -> ParkFacts:
    """The facts as one enterprise sees them: its own opportunities and the waste it sends or receives."""
    own = enterprise.enterprise_id
    records = replace(facts.records, waste=[w for w in facts.records.waste if own in (w.enterprise_id, w.receiver)])
    opportunities = [o for o in facts.opportunities if own in o.enterprise_ids]
    return ParkFacts(facts.park, facts.year, [enterprise], opportunities, records, facts.park_of)


def evaluate_enterprise(
    pack: RulePack, facts: ParkFacts, enterprise: Enterprise, on: dt.date | None = None
) -> Evaluation:
    """One enterprise of the park against the pack's eco-enterprise criteria (Decree 35 Art. 40(2), 42)."""
    on = on or dt.date(facts.year, 12, 31)
    own = enterprise_facts(facts, enterprise)
    results = [judge(c, own) for c in pack.enterprise_criteria if c.in_force(on)]
    return Evaluation(pack, enterprise.enterprise_id, enterprise.name, facts.year, results)


def evaluate_enterprises(pack: RulePack, facts: ParkFacts, on: dt.date | None = None) -> list[Evaluation]:
    return [evaluate_enterprise(pack, facts, enterprise, on) for enterprise in facts.enterprises]
