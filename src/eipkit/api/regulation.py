"""Regulation impact analysis over the stored parks: two rule packs compared, two packs' criteria side by side, and
a threshold swept. The national scope reads each park's facts in turn: progress is reported per park and a time
limit stops the work with what it covered, never silently."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from eipkit.certification import impact, rules
from eipkit.certification.evidence import ParkFacts
from eipkit.i18n import Message
from eipkit.store import Database

TIME_LIMIT_S = 600.0


@dataclass(frozen=True)
class Coverage:
    """How many of the parks in scope were judged before the time limit."""

    parks: int
    of: int
    time_limit_s: float

    @property
    def complete(self) -> bool:
        return self.parks == self.of

    def note(self) -> Message | None:
        if self.complete:
            return None
        return Message("impact.partial", parks=self.parks, total=self.of, limit=round(self.time_limit_s))


def _parks_in_scope(database: Database, park_ids: Sequence[str] | None, province: str | None) -> list[str]:
    from eipkit.api._lookup import parks_in_scope

    with database.sessions() as session:
        return [p.park_id for p in parks_in_scope(session, park_ids, province)]


class _Reader:
    """Each park's facts in turn until the time limit; counts what it read."""

    def __init__(
        self,
        database: Database,
        park_ids: list[str],
        year: int | None,
        time_limit_s: float,
        progress: Callable[[str], None] | None,
    ) -> None:
        self.database, self.park_ids, self.year = database, park_ids, year
        self.time_limit_s, self.progress, self.read = time_limit_s, progress, 0

    def __iter__(self) -> Iterator[ParkFacts]:
        from eipkit.api import park_facts

        start = time.monotonic()
        for number, park_id in enumerate(self.park_ids, start=1):
            if time.monotonic() - start > self.time_limit_s:
                return
            if self.progress:
                self.progress(f"{number}/{len(self.park_ids)} {park_id}")
            yield park_facts(self.database, park_id, self.year)
            self.read = number

    def coverage(self) -> Coverage:
        return Coverage(self.read, len(self.park_ids), self.time_limit_s)


def compare(
    database: Database,
    packs: Sequence[str],
    park_ids: Sequence[str] | None = None,
    province: str | None = None,
    year: int | None = None,
    enterprises: bool = True,
    time_limit_s: float = TIME_LIMIT_S,
    progress: Callable[[str], None] | None = None,
) -> tuple[impact.Comparison, Coverage]:
    """The parks in scope and their enterprises under each pack (ids of shipped packs or draft pack files, checked like
    the shipped ones): who gains and who loses the status, and why.

    Args:
        database: the store.
        packs: two or more rule packs, as ids or file paths.
        park_ids: these parks.
        province: a province's parks instead (all parks when neither is given).
        year: the year of the facts (each park's latest when None).
        time_limit_s: parks not judged by then are left out, and `Coverage` says how many were.
        progress: called with a line of progress per park.
        enterprises: also judge each park's enterprises under the packs' eco-enterprise criteria.

    Examples:
        >>> comparison, coverage = regulation.compare(database, ["vn-decree-35-2022", "draft.yaml"])
        >>> regulation.comparison_dict(comparison, coverage, "en", named=False)
    """
    loaded = [rules.load(p) for p in packs]
    reader = _Reader(database, _parks_in_scope(database, park_ids, province), year, time_limit_s, progress)
    comparison = impact.compare(loaded, reader, enterprises)
    return comparison, reader.coverage()


def sweep(
    database: Database,
    pack: str,
    criterion: str,
    thresholds: Sequence[float],
    park_ids: Sequence[str] | None = None,
    province: str | None = None,
    year: int | None = None,
    time_limit_s: float = TIME_LIMIT_S,
    progress: Callable[[str], None] | None = None,
) -> tuple[list[impact.SweepStep], Coverage]:
    """How many parks meet a pack as one criterion's threshold moves over `thresholds`: the ministry's "what if the
    threshold were...".

    Args:
        database: the store.
        pack: the rule pack, as an id or a file path.
        criterion: the criterion whose threshold moves (its id in the pack).
        thresholds: the values tried.
        park_ids: these parks.
        province: a province's parks instead (all parks when neither is given).
        year: the year of the facts (each park's latest when None).
        time_limit_s: parks not judged by then are left out, and `Coverage` says how many were.
        progress: called with a line of progress per park.

    Examples:
        >>> steps, coverage = regulation.sweep(database, "vn-decree-35-2022", "D35-37.2.c", [10, 20, 30])
    """
    reader = _Reader(database, _parks_in_scope(database, park_ids, province), year, time_limit_s, progress)
    steps = impact.sweep(rules.load(pack), criterion, thresholds, reader)
    return steps, reader.coverage()


def diff(first: str, second: str) -> dict[str, list[impact.CriterionPair]]:
    """Two packs' park and eco-enterprise criteria side by side: added, removed, changed wording or threshold.

    Args:
        first: a rule pack, as an id or a file path.
        second: the other.

    Examples:
        >>> regulation.diff("vn-decree-35-2022", "draft.yaml")["park"]
    """
    a, b = rules.load(first), rules.load(second)
    return {"park": impact.diff(a, b), "enterprise": impact.diff(a, b, enterprise=True)}


def thresholds_between(low: float, high: float, step: float) -> list[float]:
    """low, low + step, ... up to high, without floating drift (10, 12.5, 15 stay exact).

    Args:
        low: the first threshold.
        high: the last (included when the steps reach it).
        step: the distance between two thresholds, above 0.

    Examples:
        >>> regulation.thresholds_between(10, 15, 2.5)
        [10.0, 12.5, 15.0]
    """
    if step <= 0 or high < low:
        raise ValueError("the step must be positive and the range not empty")
    count = int(round((high - low) / step, 9)) + 1
    return [round(low + i * step, 9) for i in range(count)]


