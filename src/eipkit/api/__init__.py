"""The library's entry points, by domain: each reads what it needs from the store, calls the calculations and
returns plain results. The command line and the web application call these and compute nothing themselves.

`eipkit.api.registry` (what is stored), `accounts` (a park's or an enterprise's energy, water, waste and GHG
figures), `recp`, `monitoring`, `symbiosis`, `certification`, `reports` (the reports' content, which the writers
lay out) and `provenance` (what produced a figure); their functions are also reachable here (`api.park_kpi`).
`changes` (writes checked against the user's rights), `figures` (the stored dashboard figures), `regulation` and
`training` are imported by name. Heavy libraries (linopy, the document writers) load inside the functions that need
them, so that the command line starts fast.
"""

from __future__ import annotations

from eipkit.api.accounts import enterprise_kpi, park_kpi
from eipkit.api.certification import (
    annual_report,
    annual_report_files,
    application_progress,
    certification_dossier,
    certify_enterprises,
    certify_park,
    checked_step,
    park_facts,
    park_provenance,
    record_application_step,
    submit_application,
)
from eipkit.api.monitoring import (
    Attribution,
    apply_measured_savings,
    attribute_measured_savings,
    checked_move,
    enterprise_measured_savings,
    move_opportunity,
    results,
    store_measured_savings,
    store_saving_values,
)
from eipkit.api.provenance import accounts_provenance, provenance, results_provenance, savings_provenance
from eipkit.api.recp import (
    BenchmarkResult,
    checked_task,
    division_indicators,
    enterprise_assessments,
    enterprise_benchmark,
    enterprise_indicators,
    enterprise_options,
    link_assessment_opportunity,
    start_assessment,
    update_assessment_task,
)
from eipkit.api.registry import (
    WasteCodeList,
    all_enterprises,
    backup,
    enterprise_opportunities,
    enterprise_profile,
    enterprise_records,
    enterprises,
    latest_year,
    load_waste_codes,
    opportunity_history,
    opportunity_park,
    park_opportunities,
    park_records,
    park_rows,
    parks,
    restore,
    synthetic,
    waste_codes,
)
from eipkit.api.reports import enterprise_report, park_summary, park_summary_annex, write_park_summaries
from eipkit.api.symbiosis import (
    national_symbiosis,
    optimize_symbiosis,
    park_city,
    solve_symbiosis,
    store_links,
    symbiosis_candidates,
)

__all__ = [
    "Attribution",
    "BenchmarkResult",
    "WasteCodeList",
    "accounts_provenance",
    "all_enterprises",
    "annual_report",
    "annual_report_files",
    "application_progress",
    "apply_measured_savings",
    "attribute_measured_savings",
    "backup",
    "certification_dossier",
    "certify_enterprises",
    "certify_park",
    "checked_move",
    "checked_step",
    "checked_task",
    "division_indicators",
    "enterprise_assessments",
    "enterprise_benchmark",
    "enterprise_indicators",
    "enterprise_kpi",
    "enterprise_measured_savings",
    "enterprise_opportunities",
    "enterprise_options",
    "enterprise_profile",
    "enterprise_records",
    "enterprise_report",
    "enterprises",
    "latest_year",
    "link_assessment_opportunity",
    "load_waste_codes",
    "move_opportunity",
    "national_symbiosis",
    "opportunity_history",
    "opportunity_park",
    "optimize_symbiosis",
    "park_city",
    "park_facts",
    "park_kpi",
    "park_opportunities",
    "park_provenance",
    "park_records",
    "park_rows",
    "park_summary",
    "park_summary_annex",
    "parks",
    "provenance",
    "record_application_step",
    "restore",
    "results",
    "results_provenance",
    "savings_provenance",
    "solve_symbiosis",
    "start_assessment",
    "store_links",
    "store_measured_savings",
    "store_saving_values",
    "submit_application",
    "symbiosis_candidates",
    "synthetic",
    "update_assessment_task",
    "waste_codes",
    "write_park_summaries",
]
