"""The reports' content gathered from the store: an enterprise's RECP report and each park's summary. The writers in
`eipkit.reports` receive this plain content and lay it out; they never read the database."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from pathlib import Path

from eipkit import accounting, reference
from eipkit.api._lookup import known_park
from eipkit.api.provenance import accounts_provenance
from eipkit.api.recp import enterprise_assessments, enterprise_page
from eipkit.reports.enterprise_report import TOP_OPTIONS, ReportContent
from eipkit.reports.park_summary import Exchange, ParkSummary
from eipkit.store import Database, repository
from eipkit.vocabulary import OPEN, Fate, OpportunityKind, Stage


def enterprise_report(database: Database, enterprise_id: str, year: int) -> ReportContent:
    """What an enterprise's RECP report says for `year`: its profile and figures, its place among its peers, the
    options that pay best, its opportunities and assessments, and the factors behind them.

    Args:
        database: the store.
        enterprise_id: as in the workbook (`DEEPC-001`); an unknown one raises NotFound.
        year: the year of the figures; peers and options are read for the same year.

    Examples:
        >>> content = api.enterprise_report(database, "HIEPPHUOC-001", 2024)
        >>> reports.enterprise_report.write_pdf(content, "hiepphuoc-001.pdf", "vi")
    """
    page = enterprise_page(database, enterprise_id, year)
    content = ReportContent(
        enterprise=page.enterprise,
        park=page.park,
        year=year,
        accounts=page.accounts,
        positions=page.benchmark.positions,
        proposals=page.options[:TOP_OPTIONS],
        implemented=[o for o in page.opportunities if o.stage == Stage.IMPLEMENTED],
        pipeline=[o for o in page.opportunities if o.stage in OPEN],
        assessments=enterprise_assessments(database, enterprise_id),
    )
    origin = accounts_provenance(database, [content.accounts])
    origin.methods += ["benchmark"]
    origin.price_day = reference.price_day(year)
    content.provenance = origin
    return content


def park_summary(database: Database, park_id: str) -> ParkSummary:
    """A park's summary: its enterprises, its figures of every year with records, its opportunities, and the
    exchanges to draw (the waste records exchanged in the latest year, the open symbiosis opportunities).

    Args:
        database: the store.
        park_id: as in the workbook (`DEEPC`); an unknown park raises NotFound.

    Examples:
        >>> summary = api.park_summary(database, "DEEPC")
        >>> [a.year for a in summary.accounts]
        [2022, 2023, 2024, 2025]
    """
    with database.sessions() as session:
        park = known_park(session, park_id)
        members = repository.enterprises(session, park_id)
        records = repository.records(session, [e.enterprise_id for e in members])
        opportunities = repository.opportunities(session, park_id)
        years = records.years()
        exchanges: list[Exchange] = []
        if years:
            latest = years[-1]
            for flow in records.waste:
                if flow.year == latest and flow.fate == Fate.EXCHANGE and flow.receiver:
                    exchanges.append(Exchange(flow.enterprise_id, flow.receiver, flow.mass_t, flow.waste, "existing"))
        for o in opportunities:
            if o.kind == OpportunityKind.SYMBIOSIS and o.stage in OPEN and len(o.enterprise_ids) >= 2:
                source, target = o.enterprise_ids[:2]
                if o.waste_t:
                    exchanges.append(Exchange(source, target, o.waste_t, o.title, "proposed"))
                elif o.water_m3:
                    exchanges.append(Exchange(source, target, o.water_m3, o.title, "proposed", "m3"))
        inside = {e.enterprise_id for e in members}
        outside = sorted({e for x in exchanges for e in (x.source, x.target)} - inside)
        partners = [found for e in outside if (found := repository.enterprise(session, e)) is not None]
    accounts = [accounting.account(records, year, enterprises=len(members)) for year in years]
    return ParkSummary(park, members, accounts, opportunities, exchanges=exchanges, partners=partners)


def park_summary_annex(database: Database, summary: ParkSummary, lang: str = "vi") -> list[list[str]]:
    """The methodology annex of a park's summary (the factors of its years, the fuels burnt), as table rows.

    Args:
        database: the store.
        summary: what `park_summary` returned.
        lang: "vi" or "en".

    Examples:
        >>> rows = api.park_summary_annex(database, api.park_summary(database, "DEEPC"), "en")
    """
    return accounts_provenance(database, summary.accounts).rows(lang)


def write_park_summaries(
    database: Database,
    out: str | Path,
    lang: str = "vi",
    banner: str | None = None,
    park_notes: Mapping[str, Sequence[str]] | None = None,
    park_ids: Collection[str] | None = None,
) -> Path:
    """Every park's summary written as HTML into `out` with an index (no internet needed to open them).

    Args:
        database: the store.
        out: the folder, created when missing.
        lang: "vi" or "en".
        banner: a line shown on every page (the synthetic data's warning).
        park_notes: notes to print on a park's page, by park id.
        park_ids: only these parks (all when None).

    Returns:
        The index page's path.

    Examples:
        >>> api.write_park_summaries(database, "eipkit-demo", lang="en")
        PosixPath('eipkit-demo/index.html')
    """
    from eipkit.reports import park_summary as writer

    with database.sessions() as session:
        parks = repository.parks(session)
    pages = []
    for park in parks:
        if park_ids is not None and park.park_id not in park_ids:
            continue
        summary = park_summary(database, park.park_id)
        summary.notes = list((park_notes or {}).get(park.park_id, ()))
        pages.append((summary, park_summary_annex(database, summary, lang)))
    return writer.write_all(pages, out, lang, banner)
