"""Rule packs: the criteria of a legal instrument or framework as versioned data files.

A pack says, for each criterion, where the law says it, since when, what it asks (a paraphrase, never the gazette
text), which measure computes it from the data, the threshold, the evidence a dossier needs and how sure we are of
the wording. Packs ship in `eipkit/data/rules/`; a user may pass a file of their own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from eipkit.errors import BadInput
from eipkit.i18n import number

COMPARISONS = ("==", ">=", "<=", ">", "<")
WORDING = ("verified", "secondary", "unverified")


class RulePackError(BadInput):
    """A rule pack that cannot be used, with the file and the field at fault."""


@dataclass(frozen=True)
class Threshold:
    value: float | None
    comparison: str
    unit: str
    set_by_user: bool = False
    unit_vi: str = ""

    def holds(self, value: float) -> bool:
        assert self.value is not None
        return {
            "==": value == self.value,
            ">=": value >= self.value,
            "<=": value <= self.value,
            ">": value > self.value,
            "<": value < self.value,
        }[self.comparison]

    def text(self, lang: str = "en") -> str:
        unit = self.unit_vi if lang == "vi" and self.unit_vi else self.unit
        if self.value is None:
            return f"? {unit}"
        sign = _SIGNS.get(self.comparison, self.comparison)
        return f"{sign} {number(self.value, lang, 0 if self.value.is_integer() else 2)} {unit}"


_SIGNS = {">=": "≥", "<=": "≤", "==": "=", "!=": "≠"}  # as a reader writes them


@dataclass(frozen=True)
class Criterion:
    id: str
    measure: str
    title: dict[str, str]
    citation: dict[str, str]
    paraphrase: dict[str, str]
    threshold: Threshold | None
    wording: str
    confidence: str
    evidence: dict[str, list[str]] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    category: str | None = None
    effective_from: dt.date | None = None
    effective_to: dt.date | None = None
    corresponds_to: tuple[str, ...] = ()  # criteria of other packs this one continues (impact analysis pairs them)

    @property
    def verified(self) -> bool:
        return self.wording != "unverified"

    def in_force(self, on: dt.date) -> bool:
        return (self.effective_from is None or self.effective_from <= on) and (
            self.effective_to is None or on <= self.effective_to
        )


@dataclass(frozen=True)
class RulePack:
    id: str
    version: str
    title: dict[str, str]
    legal_basis: str
    effective_from: dt.date | None
    effective_to: dt.date | None
    criteria: tuple[Criterion, ...]
    enterprise_criteria: tuple[Criterion, ...] = ()
    superseded_by: str | None = None

    def with_thresholds(self, values: dict[str, float]) -> RulePack:
        """The pack with the user's thresholds, e.g. for a framework whose own thresholds are unknown."""
        known = {c.id for c in self.criteria} | {c.id for c in self.enterprise_criteria}
        unknown = sorted(set(values) - known)
        if unknown:
            raise RulePackError("cert.unknown_criterion", pack=self.id, ids=", ".join(unknown))

        def changed(c: Criterion) -> Criterion:
            if c.id not in values:
                return c
            base = c.threshold or Threshold(None, ">=", "")
            return replace(c, threshold=replace(base, value=float(values[c.id]), set_by_user=True))

        return replace(
            self,
            criteria=tuple(changed(c) for c in self.criteria),
            enterprise_criteria=tuple(changed(c) for c in self.enterprise_criteria),
        )


