"""Small hand-made workbooks for the tests: every sheet, a few rows, figures easy to check by hand."""

from __future__ import annotations

import copy
from typing import Any

Rows = dict[str, list[dict[str, Any]]]

SMALL: Rows = {
    "parks": [
        {
            "park_id": "P1",
            "name": "KCN Thử nghiệm",
            "province": "Hải Phòng",
            "area_ha": 250,
            "lat": 20.9,
            "lon": 106.6,
            "services": "electricity;water_supply;telecom",
            "io_monitoring": "yes",
            "investor_violations_3y": 0,
            "last_annual_report_year": 2023,
        },
    ],
    "enterprises": [
        {
            "enterprise_id": "E1",
            "park_id": "P1",
            "name": "Công ty Dệt Thử",
            "vsic": "1311",
            "employees": 300,
            "iso_14001": "yes",
        },
        {"enterprise_id": "E2", "park_id": "P1", "name": "Công ty Giấy Thử", "vsic": "17", "employees": 120},
    ],
    "energy": [
        {
            "enterprise_id": "E1",
            "year": 2022,
            "carrier": "electricity_grid",
            "quantity": 1000000,
            "unit": "kWh",
            "cost_vnd": 1.9e9,
        },
        {"enterprise_id": "E1", "year": 2022, "carrier": "diesel", "quantity": 1000, "unit": "L"},
        {"enterprise_id": "E2", "year": 2022, "carrier": "coal_anthracite", "quantity": 10, "unit": "t"},
        {"enterprise_id": "E2", "year": 2023, "carrier": "electricity_grid", "quantity": 500, "unit": "MWh"},
    ],
    "water": [
        {"enterprise_id": "E1", "year": 2022, "kind": "withdrawal", "quantity": 12000, "unit": "m3"},
        {"enterprise_id": "E1", "year": 2022, "kind": "wastewater", "quantity": 9600, "unit": "m3"},
    ],
    "materials": [
        {
            "enterprise_id": "E1",
            "year": 2022,
            "material": "Sợi",
            "quantity": 800,
            "unit": "t",
            "chemical": "no",
        },
        {
            "enterprise_id": "E1",
            "year": 2022,
            "material": "Thuốc nhuộm",
            "quantity": 25000,
            "unit": "kg",
            "chemical": "yes",
        },
    ],
    "waste": [
        {
            "enterprise_id": "E1",
            "year": 2022,
            "waste": "Bùn thải",
            "quantity": 40,
            "unit": "t",
            "fate": "treatment",
            "waste_code": "10 02 03",
            "hazardous": "yes",
        },
        {
            "enterprise_id": "E2",
            "year": 2022,
            "waste": "Tro xỉ",
            "quantity": 15,
            "unit": "t",
            "fate": "exchange",
            "receiver": "E1",
        },
    ],
    "production": [
        {
            "enterprise_id": "E1",
            "year": 2022,
            "product": "Vải",
            "quantity": 700,
            "unit": "t",
            "value_vnd": 2.5e11,
        },
    ],
    "opportunities": [
        {
            "opportunity_id": "O1",
            "park_id": "P1",
            "kind": "recp",
            "title": "Thu hồi nước ngưng",
            "stage": "implemented",
            "basis": "measured",
            "enterprise_ids": "E1",
            "category": "process_control",
            "year_identified": 2021,
            "year_implemented": 2022,
            "fuel_gj": 120,
            "fuel": "diesel",
        },
        {
            "opportunity_id": "O2",
            "park_id": "P1",
            "kind": "symbiosis",
            "title": "Tro xỉ làm gạch",
            "stage": "proposed",
            "basis": "expected",
            "enterprise_ids": "E2;E1",
            "waste_t": 15,
        },
    ],
}


def small() -> Rows:
    return copy.deepcopy(SMALL)
