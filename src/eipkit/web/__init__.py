"""The web application: every capability in the browser and a REST API, for each role (see `eipkit.access`)."""

from fastapi import FastAPI

from eipkit.web.app import create_app


def app_from_environment() -> FastAPI:
    """The application over the database named by EIPKIT_DB: what each of several web processes (`eipkit serve
    --workers N`, or `uvicorn --factory eipkit.web:app_from_environment`) runs. The schema is left as it is:
    upgrade it once, before starting them (`eipkit serve` does, as does any eipkit command)."""
    from eipkit.api.registry import connect

    return create_app(connect(migrate=False))


__all__ = ["app_from_environment", "create_app"]