def packs() -> list[str]:
    """The ids of the packs that ship with eipkit."""
    folder = resources.files("eipkit.data").joinpath("rules")
    return sorted(p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml"))


def load(name: str | Path) -> RulePack:
    """A shipped pack by id, or a pack file of the user's."""
    path = Path(name)
    if path.suffix in (".yaml", ".yml") and path.exists():
        text, where = path.read_text(encoding="utf-8"), str(path)
    elif str(name) in packs():
        text = resources.files("eipkit.data").joinpath("rules").joinpath(f"{name}.yaml").read_text(encoding="utf-8")
        where = f"{name}.yaml"
    else:
        raise RulePackError("cert.unknown_pack", name=str(name), known=", ".join(packs()))
    return _parsed(text, where)


def parse(text: str, where: str) -> RulePack:
    """A pack from its YAML text (a draft uploaded through the web), checked like the shipped ones; `where` names
    it in messages."""
    return _parsed(text, where)


@lru_cache(maxsize=32)
def _parsed(text: str, where: str) -> RulePack:
    """A pack read once per text: every park's dashboard asks for the same pack."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RulePackError("cert.bad_pack", where=where, field="-", reason=str(exc)) from None
    return _pack(document, where)


def _date(value: Any, where: str, name: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise RulePackError("cert.bad_pack", where=where, field=name, reason="not a date") from None


def _ids(value: Any, where: str, name: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise RulePackError("cert.bad_pack", where=where, field=name, reason="a list of criterion ids")
    return tuple(value)


def _pack(document: Any, where: str) -> RulePack:
    from eipkit.certification.measures import MEASURES

    if not isinstance(document, dict) or not isinstance(document.get("pack"), dict):
        raise RulePackError("cert.bad_pack", where=where, field="pack", reason="missing")
    head = document["pack"]
    ids: set[str] = set()

    def criterion(raw: Any, index: int, section: str) -> Criterion:
        at = f"{section}[{index}]"
        if not isinstance(raw, dict):
            raise RulePackError("cert.bad_pack", where=where, field=at, reason="not a mapping")
        for key in ("id", "measure", "wording", "title_vi", "title_en"):
            if not raw.get(key):
                raise RulePackError("cert.bad_pack", where=where, field=f"{at}.{key}", reason="missing")
        cid = str(raw["id"])
        if cid in ids:
            raise RulePackError("cert.bad_pack", where=where, field=f"{at}.id", reason=f"duplicate {cid}")
        ids.add(cid)
        if raw["measure"] not in MEASURES:
            reason = f"unknown measure '{raw['measure']}'"
            raise RulePackError("cert.bad_pack", where=where, field=f"{cid}.measure", reason=reason)
        if raw["wording"] not in WORDING:
            reason = f"must be one of {', '.join(WORDING)}"
            raise RulePackError("cert.bad_pack", where=where, field=f"{cid}.wording", reason=reason)
        threshold = None
        if raw.get("threshold") is not None:
            t = raw["threshold"]
            if not isinstance(t, dict) or t.get("comparison") not in COMPARISONS:
                reason = f"comparison must be one of {' '.join(COMPARISONS)}"
                raise RulePackError("cert.bad_pack", where=where, field=f"{cid}.threshold", reason=reason)
            value = t.get("value")
            if value is not None and not isinstance(value, int | float):
                reason = "value must be a number"
                raise RulePackError("cert.bad_pack", where=where, field=f"{cid}.threshold", reason=reason)
            unit = str(t.get("unit", ""))
            threshold = Threshold(
                None if value is None else float(value), t["comparison"], unit, unit_vi=str(t.get("unit_vi", unit))
            )
        return Criterion(
            id=cid,
            measure=raw["measure"],
            title={"vi": raw["title_vi"], "en": raw["title_en"]},
            citation={"vi": raw.get("citation_vi", ""), "en": raw.get("citation_en", "")},
            paraphrase={"vi": raw.get("paraphrase_vi", ""), "en": raw.get("paraphrase_en", "")},
            threshold=threshold,
            wording=raw["wording"],
            confidence=str(raw.get("confidence", "")),
            evidence={"vi": list(raw.get("evidence_vi") or []), "en": list(raw.get("evidence_en") or [])},
            params=dict(raw.get("params") or {}),
            category=raw.get("category"),
            effective_from=_date(raw.get("effective_from"), where, f"{cid}.effective_from"),
            effective_to=_date(raw.get("effective_to"), where, f"{cid}.effective_to"),
            corresponds_to=_ids(raw.get("corresponds_to"), where, f"{cid}.corresponds_to"),
        )

    park_rows = document.get("criteria") or []
    enterprise_rows = document.get("enterprise_criteria") or []
    for section, rows in (("criteria", park_rows), ("enterprise_criteria", enterprise_rows)):
        if not isinstance(rows, list):
            raise RulePackError("cert.bad_pack", where=where, field=section, reason="not a list")
    for key in ("id", "version", "title_vi", "title_en"):
        if not head.get(key):
            raise RulePackError("cert.bad_pack", where=where, field=f"pack.{key}", reason="missing")
    return RulePack(
        id=str(head["id"]),
        version=str(head["version"]),
        title={"vi": head["title_vi"], "en": head["title_en"]},
        legal_basis=str(head.get("legal_basis", "")),
        effective_from=_date(head.get("effective_from"), where, "pack.effective_from"),
        effective_to=_date(head.get("effective_to"), where, "pack.effective_to"),
        criteria=tuple(criterion(r, i, "criteria") for i, r in enumerate(park_rows)),
        enterprise_criteria=tuple(criterion(r, i, "enterprise_criteria") for i, r in enumerate(enterprise_rows)),
        superseded_by=head.get("superseded_by"),
    )
