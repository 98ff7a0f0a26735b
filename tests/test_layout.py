"""The house rules a reader of the code relies on: the command line and the web application are faces on
`eipkit.api`, and never reach the store behind it."""

from __future__ import annotations

import ast
from pathlib import Path

import eipkit

PACKAGE = Path(eipkit.__file__).parent


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every module a file imports, at its top or inside a function, with the line."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def _reaches_store(module: str) -> bool:
    return module == "eipkit.store" or module.startswith("eipkit.store.")


def test_the_imports_are_read_at_the_top_and_inside_functions() -> None:
    found = {module for _, module in _imports(PACKAGE / "api" / "registry.py")}
    assert {"eipkit.store.connect", "eipkit.store.repository"} <= found and _reaches_store("eipkit.store.backup")
    inside = {module for _, module in _imports(PACKAGE / "web" / "render.py")}
    assert "eipkit.api.registry" in inside  # imported in the banner's function only
    assert not _reaches_store("eipkit.storey")


def test_the_command_line_and_the_web_reach_the_store_only_through_the_api() -> None:
    faces = sorted((PACKAGE / "cli").rglob("*.py")) + sorted((PACKAGE / "web").rglob("*.py"))
    assert len(faces) > 20
    crossing = [
        f"{path.relative_to(PACKAGE)}:{line} imports {module}"
        for path in faces
        for line, module in _imports(path)
        if _reaches_store(module)
    ]
    assert crossing == []
