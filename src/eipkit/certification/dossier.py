"""The certification dossiers, in Vietnamese by default: Art. 41 for a park (registration, operation report,
self-assessment with the evidence table) and Art. 42 for an eco-enterprise. Drafts to review and sign: the exact
layout of the Circular 05/2025 forms was not available, and every document says so."""

from __future__ import annotations

from collections import Counter

from eipkit import accounting, contract, i18n, reference
from eipkit.certification.evaluate import Evaluation
from eipkit.certification.evidence import ParkFacts
from eipkit.certification.measures import yes_no
from eipkit.model import Enterprise
from eipkit.reports.document import Document

KPI_ROWS = (
    "enterprises",
    "electricity_mwh",
    "energy_tj",
    "water_withdrawal_m3",
    "wastewater_m3",
    "water_reused_m3",
    "waste_t",
    "waste_recovered_t",
    "total_tco2e",
    "production_value_vnd",
)


def _letterhead(document: Document, lang: str) -> None:
    document.paragraph(i18n.t("dossier.nation", lang), bold=True, centred=True)
    document.paragraph(i18n.t("dossier.motto", lang), bold=True, centred=True)
    document.paragraph(i18n.t("dossier.draft_note", lang))


def _assessment(document: Document, evaluation: Evaluation, lang: str) -> None:
    t = i18n.t
    document.heading(t("dossier.self_assessment", lang))
    document.paragraph(f"{evaluation.pack.title[lang]} ({evaluation.pack.id} {evaluation.pack.version})")
    rows = []
    for r in evaluation.results:
        c = r.criterion
        value = r.value if not isinstance(r.value, dict) else i18n.shown(r.value, lang, "cert.value.")
        threshold = c.threshold.text(lang) if c.threshold else "–"
        rows.append(
            [
                f"{c.id}\n{c.title[lang]}",
                c.citation[lang],
                t(f"cert.status.{r.status}", lang),
                f"{value if value is not None else '–'} ({threshold})",
                "\n".join(m.text(lang) for m in r.evidence[:6]),
                "\n".join(m.text(lang) for m in (r.missing + (r.path if r.status != "pass" else []))[:6]),
            ]
        )
    headers = ["dossier.criterion", "dossier.citation", "dossier.status", "ui.value", "dossier.evidence"]
    document.table([t(h, lang) for h in headers] + [t("dossier.missing", lang)], rows, (4, 3, 2, 2, 4, 4))
    unverified = [r.criterion.id for r in evaluation.results if r.criterion.wording == "unverified"]
    if unverified:
        document.paragraph(t("dossier.unverified_note", lang, ids=", ".join(unverified)))
    verdict = {True: "dossier.verdict_yes", False: "dossier.verdict_no", None: "dossier.verdict_unknown"}
    document.paragraph(t("dossier.eligible", lang, verdict=t(verdict[evaluation.eligible], lang)), bold=True)


def _evidence_list(document: Document, evaluation: Evaluation, lang: str) -> None:
    document.heading(i18n.t("dossier.evidence_list", lang))
    items = []
    for r in evaluation.results:
        items += [[r.criterion.id, e] for e in r.criterion.evidence.get(lang, [])]
    document.table([i18n.t("dossier.criterion", lang), i18n.t("dossier.item", lang)], items, (1, 4))


def _kpis(document: Document, accounts: accounting.Accounts, lang: str) -> None:
    figures = accounts.as_dict()
    rows = [[i18n.t(f"kpi.{key}", lang), i18n.number(figures.get(key), lang)] for key in KPI_ROWS]
    document.paragraph(i18n.t("dossier.year", lang, year=accounts.year), bold=True)
    document.table([i18n.t("ui.indicator", lang), i18n.t("ui.value", lang)], rows, (3, 2))


def _consulted(document: Document, procedure: str, lang: str) -> None:
    from eipkit.certification.procedure import consulted

    document.paragraph(i18n.t(f"dossier.consulted_{procedure}", lang), bold=True)
    for body in consulted(procedure, lang):
        document.paragraph(f"- {body}")


