"""Annual monitoring under Decree 35/2022 Art. 43, in the shape of the Circular 05/2025 forms as far as they are
known: the park report (A.4) with its indicators (A.5), the eco-enterprise report (B.4) with its indicators (B.5).

Figures come from the opportunities (savings, stages, years) and the year's records; an indicator the data cannot
compute is reported as missing with the question to ask. Symbiosis links are classed by the activity types (a) to
(d) of Circular 05/2025 Art. 2(1).
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from eipkit import i18n
from eipkit.certification.evaluate import enterprise_facts
from eipkit.certification.evidence import SAVING_FIELDS, ParkFacts
from eipkit.certification.measures import MEASURES
from eipkit.certification.rules import Criterion
from eipkit.model import Enterprise
from eipkit.reports.document import Document
from eipkit.symbiosis.park_city import ParkCity
from eipkit.vocabulary import OPEN, OpportunityKind


@dataclass(frozen=True)
class Indicator:
    code: str
    form: str
    group: str
    name: dict[str, str]
    kind: str
    minimum: float | None
    measure: str
    question: dict[str, str]
    confidence: str


@cache
def indicators() -> list[Indicator]:
    text = resources.files("eipkit.data").joinpath("circular05_indicators.csv").read_text(encoding="utf-8")
    return [
        Indicator(
            r["code"],
            r["form"],
            r["group"],
            {"vi": r["name_vi"], "en": r["name_en"]},
            r["kind"],
            float(r["minimum"]) if r["minimum"] else None,
            r["measure"],
            {"vi": r["question_vi"], "en": r["question_en"]},
            r["confidence"],
        )
        for r in csv.DictReader(text.splitlines())
    ]


def _indicator_rows(facts: ParkFacts, form: str, lang: str) -> list[dict[str, Any]]:
    rows = []
    for indicator in indicators():
        if indicator.form != form:
            continue
        value, missing = None, None
        if indicator.measure:
            probe = Criterion(indicator.code, indicator.measure, indicator.name, {}, {}, None, "verified", "")
            outcome = MEASURES[indicator.measure](facts, probe, {})
            value = outcome.value
            if indicator.kind == "yes_no" and value is not None:
                value = bool(value)
            if value is None:
                missing = "; ".join(m.text(lang) for m in outcome.missing)
        else:
            missing = indicator.question[lang]
        rows.append(
            {
                "code": indicator.code,
                "group": indicator.group,
                "indicator": indicator.name[lang],
                "value": value,
                "minimum": indicator.minimum,
                "meets_minimum": None
                if value is None or indicator.minimum is None
                else float(value) >= indicator.minimum,
                "missing": missing,
                "confidence": indicator.confidence,
                "inferred": indicator.confidence.startswith("inferred"),
            }
        )
    return rows


# Circular 05/2025 form A.5 is said to hold 18 indicators, and its transcription lists 22 codes (ENV.1-6, PM.1-4,
# SOC.1-6, ECO.1-6); eipkit groups ECO.1-6 into one row to make 18. Until the gazette text is read the count stays
# an open question, said in every report.
FORM_COUNTS = {"A.5": (18, 22), "B.5": (5, None)}


def count_note(form: str, lang: str) -> str | None:
    stated, listed = FORM_COUNTS.get(form, (None, None))
    if stated is None or listed is None:
        return None
    return i18n.t("annual.count_unresolved", lang, form=form, stated=stated, listed=listed)


def _savings(opportunities: list[Any]) -> dict[str, float]:
    return {f: round(sum(getattr(o, f) or 0.0 for o in opportunities), 3) for f in SAVING_FIELDS}


def park_report(facts: ParkFacts, lang: str = "vi") -> dict[str, Any]:
    """Form A.4 (annual report of the park investor to the board) and A.5 (the park's indicators) for facts.year."""
    year, park = facts.year, facts.park
    members = set(facts.members)
    implemented = [
        o
        for o in facts.opportunities
        if o.kind == "recp" and o.stage == "implemented" and set(o.enterprise_ids) & members
    ]
    before = [o for o in implemented if o.year_implemented is not None and o.year_implemented < year]
    this_year = [o for o in implemented if o.year_implemented == year]
    planned = {
        e for o in facts.opportunities if o.kind == OpportunityKind.RECP and o.stage in OPEN for e in o.enterprise_ids
    }
    links = facts.links
    symbiosis_planned = [o for o in facts.opportunities if o.kind == OpportunityKind.SYMBIOSIS and o.stage in OPEN]
    new_members = sorted(
        {
            e
            for o in facts.opportunities
            if o.kind == "symbiosis" and o.stage == "implemented" and o.year_implemented == year
            for e in o.enterprise_ids
            if e in members
        }
    )
    green_share = 100 * park.green_area_ha / park.area_ha if park.green_area_ha and park.area_ha else None
    return {
        "form": "A.4",
        "legal_basis": "Decree 35/2022/ND-CP Art. 43(1); Circular 05/2025/TT-BKHDT (form as transcribed, secondary)",
        "park": park.park_id,
        "name": park.name,
        "year": year,
        "land": {
            "area_ha": park.area_ha,
            "industrial_land_ha": park.industrial_land_ha,
            "green_area_ha": park.green_area_ha,
            "green_share_percent": None if green_share is None else round(green_share, 2),
            "missing": [i18n.t("annual.missing_land", lang)],
        },
        "recp": {
            "enterprises_applied_before_year": len({e for o in before for e in o.enterprise_ids if e in members}),
            "enterprises_applied_in_year": len({e for o in this_year for e in o.enterprise_ids if e in members}),
            "solutions_before_year": len(before),
            "solutions_in_year": len(this_year),
            "enterprises_planning": len(planned & members),
            "savings_per_year_of_solutions_in_place": _savings(before + this_year),
        },
        "symbiosis": {
            "links": len(links),
            "links_by_type": dict(sorted(Counter(link.link_type for link in links).items())),
            "new_participants_in_year": new_members,
            "planned_links": len(symbiosis_planned),
        },
        "indicators": _indicator_rows(facts, "A.5", lang),
        "indicator_notes": [n for n in (count_note("A.5", lang), _inferred_note(facts, "A.5", lang)) if n],
    }


def park_city_section(across: ParkCity) -> dict[str, Any]:
    """The park-city circular economy of the year: links with the cities of the province in operation, and planned."""
    done, planned = across.operating, across.planned
    return {
        "cities": ", ".join(across.cities),
        "links_operating": done.links,
        "water_reused_across_m3": round(done.water_reused_m3, 1),
        "municipal_waste_used_t": round(done.municipal_waste_used_t, 1),
        "industrial_to_city_t": round(done.industrial_to_city_t, 1),
        "fuel_saved_across_gj": round(done.fuel_saved_gj, 1),
        "co2e_avoided_across_t": round(done.co2e_avoided_t, 2),
        "links_planned": planned.links,
        "water_planned_m3": round(planned.water_reused_m3, 1),
        "waste_planned_t": round(planned.municipal_waste_used_t + planned.industrial_to_city_t, 1),
        "fuel_planned_gj": round(planned.fuel_saved_gj, 1),
        "co2e_planned_t": round(planned.co2e_avoided_t, 2),
    }


def enterprise_report(facts: ParkFacts, enterprise: Enterprise, lang: str = "vi") -> dict[str, Any]:
    """Form B.4 (annual report of an eco-enterprise to the investor and the board) and its B.5 indicators."""
    own = enterprise_facts(facts, enterprise)
    eid = enterprise.enterprise_id
    implemented = [o for o in own.opportunities if o.stage == "implemented"]
    sent = [w for w in own.records.waste if w.enterprise_id == eid and w.fate == "exchange" and w.year == facts.year]
    received = [w for w in own.records.waste if w.receiver == eid and w.fate == "exchange" and w.year == facts.year]
    production = [
        {"product": p.product, "quantity": p.quantity, "unit": p.unit, "value_vnd": p.value_vnd}
        for p in facts.records.production
        if p.enterprise_id == eid and p.year == facts.year
    ]
    return {
        "form": "B.4",
        "legal_basis": "Decree 35/2022/ND-CP Art. 43(2); Circular 05/2025/TT-BKHDT (form as transcribed, secondary)",
        "recipients": ["park investor", "management board"],
        "enterprise": eid,
        "name": enterprise.name,
        "park": facts.park.park_id,
        "year": facts.year,
        "production": production,
        "recp": {
            "solutions_implemented": len([o for o in implemented if o.kind == "recp"]),
            "savings_per_year": _savings([o for o in implemented if o.kind == "recp"]),
        },
        "symbiosis": {
            "links": [{"ref": link.ref, "type": link.link_type, "enterprises": link.enterprises} for link in own.links],
            "supplied_t": {w.waste: w.mass_t for w in sent},
            "received_t": {w.waste: w.mass_t for w in received},
            "savings_per_year": _savings([o for o in implemented if o.kind == "symbiosis"]),
        },
        "indicators": _indicator_rows(own, "B.5", lang),
        "indicator_notes": [n for n in (count_note("B.5", lang), _inferred_note(own, "B.5", lang)) if n],
    }


def _inferred_note(facts: ParkFacts, form: str, lang: str) -> str | None:
    inferred = [i.code for i in indicators() if i.form == form and i.confidence.startswith("inferred")]
    return i18n.t("annual.inferred", lang, codes=", ".join(inferred)) if inferred else None


def report_document(report: dict[str, Any], lang: str = "vi") -> Document:
    """The report as a document for DOCX and PDF: one table per section, then the indicators."""
    t = i18n.t
    title = t(f"annual.title_{report['form']}", lang, year=report["year"], name=report["name"])
    document = Document(title)
    document.paragraph(t("dossier.nation", lang), bold=True, centred=True)
    document.paragraph(t("dossier.motto", lang), bold=True, centred=True)
    document.heading(title)
    document.paragraph(t("annual.legal_basis", lang))
    headers = [t("annual.column.item", lang), t("annual.column.value", lang)]
    for section in ("land", "recp", "symbiosis", "park_city"):
        if section in report:
            document.heading(t(f"annual.section.{section}", lang), 2)
            rows = [[t(f"annual.item.{k}", lang), i18n.shown(v, lang, "saving.")] for k, v in report[section].items()]
            document.table(headers, rows, (3, 4))
    if report.get("production"):
        document.heading(t("annual.section.production", lang), 2)
        rows = [[p["product"], f"{i18n.shown(p['quantity'], lang)} {p['unit'] or ''}"] for p in report["production"]]
        document.table(headers, rows, (3, 4))
    document.heading(t("annual.section.indicators", lang), 2)
    rows = [
        [
            r["code"] + (" *" if r.get("inferred") else ""),
            r["indicator"],
            i18n.shown(r["value"], lang),
            i18n.shown(r["minimum"], lang),
            r["missing"] or "",
        ]
        for r in report["indicators"]
    ]
    columns = ("code", "indicator", "value", "minimum")
    document.table([t(f"annual.column.{c}", lang) for c in columns] + [t("annual.item.missing", lang)], rows)
    for note in report.get("indicator_notes", []):
        document.paragraph(note)
    return document
