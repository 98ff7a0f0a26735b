"""The synthetic demonstration dataset of the programme's six parks.

Park facts come from public sources (see `data/demo.yaml`, with their confidence); every tenant, record and
opportunity is drawn from sector profiles with a fixed seed, so the same dataset comes out every time. It goes
through the same validation and storage as a user's workbook.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from eipkit import contract, i18n, reference
from eipkit.store import Database, state
from eipkit.vocabulary import Stage
from eipkit.workbooks.importer import ImportResult, import_rows

SOURCE = "eipkit demo (synthetic data)"
STAGES = tuple(s.value for s in Stage)
_STAGE_WEIGHTS = (20, 15, 15, 15, 30, 5)

# Prices for the synthetic costs (VND per unit), of the order Vietnamese industrial tenants paid in 2022-2025.
_PRICE_PER_MWH = 1_950_000
_PRICE_PER_T_FUEL = {
    "diesel": 23_500_000,
    "fuel_oil": 16_000_000,
    "lpg": 25_000_000,
    "natural_gas": 12_000_000,
    "coal_anthracite": 4_000_000,
    "coal_bituminous": 3_500_000,
    "coal_subbituminous": 3_000_000,
    "biomass_wood": 1_500_000,
    "biomass_rice_husk": 1_200_000,
}
_PRICE_PER_M3_WATER = 14_000
_PRICE_PER_T_WASTE = {"landfill": 800_000, "incineration": 3_000_000, "treatment": 5_000_000}


@cache
def spec() -> dict[str, Any]:
    return yaml.safe_load(resources.files("eipkit.data").joinpath("demo.yaml").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class DemoLoad:
    parks: int
    enterprises: int
    result: ImportResult


def _fuel_quantity(carrier: str, tonnes: float) -> tuple[float, str]:
    """Fuel in the unit a tenant's invoices would use, so the demo exercises the unit conversions."""
    fuel = reference.fuels()[carrier]
    if carrier == "diesel" and fuel.density_kg_per_l:
        return round(tonnes / fuel.density_kg_per_l * 1000, 0), "L"
    if carrier == "natural_gas" and fuel.density_kg_per_nm3:
        return round(tonnes / fuel.density_kg_per_nm3 * 1000, 0), "Nm3"
    if carrier == "lpg":
        return round(tonnes * 1000, 0), "kg"
    return round(tonnes, 2), "t"