def _label(column: str, lang: str) -> str:
    (found,) = [c for c in contract.sheets()["parks"].columns if c.name == column]
    return found.label(lang)


def park_dossier(evaluation: Evaluation, facts: ParkFacts, lang: str = "vi") -> Document:
    """Decree 35/2022 Art. 41: registration letter, operation report, self-assessment, supporting documents."""
    t = i18n.t
    park = facts.park
    document = Document(f"{t('dossier.park_title', lang)} · {park.name}")
    _letterhead(document, lang)
    document.heading(t("dossier.park_title", lang))
    document.heading(t("dossier.registration", lang), 2)
    document.paragraph(t("dossier.to_board", lang, province=park.province))
    investor = park.investor or "[chủ đầu tư]"
    document.paragraph(t("dossier.park_request", lang, investor=investor, park=park.name))
    document.paragraph(t("dossier.sets", lang, sets=6))
    _consulted(document, "park", lang)
    document.paragraph(t("dossier.signature", lang))
    document.page_break()
    document.heading(t("dossier.operation_park", lang), 2)
    facts_rows: list[list[object]] = [
        [t("ui.park", lang), park.name],
        [t("ui.province", lang), park.province],
        [t("ui.area", lang) + " (ha)", i18n.number(park.area_ha, lang)],
        [_label("industrial_land_ha", lang), i18n.number(park.industrial_land_ha, lang)],
        [_label("green_area_ha", lang), i18n.number(park.green_area_ha, lang)],
        [_label("established_year", lang), park.established_year],
        [_label("services", lang), ", ".join(contract.enum_label("service", s, lang) for s in park.services)],
    ]
    document.table([t("dossier.item", lang), t("ui.value", lang)], facts_rows, (2, 3))
    _kpis(document, facts.accounts, lang)
    document.paragraph(t("dossier.sectors", lang), bold=True)
    divisions = reference.divisions()
    counts = Counter(e.vsic[:2] for e in facts.enterprises)
    rows = [
        [code, getattr(divisions[code], f"name_{lang}") if code in divisions else "?", n]
        for code, n in sorted(counts.items())
    ]
    document.table(["VSIC", t("dossier.item", lang), t("kpi.enterprises", lang)], rows, (1, 5, 1))
    document.page_break()
    _assessment(document, evaluation, lang)
    _evidence_list(document, evaluation, lang)
    return document


def enterprise_dossier(evaluation: Evaluation, facts: ParkFacts, enterprise: Enterprise, lang: str = "vi") -> Document:
    """Decree 35/2022 Art. 42: registration letter, operation report, self-assessment against Art. 37(2)."""
    t = i18n.t
    document = Document(f"{t('dossier.enterprise_title', lang)} · {enterprise.name}")
    _letterhead(document, lang)
    document.heading(t("dossier.enterprise_title", lang))
    document.heading(t("dossier.registration", lang), 2)
    document.paragraph(t("dossier.to_board", lang, province=facts.park.province))
    document.paragraph(t("dossier.enterprise_request", lang, enterprise=enterprise.name, park=facts.park.name))
    document.paragraph(t("dossier.sets", lang, sets=5))
    _consulted(document, "enterprise", lang)
    document.paragraph(t("dossier.signature", lang))
    document.page_break()
    document.heading(t("dossier.operation_enterprise", lang), 2)
    rows: list[list[object]] = [
        [t("ui.enterprise", lang), enterprise.name],
        ["VSIC", enterprise.vsic],
        [contract.sheets()["enterprises"].column("employees").label(lang), enterprise.employees],
        [
            "ISO 14001 / ISO 50001 / ISO 9001",
            " / ".join(
                yes_no(held).text(lang) for held in (enterprise.iso_14001, enterprise.iso_50001, enterprise.iso_9001)
            ),
        ],
    ]
    document.table([t("dossier.item", lang), t("ui.value", lang)], rows, (2, 3))
    accounts = accounting.account(facts.records.of(enterprise.enterprise_id), facts.year, enterprises=1)
    _kpis(document, accounts, lang)
    document.page_break()
    _assessment(document, evaluation, lang)
    return document
