"""Regulation impact analysis: the same parks and enterprises judged under two rule packs (a law in force and its
draft replacement, or the law and the one it replaced), what changes and which criterion causes it, and how many
qualify as one threshold moves.

Every criterion of a pack is applied to the data as they are, whatever its dates: the question is "what if this
pack applied to today's parks", not "what applied then". A park's standing under a pack is one of three:
`eligible` (every criterion passes), `not_eligible` (at least one fails, whatever its wording) or `undetermined`
(none fails, some cannot be judged: unverified clauses, facts not in the data), or `no_criteria` when the pack
does not judge that kind of subject. Criteria of two packs correspond when
they compute the same measure from the data (`diff`); a criterion whose measure is not in the other pack is new or
dropped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from eipkit.certification.evaluate import FAIL, PASS, UNKNOWN, CriterionResult, enterprise_facts, judge
from eipkit.certification.evidence import ParkFacts
from eipkit.certification.rules import Criterion, RulePack, RulePackError, Threshold

ELIGIBLE, NOT_ELIGIBLE, UNDETERMINED = "eligible", "not_eligible", "undetermined"
NO_CRITERIA = "no_criteria"  # the pack has no criteria for this kind of subject (Decree 82's pack: no eco-enterprise)
STANDINGS = (ELIGIBLE, UNDETERMINED, NOT_ELIGIBLE, NO_CRITERIA)


@dataclass(frozen=True)
class CriterionPair:
    """A criterion of the first pack and its counterpart in the second (same measure); either may be None."""

    measure: str
    first: Criterion | None
    second: Criterion | None

    @property
    def change(self) -> str:
        """'same', 'threshold', 'wording', 'redefined' (another measure), 'added' or 'dropped'."""
        if self.first is None:
            return "added"
        if self.second is None:
            return "dropped"
        if self.first.measure != self.second.measure:
            return "redefined"
        if _threshold(self.first) != _threshold(self.second):
            return "threshold"
        if self.first.wording != self.second.wording:
            return "wording"
        return "same"


def _threshold(criterion: Criterion) -> tuple[str, float | None] | None:
    t = criterion.threshold
    return None if t is None else (t.comparison, t.value)


def diff(first: RulePack, second: RulePack, enterprise: bool = False) -> list[CriterionPair]:
    """The two packs' criteria side by side (park criteria, or the eco-enterprise ones): paired where a criterion
    says which one it continues (`corresponds_to`, either way), else by the measure they compute; in the first pack's
    order, then the second's new ones. One criterion may continue into several (Decree 82's compliance of investor
    and enterprises became two points of Decree 35)."""
    a = list(first.enterprise_criteria if enterprise else first.criteria)
    b = list(second.enterprise_criteria if enterprise else second.criteria)
    continued: dict[str, list[Criterion]] = {c.id: [] for c in a}
    new = []
    for criterion in b:
        declared = [x for x in a if x.id in criterion.corresponds_to or criterion.id in x.corresponds_to]
        if declared:
            continued[declared[0].id].append(criterion)
        else:
            new.append(criterion)
    added = []
    for criterion in new:
        match = next((x for x in a if x.measure == criterion.measure and not continued[x.id]), None)
        if match is None:
            added.append(criterion)
        else:
            continued[match.id].append(criterion)
    pairs: list[CriterionPair] = []
    for criterion in a:
        seconds: list[Criterion | None] = [*continued[criterion.id]] or [None]
        pairs.extend(CriterionPair(criterion.measure, criterion, c) for c in seconds)
    pairs.extend(CriterionPair(c.measure, None, c) for c in added)
    return pairs


@dataclass(frozen=True)
class Standing:
    """One park or enterprise under one pack."""

    standing: str
    results: tuple[CriterionResult, ...]

    def ids(self, status: str) -> tuple[str, ...]:
        return tuple(r.criterion.id for r in self.results if r.status == status)

    @property
    def failing(self) -> tuple[str, ...]:
        return self.ids(FAIL)

    @property
    def unknown(self) -> tuple[str, ...]:
        return self.ids(UNKNOWN)


def standing(results: Sequence[CriterionResult]) -> Standing:
    statuses = {r.status for r in results}
    if not results:
        verdict = NO_CRITERIA
    elif FAIL in statuses:
        verdict = NOT_ELIGIBLE
    elif UNKNOWN in statuses:
        verdict = UNDETERMINED
    else:
        verdict = ELIGIBLE
    return Standing(verdict, tuple(results))


@dataclass(frozen=True)
class Cause:
    """A criterion that moves a subject between the packs, and how it differs from its counterpart."""

    pack: str
    criterion: Criterion
    change: str  # as CriterionPair.change, from the first pack to the second
    counterpart: Criterion | None


@dataclass(frozen=True)
class Judged:
    """A park (or an enterprise of it) under every pack compared."""

    kind: str  # 'park' or 'enterprise'
    subject: str
    name: str
    park_id: str
    province: str
    year: int
    standings: tuple[Standing, ...]
    causes: tuple[Cause, ...] = ()

    @property
    def changed(self) -> bool:
        """Standing differs between packs that both judge this kind of subject."""
        judged = {s.standing for s in self.standings} - {NO_CRITERIA}
        return len(judged) > 1


@dataclass
class Comparison:
    packs: tuple[RulePack, ...]
    parks: list[Judged] = field(default_factory=list)
    enterprises: list[Judged] = field(default_factory=list)

    def counts(self, kind: str = "park") -> list[dict[str, int]]:
        """Per pack, how many parks (or enterprises) stand where."""
        subjects = self.parks if kind == "park" else self.enterprises
        return [
            {s: sum(j.standings[i].standing == s for j in subjects) for s in STANDINGS} for i in range(len(self.packs))
        ]

    def transitions(self, kind: str = "park") -> dict[tuple[str, str], int]:
        """(standing under the first pack, under the last) -> how many."""
        subjects = self.parks if kind == "park" else self.enterprises
        return dict(Counter((j.standings[0].standing, j.standings[-1].standing) for j in subjects))

    def causes(self, kind: str = "park") -> dict[str, int]:
        """Criterion id -> how many subjects it moves between the first and last pack."""
        subjects = self.parks if kind == "park" else self.enterprises
        return dict(Counter(c.criterion.id for j in subjects if j.changed for c in j.causes))


def _causes(
    first: RulePack, second: RulePack, pairs: Sequence[CriterionPair], a: Standing, b: Standing
) -> tuple[Cause, ...]:
    """Why a subject stands differently: the criteria that fail (or cannot be judged) on the side it stands worse,
    where their counterpart on the other side (`pairs`, from `diff`) does not."""
    if a.standing == b.standing or NO_CRITERIA in (a.standing, b.standing):
        return ()
    status_a = {r.criterion.id: r.status for r in a.results}
    status_b = {r.criterion.id: r.status for r in b.results}
    rank = {ELIGIBLE: 0, UNDETERMINED: 1, NOT_ELIGIBLE: 2}
    worse_second = rank[b.standing] > rank[a.standing]
    blocking = FAIL if (b.standing if worse_second else a.standing) == NOT_ELIGIBLE else UNKNOWN
    found = []
    for pair in pairs:
        mine, theirs = (pair.second, pair.first) if worse_second else (pair.first, pair.second)
        own, other = (status_b, status_a) if worse_second else (status_a, status_b)
        if mine is None or own.get(mine.id) != blocking:
            continue
        if theirs is not None and other.get(theirs.id) == blocking:
            continue
        pack = second if worse_second else first
        found.append(Cause(pack.id, mine, pair.change, theirs))
    return tuple(found)


def _all_criteria(pack: RulePack, facts: ParkFacts, enterprise: bool = False) -> list[CriterionResult]:
    criteria = pack.enterprise_criteria if enterprise else pack.criteria
    return [judge(c, facts) for c in criteria]


def compare(
    packs: Sequence[RulePack],
    parks: Iterable[ParkFacts],
    enterprises: bool = True,
) -> Comparison:
    """Every park (and, with `enterprises`, each of its enterprises) under each pack; causes between the first pack
    and the last."""
    if len(packs) < 2:
        raise RulePackError("cert.compare_two")
    comparison = Comparison(tuple(packs))
    first, last = packs[0], packs[-1]
    park_pairs, enterprise_pairs = diff(first, last), diff(first, last, enterprise=True)
    for facts in parks:
        park = facts.park
        standings = tuple(standing(_all_criteria(p, facts)) for p in packs)
        causes = _causes(first, last, park_pairs, standings[0], standings[-1])
        comparison.parks.append(
            Judged("park", park.park_id, park.name, park.park_id, park.province, facts.year, standings, causes)
        )
        if not enterprises:
            continue
        for enterprise in facts.enterprises:
            own = enterprise_facts(facts, enterprise)
            standings = tuple(standing(_all_criteria(p, own, enterprise=True)) for p in packs)
            causes = _causes(first, last, enterprise_pairs, standings[0], standings[-1])
            comparison.enterprises.append(
                Judged(
                    "enterprise",
                    enterprise.enterprise_id,
                    enterprise.name,
                    park.park_id,
                    park.province,
                    facts.year,
                    standings,
                    causes,
                )
            )
    return comparison


@dataclass(frozen=True)
class SweepStep:
    """At one threshold: how many parks meet the swept criterion, how many stand eligible or not fail any
    criterion, and how many enterprises of the parks that meet it are eco-enterprises."""

    threshold: float
    parks: int
    parks_meeting: int
    parks_eligible: int
    parks_not_failing: int
    eco_enterprises: int


def sweep(
    pack: RulePack,
    criterion_id: str,
    thresholds: Sequence[float],
    parks: Iterable[ParkFacts],
) -> list[SweepStep]:
    """The pack with one criterion's threshold set to each value in turn, over the same parks: the facts are read
    once, the other criteria judged once, the swept one judged again at each value (a park criterion leaves the
    eco-enterprises as they are, counted once per park)."""
    park_level = {c.id: c for c in pack.criteria}
    enterprise_level = {c.id: c for c in pack.enterprise_criteria}
    swept = park_level.get(criterion_id) or enterprise_level.get(criterion_id)
    if swept is None:
        raise RulePackError("cert.unknown_criterion", pack=pack.id, ids=criterion_id)
    at = [_with_threshold(swept, value) for value in thresholds]
    rows = [[0, 0, 0, 0, 0] for _ in thresholds]
    for facts in parks:
        park_results = _all_criteria(pack, facts)
        own_facts = [enterprise_facts(facts, e) for e in facts.enterprises]
        enterprises = [(own, _all_criteria(pack, own, True)) for own in own_facts]
        unmoved = sum(standing(results).standing == ELIGIBLE for _, results in enterprises)
        eco = None if criterion_id in enterprise_level else unmoved
        for row, criterion in zip(rows, at, strict=True):
            results = _swap(park_results, criterion, facts)
            verdict = standing(results).standing
            meets = criterion.id in enterprise_level or _status(results, criterion.id) == PASS
            row[0] += 1
            row[1] += meets
            row[2] += verdict == ELIGIBLE
            row[3] += verdict != NOT_ELIGIBLE
            if meets:
                row[4] += (
                    eco
                    if eco is not None
                    else sum(
                        standing(_swap(own_results, criterion, own)).standing == ELIGIBLE
                        for own, own_results in enterprises
                    )
                )
    return [SweepStep(t, *row) for t, row in zip(thresholds, rows, strict=True)]


def _with_threshold(criterion: Criterion, value: float) -> Criterion:
    base = criterion.threshold or Threshold(None, ">=", "")
    return replace(criterion, threshold=replace(base, value=float(value), set_by_user=True))


def _status(results: Sequence[CriterionResult], criterion_id: str) -> str | None:
    return next((r.status for r in results if r.criterion.id == criterion_id), None)


def _swap(results: Sequence[CriterionResult], criterion: Criterion, facts: ParkFacts) -> list[CriterionResult]:
    """The results with `criterion` (the swept one, at its new threshold) judged again; the others as they were."""
    return [judge(criterion, facts) if r.criterion.id == criterion.id else r for r in results]