class Generator:
    """Parks, tenants, records and opportunities drawn from the sector profiles; the same every time for the same
    parks and seed. `batches` hands them out a few parks at a time, so that a national dataset never sits whole in
    memory."""

    def __init__(self, parks: list[dict[str, Any]] | None = None, seed: int | None = None) -> None:
        self.spec = spec()
        self.parks = self.spec["parks"] if parks is None else parks
        self.cities: list[dict[str, Any]] = self.spec.get("cities", []) if parks is None else []
        self.rng = random.Random(self.spec["seed"] if seed is None else seed)
        self.years: list[int] = self.spec["years"]
        self.rows: dict[str, list[dict[str, Any]]] = {name: [] for name in contract.sheets()}
        self._opportunity_no = 0

    def run(self) -> dict[str, list[dict[str, Any]]]:
        for park in self.parks:
            self._park(park)
        for city in self.cities:
            self._city(city)
        return self.rows

    def _city(self, city: dict[str, Any]) -> None:
        """A city's municipal sources and sinks from their stated figures, grown at a fixed rate (no random draw, so
        the parks' figures stay as they were)."""
        park_id = city["park_id"]
        self.rows["parks"].append(
            {
                "park_id": park_id,
                "name": city["name"],
                "province": city["province"],
                "area_ha": city["area_ha"],
                "lat": city["lat"],
                "lon": city["lon"],
                "investor": city["investor"],
                "kind": "city",
            }
        )
        for facility in city["facilities"]:
            eid = f"{park_id}-{facility['id']}"
            self.rows["enterprises"].append(
                {
                    "enterprise_id": eid,
                    "park_id": park_id,
                    "name": facility["name"],
                    "vsic": facility["vsic"],
                    "employees": facility["employees"],
                    "lat": round(city["lat"] + facility["dlat"], 5),
                    "lon": round(city["lon"] + facility["dlon"], 5),
                }
            )
            for i, year in enumerate(self.years):
                grown = (1 + city["growth"]) ** i
                mwh = facility["electricity_mwh"] * grown
                self._energy(eid, year, "electricity_grid", round(mwh, 1), "MWh", mwh * _PRICE_PER_MWH)
                carrier, fuel_t = facility["fuel"]
                quantity, unit = _fuel_quantity(carrier, fuel_t * grown)
                self._energy(eid, year, carrier, quantity, unit, fuel_t * grown * _PRICE_PER_T_FUEL[carrier])
                for kind, volume in facility["water"].items():
                    self._water(eid, year, kind, volume * grown)
                for material, mass, chemical in facility["materials"]:
                    self._material(eid, year, material, mass * grown, chemical)
                for waste, mass, code, hazardous, fate in facility["waste"]:
                    price = _PRICE_PER_T_WASTE[fate]
                    self.rows["waste"].append(
                        {
                            "enterprise_id": eid,
                            "year": year,
                            "waste": waste,
                            "quantity": round(mass * grown, 1),
                            "unit": "t",
                            "fate": fate,
                            "waste_code": code or None,
                            "hazardous": "yes" if hazardous else "no",
                            "receiver": None,
                            "cost_vnd": round(mass * grown * price, -3),
                        }
                    )
                product, unit, quantity = facility["product"]
                self.rows["production"].append(
                    {
                        "enterprise_id": eid,
                        "year": year,
                        "product": product,
                        "quantity": round(quantity * grown, 1),
                        "unit": unit,
                        "value_vnd": None,
                    }
                )
        for offer in city.get("surplus_heat", []):
            for i, year in enumerate(self.years):
                gj = round(offer["gj"] * (1 + city["growth"]) ** i, 0)
                self.rows["production"].append(
                    {
                        "enterprise_id": offer["enterprise"],
                        "year": year,
                        "product": offer["product"],
                        "quantity": gj,
                        "unit": "GJ",
                        "value_vnd": None,
                        "available_to_others": gj,
                    }
                )
        for link in city.get("links", []):
            supplier = f"{park_id}-{link['from']}"
            receiver = link["to"]
            self.rows["opportunities"].append(
                {
                    "opportunity_id": self._next_id(park_id),
                    "park_id": receiver.rsplit("-", 1)[0],
                    "kind": "symbiosis",
                    "title": f"{link['resource']} → {receiver}",
                    "stage": "implemented",
                    "basis": "measured",
                    "enterprise_ids": f"{supplier};{receiver}",
                    "category": link["category"],
                    "year_identified": link["year"] - 1,
                    "year_implemented": link["year"],
                    "water_m3": link.get("water_m3"),
                    "waste_t": link.get("waste_t"),
                    "cost_saving_vnd": link["cost_saving_vnd"],
                    "co2e_t": link["co2e_t"],
                }
            )

    def batches(self, parks_per_batch: int) -> Iterator[dict[str, list[dict[str, Any]]]]:
        for start in range(0, len(self.parks), parks_per_batch):
            self.rows = {name: [] for name in contract.sheets()}
            for park in self.parks[start : start + parks_per_batch]:
                self._park(park)
            yield self.rows

    def _park(self, park: dict[str, Any]) -> None:
        rng = self.rng
        services = [
            "electricity",
            "water_supply",
            "telecom",
            "fire_protection",
            "wastewater_treatment",
            "waste_collection",
        ]
        if rng.random() < 0.6:
            services.append("is_support")
        self.rows["parks"].append(
            {
                "park_id": park["park_id"],
                "name": park["name"],
                "province": park["province"],
                "area_ha": park["area_ha"],
                "green_area_ha": round(park["area_ha"] * rng.uniform(0.10, 0.16), 1),
                "industrial_land_ha": park.get("industrial_land_ha"),
                "established_year": park.get("established_year"),
                "lat": park["lat"],
                "lon": park["lon"],
                "investor": park["investor"],
                "wwtp_capacity_m3_per_day": park.get("wwtp_capacity_m3_per_day"),
                "services": ";".join(services),
                "investor_violations_3y": 0 if rng.random() < 0.85 else 1,
                "io_monitoring": "yes" if rng.random() < 0.5 else "no",
                "last_annual_report_year": self.years[-1] if rng.random() < 0.6 else self.years[-2],
            }
        )
        tenants = []
        number = 0
        for division, count in park["sectors"].items():
            for _ in range(count):
                number += 1
                tenants.append(self._enterprise(park, number, int(division)))
        for tenant in tenants:
            self._records(tenant, tenants)
        for tenant in tenants:
            self._recp_opportunities(park["park_id"], tenant)

    def _enterprise(self, park: dict[str, Any], number: int, division: int) -> dict[str, Any]:
        rng = self.rng
        sector = self.spec["sectors"][division]
        low, high = sector["employees"]
        employees = int(math.exp(rng.uniform(math.log(low), math.log(high))))
        enterprise_id = f"{park['park_id']}-{number:03d}"
        row = {
            "enterprise_id": enterprise_id,
            "park_id": park["park_id"],
            "name": f"Công ty {sector['vi']} {park['park_id'][:3]}{number:02d} (giả lập)",
            "vsic": f"{division:02d}",
            "employees": employees,
            "lat": round(park["lat"] + rng.uniform(-0.012, 0.012), 5),
            "lon": round(park["lon"] + rng.uniform(-0.012, 0.012), 5),
            "iso_14001": "yes" if rng.random() < 0.45 else "no",
            "iso_50001": "yes" if rng.random() < 0.15 else "no",
            "violations_3y": 0 if rng.random() < 0.9 else 1,
        }
        row["iso_9001"] = row["iso_14001"]  # drawn without the generator: the demo's other figures stay as they were
        self.rows["enterprises"].append(row)
        return {
            "row": row,
            "sector": sector,
            "scale": employees * rng.lognormvariate(0, 0.25),
            "growth": rng.uniform(0.0, 0.06),
            # each tenant's own efficiency per resource, so that intensities differ within a sector
            "efficiency": {k: rng.lognormvariate(0, 0.3) for k in ("elec", "fuel", "water", "materials", "waste")},
            "solar_from": rng.choice([None, None, None, self.years[1], self.years[2]]),
            "baseline": {},
        }

    def _records(self, tenant: dict[str, Any], tenants: list[dict[str, Any]]) -> None:
        rng = self.rng
        sector, scale, eid = tenant["sector"], tenant["scale"], tenant["row"]["enterprise_id"]
        for i, year in enumerate(self.years):
            activity = (1 + tenant["growth"]) ** i * rng.uniform(0.97, 1.03)
            efficiency = (1 - 0.015) ** i
            own = tenant["efficiency"]
            electricity = scale * sector["elec_mwh"] * activity * efficiency * own["elec"]
            solar = 0.0
            if tenant["solar_from"] and year >= tenant["solar_from"]:
                solar = electricity * rng.uniform(0.08, 0.15)
            grid = electricity - solar
            if grid > 5000:
                self._energy(eid, year, "electricity_grid", round(grid, 1), "MWh", grid * _PRICE_PER_MWH)
            else:
                self._energy(eid, year, "electricity_grid", round(grid * 1000), "kWh", grid * _PRICE_PER_MWH)
            if solar:
                self._energy(eid, year, "electricity_solar_onsite", round(solar, 1), "MWh", None)
            fuel_t = scale * sector["fuel_t"] * activity * efficiency * own["fuel"]
            quantity, unit = _fuel_quantity(sector["fuel"], fuel_t)
            self._energy(eid, year, sector["fuel"], quantity, unit, fuel_t * _PRICE_PER_T_FUEL[sector["fuel"]])

            withdrawal = scale * sector["water_m3"] * activity * efficiency * own["water"]
            reused = withdrawal * rng.uniform(0.05, 0.2) if rng.random() < 0.3 else 0.0
            for kind, volume in (
                ("withdrawal", withdrawal),
                ("wastewater", withdrawal * rng.uniform(0.7, 0.85)),
                ("reused", reused),
            ):
                if volume:
                    self._water(eid, year, kind, volume)
            for material, per_employee, chemical in sector["materials"]:
                self._material(eid, year, material, scale * per_employee * activity * own["materials"], chemical)
            for waste, per_employee, code, hazardous, fates in sector["waste"]:
                self._waste(
                    tenant,
                    tenants,
                    year,
                    waste,
                    scale * per_employee * activity * efficiency * own["waste"],
                    code,
                    hazardous,
                    fates,
                )
            name, unit, per_employee = sector["product"]
            output = scale * per_employee * activity
            self.rows["production"].append(
                {
                    "enterprise_id": eid,
                    "year": year,
                    "product": name,
                    "quantity": round(output, 1),
                    "unit": unit,
                    "value_vnd": round(scale * sector["value_mvnd"] * 1e6 * activity, -6),
                }
            )
            if i == 0:
                tenant["baseline"] = {
                    "electricity_mwh": electricity,
                    "fuel_gj": fuel_t * reference.fuels()[sector["fuel"]].ncv_mj_per_kg,
                    "water_m3": withdrawal,
                    "chemicals_t": sum(scale * own["materials"] * m[1] for m in sector["materials"] if m[2]),
                    "materials_t": sum(scale * own["materials"] * m[1] for m in sector["materials"] if not m[2]),
                }

    def _water(self, eid: str, year: int, kind: str, volume: float) -> None:
        cost = round(volume * _PRICE_PER_M3_WATER) if kind == "withdrawal" else None
        self.rows["water"].append(
            {
                "enterprise_id": eid,
                "year": year,
                "kind": kind,
                "quantity": round(volume, 1),
                "unit": "m3",
                "cost_vnd": cost,
            }
        )

    def _material(self, eid: str, year: int, material: str, mass: float, chemical: bool) -> None:
        self.rows["materials"].append(
            {
                "enterprise_id": eid,
                "year": year,
                "material": material,
                "quantity": round(mass, 2),
                "unit": "t",
                "chemical": "yes" if chemical else "no",
                "cost_vnd": None,
            }
        )

    def _energy(self, eid: str, year: int, carrier: str, quantity: float, unit: str, cost: float | None) -> None:
        self.rows["energy"].append(
            {
                "enterprise_id": eid,
                "year": year,
                "carrier": carrier,
                "quantity": quantity,
                "unit": unit,
                "cost_vnd": round(cost, -3) if cost else None,
            }
        )

    def _waste(
        self,
        tenant: dict[str, Any],
        tenants: list[dict[str, Any]],
        year: int,
        waste: str,
        mass: float,
        code: str,
        hazardous: bool,
        fates: dict[str, float],
    ) -> None:
        eid = tenant["row"]["enterprise_id"]
        for fate, share in fates.items():
            receiver = None
            if fate == "exchange":
                receiver = tenant.setdefault("receivers", {}).get(waste)
                if receiver is None:
                    others = [t["row"]["enterprise_id"] for t in tenants if t["row"]["enterprise_id"] != eid]
                    receiver = self.rng.choice(others)
                    tenant["receivers"][waste] = receiver
                    self._symbiosis_opportunity(tenant, receiver, waste, mass * share, year)
            price = _PRICE_PER_T_WASTE.get(fate)
            self.rows["waste"].append(
                {
                    "enterprise_id": eid,
                    "year": year,
                    "waste": waste,
                    "quantity": round(mass * share, 2),
                    "unit": "t",
                    "fate": fate,
                    "waste_code": code,
                    "hazardous": "yes" if hazardous else "no",
                    "receiver": receiver,
                    "cost_vnd": round(mass * share * price, -3) if price else None,
                }
            )

    def _next_id(self, park_id: str) -> str:
        self._opportunity_no += 1
        return f"{park_id}-OP{self._opportunity_no:04d}"

    def _symbiosis_opportunity(
        self, tenant: dict[str, Any], receiver: str, waste: str, tonnes: float, year: int
    ) -> None:
        """Each exchange in the records was once an opportunity; implemented in the year it first appears."""
        park_id = tenant["row"]["park_id"]
        template = self.spec["opportunities"]["symbiosis"][0]
        implemented = year if year > self.years[0] else None
        self.rows["opportunities"].append(
            {
                "opportunity_id": self._next_id(park_id),
                "park_id": park_id,
                "kind": "symbiosis",
                "title": f"{template['title']}: {waste}",
                "stage": "implemented",
                "basis": "measured",
                "enterprise_ids": f"{tenant['row']['enterprise_id']};{receiver}",
                "category": template["category"],
                "year_identified": self.years[0] - 1,
                "year_implemented": implemented,
                "waste_t": round(tonnes, 1),
                "cost_saving_vnd": round(tonnes * _PRICE_PER_T_WASTE["landfill"], -3),
            }
        )

    def _recp_opportunities(self, park_id: str, tenant: dict[str, Any]) -> None:
        rng = self.rng
        options = self.spec["opportunities"]["recp"]
        fuel = tenant["sector"]["fuel"]
        fuel_price_per_gj = _PRICE_PER_T_FUEL[fuel] / reference.fuels()[fuel].ncv_mj_per_kg
        for option in rng.sample(options, k=rng.choice([1, 2, 2, 3, 3, 4])):
            stage = rng.choices(STAGES, weights=_STAGE_WEIGHTS)[0]
            implemented = stage == "implemented"
            base = tenant["baseline"]
            noise = rng.uniform(0.6, 1.4)
            saving: dict[str, float] = {
                "electricity_mwh": base["electricity_mwh"] * option.get("electricity_share", 0) * noise,
                "fuel_gj": base["fuel_gj"] * option.get("fuel_share", 0) * noise,
                "water_m3": base["water_m3"] * option.get("water_share", 0) * noise,
                "chemicals_t": base["chemicals_t"] * option.get("chemicals_share", 0) * noise,
                "materials_t": base["materials_t"] * option.get("materials_share", 0) * noise,
            }
            money = (
                saving["electricity_mwh"] * _PRICE_PER_MWH
                + saving["fuel_gj"] * fuel_price_per_gj
                + saving["water_m3"] * _PRICE_PER_M3_WATER
                + saving["chemicals_t"] * 20_000_000
                + saving["materials_t"] * 10_000_000
            )
            identified = rng.choice(self.years[:-1])
            self.rows["opportunities"].append(
                {
                    "opportunity_id": self._next_id(park_id),
                    "park_id": park_id,
                    "kind": "recp",
                    "title": option["title"],
                    "stage": stage,
                    "basis": "measured" if implemented and rng.random() < 0.7 else "expected",
                    "enterprise_ids": tenant["row"]["enterprise_id"],
                    "category": option["category"],
                    "year_identified": identified,
                    "year_implemented": rng.randint(identified, self.years[-1]) if implemented else None,
                    "investment_vnd": round(money * option["payback"] * rng.uniform(0.7, 1.3), -6),
                    **{k: round(v, 2) if v else None for k, v in saving.items()},
                    "fuel": fuel if saving["fuel_gj"] else None,
                    "cost_saving_vnd": round(money, -3),
                }
            )


