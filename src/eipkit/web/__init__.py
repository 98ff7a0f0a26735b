"""The web application: every capability in the browser and a REST API, for each role (see `eipkit.access`)."""

from eipkit.web.app import create_app

__all__ = ["create_app"]
