"""What produced a figure: the factors, prices, rules, methods and versions behind it, so that every report can end
with its methodology annex and every JSON answer can carry it under `provenance`.

The annex lists what the figures actually used (the grid factor of each year asked, the fuels burnt, the rule pack
evaluated), not the whole reference library; each entry keeps its source and how sure it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from eipkit import __version__, contract, i18n, reference

METHODS = ("accounting", "scope2", "savings", "benchmark", "results", "certification", "symbiosis")


@dataclass
class Provenance:
    """The sources behind one output; `as_dict` for JSON, `rows` for a report's annex table."""

    methods: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    carriers: list[str] = field(default_factory=list)
    packs: list[tuple[str, str]] = field(default_factory=list)
    usd_year: int | None = None
    price_day: dt.date | None = None
    last_import: tuple[str, dt.datetime] | None = None
    waste_codes: str | None = None

    def grid_factors(self) -> list[dict[str, Any]]:
        found = []
        for year in sorted(set(self.years)):
            try:
                chosen = reference.grid_factor(year)
            except ValueError:
                continue
            factor = chosen.factor
            found.append(
                {
                    "year": year,
                    "factor_year": chosen.year,
                    "tco2_per_mwh": chosen.tco2_per_mwh,
                    "method": factor.method,
                    "source": factor.source,
                    "confidence": factor.confidence,
                }
            )
        return found

    def fuels(self) -> list[dict[str, Any]]:
        table = reference.fuels()
        return [
            {
                "carrier": c,
                "ncv_mj_per_kg": table[c].ncv_mj_per_kg,
                "co2_kg_per_tj": table[c].co2_kg_per_tj,
                "ch4_kg_per_tj": table[c].ch4_kg_per_tj,
                "n2o_kg_per_tj": table[c].n2o_kg_per_tj,
                "biogenic": table[c].biogenic,
                "source": table[c].source,
                "confidence": table[c].confidence,
            }
            for c in sorted(set(self.carriers))
            if c in table
        ]

    def as_dict(self) -> dict[str, Any]:
        gwp = reference.gwp()
        result: dict[str, Any] = {
            "eipkit": __version__,
            "generated": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "contract_version": contract.version(),
            "methods": {m: i18n.t(f"method.{m}", "en") for m in self.methods},
            "grid_factors": self.grid_factors(),
            "fuels": self.fuels(),
            "gwp": {gas: value for gas, value in gwp.items()},
            "rule_packs": [{"id": p, "version": v} for p, v in self.packs],
        }
        if self.usd_year is not None:
            rate = reference.usd_rates()
            known = [y for y in rate if y <= self.usd_year] or [min(rate)]
            row = rate[max(known)]
            result["usd_rate"] = {"year": row.year, "vnd_per_usd": row.vnd_per_usd, "source": row.source}
        if self.price_day is not None:
            prices = reference.prices(self.price_day)
            result["default_prices"] = [
                {"resource": r, "carrier": c, "price_vnd": p.price_vnd, "unit": p.unit, "valid_from": str(p.valid_from)}
                for (r, c), p in sorted(prices.items())
                if r in ("electricity", "water")
            ]
        if self.waste_codes is not None:
            result["waste_codes"] = self.waste_codes
        if self.last_import is not None:
            result["last_import"] = {"source": self.last_import[0], "at": self.last_import[1].isoformat()}
        return result

    def rows(self, lang: str) -> list[list[str]]:
        """The annex as (item, value, source and confidence) rows, in the reader's language."""
        t = i18n.t

        def n(value: float, digits: int | None = None) -> str:
            """A figure as the reader writes it, with its own decimals unless told."""
            shown = digits if digits is not None else len(repr(float(value)).partition(".")[2].rstrip("0"))
            return i18n.number(float(value), lang, shown)

        rows = [
            [t("prov.version", lang), f"eipkit {__version__}", t("prov.contract", lang, version=contract.version())]
        ]
        for method in self.methods:
            rows.append([t("prov.method", lang), t(f"method.{method}", lang), ""])
        for f in self.grid_factors():
            label = t("prov.grid", lang, year=f["year"])
            value = f"{n(f['tco2_per_mwh'], 4)} tCO2/MWh" + (
                f" ({f['factor_year']})" if f["factor_year"] != f["year"] else ""
            )
            rows.append([label, value, f"{f['source']}; {f['confidence']}"])
        for f in self.fuels():
            gases = f"CO2 {n(f['co2_kg_per_tj'])}, CH4 {n(f['ch4_kg_per_tj'])}, N2O {n(f['n2o_kg_per_tj'])} kg/TJ"
            value = f"NCV {n(f['ncv_mj_per_kg'])} MJ/kg; {gases}"
            label = t("prov.fuel", lang, fuel=contract.enum_label("carrier", f["carrier"], lang))
            rows.append([label, value, f"{f['source']}; {f['confidence']}"])
        if self.carriers:
            gwp = reference.gwp()
            rows.append([t("prov.gwp", lang), f"CH4 {gwp['CH4']:g}, N2O {gwp['N2O']:g}", "IPCC AR5"])
        for pack, version in self.packs:
            rows.append([t("prov.pack", lang), f"{pack} {version}", ""])
        data = self.as_dict()
        if "usd_rate" in data:
            usd = data["usd_rate"]
            rows.append([t("prov.usd", lang), f"{n(usd['vnd_per_usd'], 0)} VND/USD ({usd['year']})", usd["source"]])
        for price in data.get("default_prices", []):
            label = t("prov.price", lang, resource=t(f"prov.resource.{price['resource']}", lang))
            since = t("prov.since", lang, date=dt.date.fromisoformat(price["valid_from"]).strftime("%d/%m/%Y"))
            rows.append([label, f"{n(price['price_vnd'])} VND/{price['unit']}", since])
        if self.waste_codes is not None:
            rows.append([t("prov.waste_codes", lang), self.waste_codes, ""])
        if self.last_import is not None:
            source, at = self.last_import
            rows.append([t("prov.last_import", lang), source, at.strftime("%d/%m/%Y %H:%M")])
        return rows


def merged(items: Iterable[Provenance]) -> Provenance:
    """One annex for a report built from several outputs."""
    result = Provenance()
    for item in items:
        result.methods += [m for m in item.methods if m not in result.methods]
        result.years += item.years
        result.carriers += item.carriers
        result.packs += [p for p in item.packs if p not in result.packs]
        result.usd_year = result.usd_year or item.usd_year
        result.price_day = result.price_day or item.price_day
        result.last_import = result.last_import or item.last_import
        result.waste_codes = result.waste_codes or item.waste_codes
    return result
