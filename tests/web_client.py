"""Signing in to the web application from tests, as a browser (session and CSRF token) or as an API client."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from eipkit.demo import DEMO_PASSWORD

ROLE_USERS = {
    "ministry": "bo",
    "board": "bql-haiphong",
    "coordinator": "dieuphoi-deepc",
    "consultant": "tuvan",
    "enterprise": "dn-deepc-001",
}


def csrf(client: TestClient, path: str = "/login") -> str:
    page = client.get(path)
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def browser(app, username: str) -> TestClient:  # type: ignore[no-untyped-def]
    client = TestClient(app)
    signed = client.post(
        "/login",
        data={"username": username, "password": DEMO_PASSWORD, "csrf_token": csrf(client), "next": "/"},
        follow_redirects=False,
    )
    assert signed.status_code == 303, signed.text
    return client


def api_client(app, username: str) -> TestClient:  # type: ignore[no-untyped-def]
    client = TestClient(app)
    token = client.post("/api/token", data={"username": username, "password": DEMO_PASSWORD})
    assert token.status_code == 200, token.text
    client.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
    return client