def banner(lang: str) -> str:
    return i18n.t("ui.synthetic", lang) + " " + i18n.t("ui.park_facts_note", lang)


def synthetic_banner(which: str | None, lang: str) -> str | None:
    """What every page says over the stored synthetic data: the demo's or the national dataset's."""
    if which == "national":
        return i18n.t("ui.synthetic_national", lang)
    return banner(lang) if which else None


def park_notes(lang: str) -> dict[str, list[str]]:
    """Where each park's facts come from and how sure they are, shown on its page."""
    return {
        park["park_id"]: [
            f"{i18n.t('ui.source', lang)}: {park['facts_source']}",
            f"{i18n.t('ui.confidence', lang)}: {park['facts_confidence_vi' if lang == 'vi' else 'facts_confidence']}",
        ]
        for park in spec()["parks"] + spec().get("cities", [])
    }


def rows() -> dict[str, list[dict[str, Any]]]:
    """The demo as contract rows, sheet by sheet (the same every time)."""
    return Generator().run()


def load(database: Database, progress: Callable[[str], None] | None = None) -> DemoLoad:
    """Load the demo into the database through the importer; loading twice updates, never duplicates."""
    data = rows()
    result = import_rows(database, data, source=SOURCE, progress=progress)
    with database.transaction() as session:
        state.mark_synthetic(session, "demo")
    _assessments(database, data)
    parks = {p["park_id"] for p in data["parks"] if p.get("kind") != "city"}
    tenants = [e for e in data["enterprises"] if e["park_id"] in parks]
    return DemoLoad(parks=len(parks), enterprises=len(tenants), result=result)


