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


def _api_functions() -> list[tuple[str, ast.FunctionDef]]:
    """The public functions defined in the api's modules (`_lookup` is the api's own helpers)."""
    found = []
    for path in sorted((PACKAGE / "api").glob("*.py")):
        if path.name.startswith("_"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found += [
            (f"{path.stem}.{node.name}", node)
            for node in tree.body
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_")
        ]
    return found


def _args_said(doc: str) -> set[str]:
    """The names an `Args:` section of a docstring explains."""
    section = doc.split("Args:\n", 1)[1].split("\n\n", 1)[0] if "Args:\n" in doc else ""
    return {line.strip().split(":", 1)[0] for line in section.splitlines() if line.startswith("    ") and ":" in line}


def test_every_public_api_function_says_its_parameters_and_shows_an_example() -> None:
    functions = _api_functions()
    assert len(functions) > 80  # every domain's module was read
    faults = []
    for name, node in functions:
        doc = ast.get_docstring(node) or ""
        said = _args_said(doc)
        wanted = [a.arg for a in node.args.args + node.args.kwonlyargs]
        faults += [f"{name}: parameter {a} not in Args" for a in wanted if a not in said]
        faults += [f"{name}: Args names {a}, which it does not take" for a in said - set(wanted) if " " not in a]
        example = doc.split("Examples:\n", 1)[1] if "Examples:\n" in doc else ""
        code = [line.strip()[4:] for line in example.splitlines() if line.strip()[:4] in (">>> ", "... ")]
        if not any(f"{node.name}(" in line for line in code):
            faults.append(f"{name}: no example calls it")
        try:
            ast.parse("\n".join(code))
        except SyntaxError as exc:
            faults.append(f"{name}: its example is not Python ({exc.msg})")
    assert not faults, "\n".join(faults)


def test_the_api_check_sees_a_missing_parameter() -> None:
    (node,) = ast.parse('def f(database, year):\n    """X.\n\n    Args:\n        database: d.\n    """').body
    assert isinstance(node, ast.FunctionDef)
    assert _args_said(ast.get_docstring(node) or "") == {"database"}  # "year" would be reported missing
