"""The REST API against its own OpenAPI schema (schemathesis): requests generated from the schema, sent as each role
and as no one, must never meet a server error, and every answer must be one the schema documents, in its content
type and shape. The number of examples is bounded so that the suite stays quick."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from eipkit.store import connect
from eipkit.web import create_app
from web_client import ROLE_USERS, api_client

IDS = {
    "park_id": ["DEEPC", "NAMCAUKIEN", "HIEPPHUOC"],
    "enterprise_id": ["DEEPC-001", "DEEPC-003", "NAMCAUKIEN-001", "HIEPPHUOC-001"],
}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def signed(demo_db_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    path = tmp_path_factory.mktemp("schema") / "demo.db"
    shutil.copy(demo_db_file, path)
    database = connect(f"sqlite:///{path}")
    app = create_app(database)
    headers = {role: dict(api_client(app, name).headers) for role, name in ROLE_USERS.items()}
    yield app, headers
    database.engine.dispose()


@pytest.fixture(scope="module")
def api_schema(signed: Any) -> Any:
    app, _ = signed
    # signing out ends the tokens the other examples use; both are pinned by their own tests
    return schemathesis.openapi.from_asgi("/openapi.json", app).exclude(path_regex="^/api/(logout|token)$")


def test_the_api_answers_as_its_schema_says(api_schema: Any, signed: Any) -> None:
    _, headers = signed
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 7
    for operation in operations:

        @given(case=operation.as_strategy(), data=st.data())
        @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def answers(case: Any, data: st.DataObject) -> None:
            # ids drawn from the demo most of the time: random text would stop every call at "not found"
            for name in case.path_parameters or {}:
                known = IDS.get(name)
                if known:
                    case.path_parameters[name] = data.draw(st.sampled_from([*known, case.path_parameters[name]]))
            for role in (*ROLE_USERS, None):
                sent = {"Authorization": headers[role]["authorization"]} if role else {}
                case.call_and_validate(headers=sent, checks=CHECKS)

        answers()


def test_the_schema_documents_the_refusals(api_schema: Any) -> None:
    documented = {
        (path, method): set(operation.get("responses", {}))
        for path, methods in api_schema.raw_schema["paths"].items()
        for method, operation in methods.items()
    }
    for (path, method), statuses in documented.items():
        if path not in ("/api/token",):
            assert {"401", "403"} <= statuses, (method, path)