def _assessments(database: Database, data: dict[str, list[dict[str, Any]]]) -> None:
    """One cleaner-production assessment per park, on its first tenant, part-way through its 18 tasks."""
    from eipkit import api

    for park in data["parks"]:
        if park.get("kind") == "city":
            continue
        first = next(e for e in data["enterprises"] if e["park_id"] == park["park_id"])
        if api.enterprise_assessments(database, first["enterprise_id"]):
            continue
        start = dt.date(spec()["years"][-1], 2, 3)
        assessment = api.start_assessment(
            database,
            first["enterprise_id"],
            "Lò hơi và hệ thống hơi (giả lập)",
            ["Trưởng nhóm SXSH", "Kỹ sư năng lượng"],
            start,
            consultant="Tư vấn RECP (giả lập)",
        )
        for task in range(1, 13):
            api.update_assessment_task(
                database, assessment.assessment_id, task, "done", start + dt.timedelta(weeks=task)
            )
        api.update_assessment_task(
            database, assessment.assessment_id, 13, "in_progress", start + dt.timedelta(weeks=13)
        )
        for opportunity in data["opportunities"]:
            if opportunity["enterprise_ids"] == first["enterprise_id"] and opportunity["kind"] == "recp":
                api.link_assessment_opportunity(database, assessment.assessment_id, opportunity["opportunity_id"])


