"""Decree 35/2022/ND-CP: a park's facts, its criteria evaluated by a rule pack, the dossier and annual report
written, and certification applications followed step by step on the Vietnamese calendar."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from eipkit.api._lookup import known_park, park_members
from eipkit.api.provenance import accounts_provenance
from eipkit.api.symbiosis import park_city
from eipkit.errors import NotFound
from eipkit.model import Records
from eipkit.provenance import Provenance
from eipkit.store import Database, repository

if TYPE_CHECKING:  # the symbiosis modules load linopy; commands that do not optimise need not wait for it
    from eipkit.certification.evaluate import Evaluation
    from eipkit.certification.evidence import ParkFacts


def park_facts(database: Database, park_id: str, year: int | None = None, records: Records | None = None) -> ParkFacts:
    """What the certification criteria of a park are computed from (its enterprises, records, opportunities and the
    parks of its partners), for `year`.

    Args:
        database: the store.
        park_id: the park; an unknown one raises NotFound.
        year: the year (the park's latest year of records when None).
        records: every year's records of the park when the caller has read them already (see `park_records`).

    Examples:
        >>> len(api.park_facts(database, "DEEPC", 2025).enterprises)
    """
    from eipkit.certification.evidence import ParkFacts

    with database.sessions() as session:
        members = park_members(session, park_id)
        records = repository.records(session, members) if records is None else records
        if year is None:
            years = records.years()
            year = years[-1] if years else dt.date.today().year - 1
        opportunities = repository.opportunities(session, park_id)
        records = records.in_year(year)
        # partners of a link may belong to other parks: only they are looked up
        partners = {e for o in opportunities for e in o.enterprise_ids}
        partners |= {w.receiver for w in records.waste if w.receiver is not None}
        park_of = {e: park_id for e in members}
        for enterprise_id in partners - set(park_of):
            partner = repository.enterprise(session, enterprise_id)
            if partner is not None:
                park_of[enterprise_id] = partner.park_id
        return ParkFacts(
            park=known_park(session, park_id),
            year=year,
            enterprises=repository.enterprises(session, park_id),
            opportunities=opportunities,
            records=records,
            park_of=park_of,
        )


def certify_park(
    database: Database,
    park_id: str,
    pack: str = "vn-decree-35-2022",
    year: int | None = None,
    thresholds: dict[str, float] | None = None,
) -> Evaluation:
    """The park against a rule pack (Decree 35/2022 Art. 37 by default): each criterion met, not met or
    undetermined, with its evidence, what is missing, and the cheapest path per gap; a criterion whose wording could not
    be verified is flagged, never counted as met.

    Args:
        database: the store.
        park_id: the park; an unknown one raises NotFound.
        pack: the rule pack's id (`eipkit regulation packs` lists them).
        year: the year of the facts (the latest when None).
        thresholds: thresholds replaced by criterion id, for a what-if.

    Examples:
        >>> evaluation = api.certify_park(database, "DEEPC", year=2025)
        >>> evaluation.eligible, [(r.criterion.id, r.status) for r in evaluation.results]
    """
    from eipkit.certification import evaluate, rules

    rule_pack = rules.load(pack).with_thresholds(thresholds or {})
    return evaluate.evaluate_park(rule_pack, park_facts(database, park_id, year))


def certify_enterprises(
    database: Database, park_id: str, pack: str = "vn-decree-35-2022", year: int | None = None
) -> list[Evaluation]:
    """Each enterprise of the park against the pack's eco-enterprise criteria (Decree 35 Art. 40(2), 42).

    Args:
        database: the store.
        park_id: the park whose enterprises are evaluated.
        pack: the rule pack's id.
        year: the year of the facts (the latest when None).

    Examples:
        >>> [e.subject for e in api.certify_enterprises(database, "DEEPC") if e.eligible]
    """
    from eipkit.certification import evaluate, rules

    return evaluate.evaluate_enterprises(rules.load(pack), park_facts(database, park_id, year))


def certification_dossier(
    database: Database,
    park_id: str,
    out_dir: str | Path,
    enterprise_id: str | None = None,
    pack: str = "vn-decree-35-2022",
    year: int | None = None,
    lang: str = "vi",
) -> list[Path]:
    """The Art. 41 dossier of a park (or the Art. 42 dossier of one of its enterprises) as DOCX and PDF, with the
    evaluation, its evidence and the methodology annex.

    Args:
        database: the store.
        park_id: the park.
        out_dir: the folder the two files are written into.
        enterprise_id: one of its enterprises, for the eco-enterprise dossier instead.
        pack: the rule pack's id.
        year: the year of the facts (the latest when None).
        lang: "vi" or "en".

    Examples:
        >>> api.certification_dossier(database, "DEEPC", "dossier/")
        [PosixPath('dossier/DEEPC-...docx'), PosixPath('dossier/DEEPC-...pdf')]
    """
    from eipkit.certification import dossier, evaluate, rules
    from eipkit.reports.document import write_docx, write_pdf

    facts = park_facts(database, park_id, year)
    rule_pack = rules.load(pack)
    if enterprise_id is None:
        document = dossier.park_dossier(evaluate.evaluate_park(rule_pack, facts), facts, lang)
        stem = f"ho-so-kcn-sinh-thai-{park_id}-{facts.year}"
    else:
        enterprise = facts.members.get(enterprise_id)
        if enterprise is None:
            raise NotFound("nf.enterprise_in_park", enterprise=enterprise_id, park=park_id)
        evaluation = evaluate.evaluate_enterprise(rule_pack, facts, enterprise)
        document = dossier.enterprise_dossier(evaluation, facts, enterprise, lang)
        stem = f"ho-so-doanh-nghiep-sinh-thai-{enterprise_id}-{facts.year}"
    origin = accounts_provenance(database, [facts.accounts])
    origin.methods += ["certification"]
    origin.packs.append((rule_pack.id, rule_pack.version))
    _annex(document, origin, lang)
    out = Path(out_dir)
    return [write_docx(document, out / f"{stem}.docx"), write_pdf(document, out / f"{stem}.pdf")]


def annual_report(
    database: Database, park_id: str, year: int | None = None, enterprise_id: str | None = None, lang: str = "vi"
) -> dict[str, Any]:
    """The Art. 43 annual monitoring report of a park (forms A.4, A.5) or of one of its enterprises (B.4, B.5), as
    the forms' content.

    Args:
        database: the store.
        park_id: the park.
        year: the year reported (the latest when None).
        enterprise_id: one of its enterprises, for its own forms instead.
        lang: "vi" or "en".

    Examples:
        >>> report = api.annual_report(database, "DEEPC", 2025)
        >>> api.annual_report_files(report, "reports/", origin=api.park_provenance(database, "DEEPC", 2025))
    """
    from eipkit.certification import annual

    facts = park_facts(database, park_id, year)
    if enterprise_id is None:
        report = annual.park_report(facts, lang)
        across = park_city(database, park_id, facts.year)
        if across.cities:
            report["park_city"] = annual.park_city_section(across)
        return report
    enterprise = facts.members.get(enterprise_id)
    if enterprise is None:
        raise NotFound("nf.enterprise_in_park", enterprise=enterprise_id, park=park_id)
    return annual.enterprise_report(facts, enterprise, lang)


def park_provenance(database: Database, park_id: str, year: int | None = None, pack: str | None = None) -> Provenance:
    """What a park's figures of a year are computed with (grid factor, fuels, methods, the rule pack): for its
    annual report and dossier.

    Args:
        database: the store.
        park_id: the park.
        year: the year (the latest when None).
        pack: the rule pack's id, when the output evaluates one.

    Examples:
        >>> api.park_provenance(database, "DEEPC", 2025, "vn-decree-35-2022").rows("en")
    """
    facts = park_facts(database, park_id, year)
    origin = accounts_provenance(database, [facts.accounts])
    origin.methods += ["certification"]
    if pack is not None:
        from eipkit.certification import rules

        loaded = rules.load(pack)
        origin.packs.append((loaded.id, loaded.version))
    return origin


def _annex(document: Any, origin: Provenance, lang: str) -> None:
    from eipkit import i18n

    headers = [i18n.t(k, lang) for k in ("prov.item", "prov.value", "prov.source")]
    document.annex(i18n.t("prov.title", lang), headers, origin.rows(lang))


def annual_report_files(
    report: dict[str, Any], out_dir: str | Path, lang: str = "vi", origin: Provenance | None = None
) -> list[Path]:
    """The annual report written as DOCX and PDF into `out_dir`, ending with its methodology annex.

    Args:
        report: what `annual_report` returned.
        out_dir: the folder the two files are written into.
        lang: "vi" or "en".
        origin: the provenance for the annex (`park_provenance`).

    Examples:
        >>> api.annual_report_files(api.annual_report(database, "DEEPC", 2025), "reports/")
    """
    from eipkit.certification.annual import report_document
    from eipkit.reports.document import write_docx, write_pdf

    subject = report.get("enterprise") or report["park"]
    stem = f"bao-cao-hang-nam-{subject}-{report['year']}"
    document = report_document(report, lang)
    _annex(document, origin or Provenance(["certification"], [report["year"]]), lang)
    out = Path(out_dir)
    return [write_docx(document, out / f"{stem}.docx"), write_pdf(document, out / f"{stem}.pdf")]


def submit_application(
    database: Database, park_id: str, submitted: dt.date, procedure: str = "park", enterprise_id: str | None = None
) -> int:
    """Open a certification application on the day its complete dossier was received; returns its number. Its
    steps' due dates follow from that day on Vietnam's calendar.

    Args:
        database: the store.
        park_id: the park applying (or whose enterprise applies).
        submitted: the day the complete dossier was received.
        procedure: `park` (Art. 41), `enterprise` (Art. 42) or `recertify`.
        enterprise_id: the enterprise, for the `enterprise` procedure.

    Examples:
        >>> number = api.submit_application(database, "DEEPC", dt.date(2026, 3, 2))
    """
    from eipkit.certification.procedure import step_ids

    step_ids(procedure)  # refuses an unknown procedure before anything is stored
    with database.transaction() as session:
        members = park_members(session, park_id)
        if enterprise_id is not None and enterprise_id not in members:
            raise NotFound("nf.enterprise_in_park", enterprise=enterprise_id, park=park_id)
        return repository.add_application(session, park_id, enterprise_id, procedure, submitted).id


def record_application_step(
    database: Database, application_id: int, step: str, on: dt.date, note: str | None = None
) -> None:
    """Record that a step of an application was done on a day (in order, not dated back, not after closing).

    Args:
        database: the store.
        application_id: the application's number.
        step: the procedure's step (`forward`, `opinions`, `appraisal`, `issue` for a park).
        on: the day it was done.
        note: what was decided.

    Examples:
        >>> api.record_application_step(database, number, "forward", dt.date(2026, 3, 4))
    """
    with database.transaction() as session:
        checked_step(session, application_id, step, on, note)


def checked_step(session: Session, application_id: int, step: str, on: dt.date, note: str | None = None) -> None:
    """Record an application's step after the procedure's checks (in order, not dated back, not after closing), in
    the caller's transaction.

    Args:
        session: the caller's open transaction.
        application_id: the application's number.
        step: the procedure's step.
        on: the day it was done.
        note: what was decided.

    Examples:
        >>> with database.transaction() as session:
        ...     api.checked_step(session, number, "opinions", dt.date(2026, 3, 20))
    """
    from eipkit.certification.applications import RefusedStep, check_step

    found = repository.applications(session, ids=[application_id])
    if not found:
        raise RefusedStep("app.not_found", application=application_id)
    check_step(found[0], step, on)
    repository.record_application_step(session, application_id, step, on, note)


def application_progress(
    database: Database,
    today: dt.date,
    park_ids: Sequence[str] | None = None,
    application_id: int | None = None,
    overdue_only: bool = False,
    lang: str = "vi",
) -> list[dict[str, Any]]:
    """Applications with each step's due date (working days and holidays of Vietnam's calendar) and what is late
    on `today`: the board's overdue view.

    Args:
        database: the store.
        today: the day the delays are counted to.
        park_ids: these parks' applications (all when None).
        application_id: this application only; an unknown one raises RefusedStep.
        overdue_only: only the applications with a step late.
        lang: "vi" or "en".

    Examples:
        >>> api.application_progress(database, dt.date.today(), ["DEEPC"], overdue_only=True)
    """
    from eipkit.certification.applications import RefusedStep, progress
    from eipkit.certification.calendar import vietnam

    with database.sessions() as session:
        ids = [application_id] if application_id is not None else None
        found = repository.applications(session, park_ids, ids)
    if application_id is not None and not found:
        raise RefusedStep("app.not_found", application=application_id)
    calendar = vietnam()
    shown = [progress(a, today, calendar, lang) for a in found]
    return [p for p in shown if p["overdue"]] if overdue_only else shown