def comparison_dict(
    comparison: impact.Comparison, coverage: Coverage, lang: str = "vi", named: bool = True
) -> dict[str, Any]:
    """The comparison for a reader. Without `named` (a ministry analyst without detail rights) enterprises appear
    only in counts; parks are named either way.

    Args:
        comparison: what `compare` returned.
        coverage: how many parks it judged.
        lang: "vi" or "en".
        named: whether enterprises may be named.

    Examples:
        >>> regulation.comparison_dict(*regulation.compare(database, ["vn-decree-35-2022", "draft.yaml"]), named=False)
    """

    def judged(j: impact.Judged) -> dict[str, Any]:
        return {
            "id": j.subject,
            "name": j.name,
            "park_id": j.park_id,
            "province": j.province,
            "year": j.year,
            "standings": [s.standing for s in j.standings],
            "failing": [list(s.failing) for s in j.standings],
            "changed": j.changed,
            "causes": [
                {"pack": c.pack, "criterion": c.criterion.id, "title": c.criterion.title[lang], "change": c.change}
                for c in j.causes
            ],
        }

    note = coverage.note()
    payload: dict[str, Any] = {
        "packs": [{"id": p.id, "version": p.version, "title": p.title[lang]} for p in comparison.packs],
        "coverage": {"parks": coverage.parks, "of": coverage.of, "complete": coverage.complete},
        "note": note.text(lang) if note else None,
        "parks": [judged(j) for j in comparison.parks],
        "park_counts": comparison.counts("park"),
        "enterprise_counts": comparison.counts("enterprise"),
        "park_causes": comparison.causes("park"),
        "enterprise_causes": comparison.causes("enterprise"),
    }
    if named:
        payload["enterprises"] = [judged(j) for j in comparison.enterprises]
    return payload


PackSpec = str | dict[str, str]  # a shipped pack's id or a pack file, or a draft's {"name", "text"}


def pack_of(spec: PackSpec) -> rules.RulePack:
    """A rule pack from what a user gave: a shipped pack's id or a pack file's path, or a draft's name and text
    (checked like a shipped pack: a RulePackError names the line at fault).

    Args:
        spec: an id or path, or {"name": ..., "text": ...}.

    Examples:
        >>> regulation.pack_of({"name": "draft.yaml", "text": Path("draft.yaml").read_text()}).version
    """
    if isinstance(spec, dict):
        return rules.parse(spec["text"], spec["name"])
    return rules.load(spec)


def ministry_summary(
    database: Database,
    packs: Sequence[PackSpec],
    criterion: str,
    thresholds: Sequence[float],
    lang: str = "vi",
    time_limit_s: float = TIME_LIMIT_S,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """What the ministry's page shows: every park read once, compared under the packs and swept on one criterion of
    the last pack, as counts only (by standing, by change, by cause, by province); no enterprise, no park named.

    Args:
        database: the store.
        packs: the packs compared (ids, paths or drafts).
        criterion: the criterion swept, in the last pack.
        thresholds: the values tried.
        lang: "vi" or "en".
        time_limit_s: parks not judged by then are left out and counted.
        progress: called with a line of progress per park.

    Examples:
        >>> regulation.ministry_summary(database, ["vn-decree-35-2022"], "D35-37.2.c", [10, 20, 30], "en")["sweep"]
    """
    loaded = [pack_of(p) for p in packs]
    if progress:
        progress("judging")
    reader = _Reader(database, _parks_in_scope(database, None, None), None, time_limit_s, None)
    facts = list(reader)
    comparison = impact.compare(loaded, facts)
    steps = impact.sweep(loaded[-1], criterion, thresholds, facts)
    titles = {c.id: c.title[lang] for p in loaded for c in (*p.criteria, *p.enterprise_criteria)}
    by_province: dict[str, dict[str, int]] = {}
    for judged in comparison.parks:
        row = by_province.setdefault(judged.province, {"parks": 0, "parks_changed": 0, "enterprises_changed": 0})
        row["parks"] += 1
        row["parks_changed"] += judged.changed
    for judged in comparison.enterprises:
        by_province[judged.province]["enterprises_changed"] += judged.changed
    coverage = reader.coverage()
    note = coverage.note()
    park_causes, enterprise_causes = comparison.causes("park"), comparison.causes("enterprise")
    return {
        "packs": [{"id": p.id, "version": p.version, "title": p.title[lang]} for p in loaded],
        "coverage": {"parks": coverage.parks, "of": coverage.of, "complete": coverage.complete},
        "note": note.text(lang) if note else None,
        "park_counts": comparison.counts("park"),
        "enterprise_counts": comparison.counts("enterprise"),
        "transitions": [
            {"before": before, "after": after, "parks": count}
            for (before, after), count in sorted(comparison.transitions("park").items())
        ],
        "causes": [
            {
                "criterion": cid,
                "title": titles[cid],
                "parks": parks,
                "enterprises": enterprise_causes.get(cid, 0),
            }
            for cid, parks in sorted(park_causes.items())
        ]
        + [
            {"criterion": cid, "title": titles[cid], "parks": 0, "enterprises": count}
            for cid, count in sorted(enterprise_causes.items())
            if cid not in park_causes
        ],
        "by_province": [{"province": name, **row} for name, row in sorted(by_province.items())],
        "sweep": {"pack": loaded[-1].id, "criterion": criterion, "steps": [vars(s) for s in steps]},
    }