DEMO_PASSWORD = "eipkit-demo"
DEMO_USERS: tuple[dict[str, Any], ...] = (
    {"username": "bo", "role": "ministry", "name": "Bộ Tài chính (demo)"},
    {"username": "bql-haiphong", "role": "board", "name": "Ban quản lý KKT Hải Phòng (demo)", "province": "Hải Phòng"},
    {"username": "dieuphoi-deepc", "role": "coordinator", "name": "Điều phối viên DEEP C (demo)", "park_id": "DEEPC"},
    {
        "username": "tuvan",
        "role": "consultant",
        "name": "Chuyên gia tư vấn (demo)",
        "parks": ["NAMCAUKIEN"],
        "enterprises": ["DEEPC-001", "DEEPC-002"],
    },
    {"username": "dn-deepc-001", "role": "enterprise", "name": "DEEPC-001 (demo)", "enterprise_id": "DEEPC-001"},
)


def add_users(database: Database, replace: bool = True) -> list[str]:
    """One demo user per role, all with DEMO_PASSWORD (listed in the README). With `replace` False an account of
    the same name is left as it is: serving the demo over a database in use must not reset anyone's password to
    the public one."""
    from eipkit import users

    names = []
    for spec in DEMO_USERS:
        if replace or users.find(database, spec["username"]) is None:
            users.add_user(database, password=DEMO_PASSWORD, **spec)
            names.append(spec["username"])
    return names
