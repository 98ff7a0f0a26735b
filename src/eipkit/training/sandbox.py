"""Each participant's private sandbox: a SQLite copy of the demo in the sandboxes folder (`EIPKIT_SANDBOXES`, by
default `./eipkit-sandboxes`), made from one demo built once per eipkit version; what a participant changes there
never reaches the programme's data."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from eipkit import __version__, contract
from eipkit.store import Database, connect


def folder() -> Path:
    return Path(os.environ.get("EIPKIT_SANDBOXES", "eipkit-sandboxes"))


def _template() -> Path:
    """The demo every sandbox starts from, built once (into a temporary file, then renamed: two processes building it
    at once both end with a whole file)."""
    path = folder() / f"demo-{__version__}-contract{contract.version()}.db"
    if path.exists():
        return path
    from eipkit import demo

    path.parent.mkdir(parents=True, exist_ok=True)
    handle, building = tempfile.mkstemp(dir=path.parent, suffix=".building")
    os.close(handle)
    os.unlink(building)
    database = connect(f"sqlite:///{building}")
    try:
        demo.load(database)
    finally:
        database.engine.dispose()
    os.replace(building, path)
    return path


def sandbox(code: str) -> Database:
    """The participant's sandbox, made on first use."""
    path = folder() / f"participant-{code}.db"
    if not path.exists():
        template = _template()
        handle, copying = tempfile.mkstemp(dir=path.parent, suffix=".copying")
        os.close(handle)
        shutil.copyfile(template, copying)
        os.replace(copying, path)
    return connect(f"sqlite:///{path}")


def discard(code: str) -> None:
    """Start a participant again from the demo."""
    (folder() / f"participant-{code}.db").unlink(missing_ok=True)
