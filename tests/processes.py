"""The environment of a process a test starts: only what the test sets, plus coverage's own variables, so that a
measured run (`.ci/run` adds --cov) measures the command line and the servers the tests start as well."""

from __future__ import annotations

import os


def child_env(**values: str) -> dict[str, str]:
    measured = {k: v for k, v in os.environ.items() if k.startswith("COVERAGE_")}
    return {**measured, **values}
