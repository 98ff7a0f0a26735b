"""Load on the web application: 50 concurrent users reading dashboards and the API.

    python benchmarks/web_load.py [--users 50] [--seconds 20] [--workers 1]
    python benchmarks/web_load.py --national --workers 2 --db postgresql://postgres@127.0.0.1:5432/eipkit_national

The server runs in its own processes (`eipkit serve --workers N`, as a deployment would), the users in this one.
Without --db, a temporary SQLite file with the demo (or, with --national, the national dataset); with --db, that
database, loaded first when it does not hold the dataset yet. Each user signs in (a page session for the
dashboards, a bearer token for the API) and reads in a loop its role's pages and, among them, a static file served
by the same server: the reference, measured under the same load. Prints p50/p95 per kind of request and
`RESULT p50_ms=... p95_ms=... static_p95_ms=... ratio_p95=... errors=...` (dashboards' p95 over the static file's).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import httpx

from eipkit import demo
from eipkit.store import Database, connect

USERS = ("bo", "bql-haiphong", "dieuphoi-deepc", "tuvan", "dn-deepc-001")
READS = {
    "bo": ["/national", "/parks/DEEPC", "/api/parks", "/api/parks/VSIP-BN/kpi", "/api/results"],
    "bql-haiphong": ["/provinces/Hải Phòng", "/parks/NAMCAUKIEN", "/api/parks/DEEPC/certification", "/api/results"],
    "dieuphoi-deepc": ["/parks/DEEPC", "/parks/DEEPC/opportunities", "/api/parks/DEEPC/kpi?year=2024"],
    "tuvan": ["/enterprises/DEEPC-001", "/parks/NAMCAUKIEN", "/api/enterprises/DEEPC-002/records?year=2024"],
    "dn-deepc-001": ["/enterprises/DEEPC-001", "/api/enterprises/DEEPC-001/records"],
}


STATIC = "/static/app.css"
NATIONAL_READS = {
    "bo": ["/national", "/provinces/Hà Nội", "/parks/VN01-001", "/api/parks", "/api/results", "/parks/DEEPC"],
    "bql-haiphong": ["/provinces/Hải Phòng", "/parks/NAMCAUKIEN", "/api/parks/DEEPC/certification", "/api/results"],
    "dieuphoi-deepc": ["/parks/DEEPC", "/parks/DEEPC/opportunities", "/api/parks/DEEPC/kpi?year=2024"],
    "tuvan": ["/enterprises/DEEPC-001", "/parks/NAMCAUKIEN", "/api/enterprises/DEEPC-002/records?year=2024"],
    "dn-deepc-001": ["/enterprises/DEEPC-001", "/api/enterprises/DEEPC-001/records"],
}


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _signed(base: str, username: str) -> tuple[httpx.AsyncClient, str]:
    client = httpx.AsyncClient(base_url=base, timeout=60)
    page = await client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    await client.post("/login", data={"username": username, "password": demo.DEMO_PASSWORD, "csrf_token": token})
    bearer = (await client.post("/api/token", data={"username": username, "password": demo.DEMO_PASSWORD})).json()
    return client, bearer["access_token"]


async def _run(base: str, users: int, seconds: float, paths: dict[str, list[str]]) -> dict[str, list[float]]:
    sessions = [await _signed(base, USERS[i % len(USERS)]) for i in range(users)]
    timings: dict[str, list[float]] = defaultdict(list)
    stop = time.perf_counter() + seconds

    async def user(i: int) -> None:
        client, token = sessions[i]
        own = paths[USERS[i % len(USERS)]]
        n = i
        first = True
        while first or time.perf_counter() < stop:
            first = False
            path = own[n % len(own)]
            n += 1
            headers = {"Authorization": f"Bearer {token}"} if path.startswith("/api") else {}
            clock = time.perf_counter()
            try:
                answer = await client.get(path, headers=headers)
                failed = answer.status_code != 200
            except httpx.HTTPError:
                failed = True
            elapsed = time.perf_counter() - clock
            if failed:
                timings["errors"].append(elapsed)
                continue
            timings["api" if path.startswith("/api") else ("static" if "/static" in path else "page")].append(elapsed)

    await asyncio.gather(*(user(i) for i in range(users)))
    for client, _ in sessions:
        await client.aclose()
    return timings


def _report(title: str, timings: dict[str, list[float]], seconds: float) -> None:
    print(title)
    for kind, values in sorted(timings.items()):
        if len(values) < 2:
            print(f"  {kind:<6} {len(values):6d} requests")
            continue
        print(
            f"  {kind:<6} {len(values):6d} requests  p50 {1000 * statistics.median(values):7.1f} ms  "
            f"p95 {1000 * _p95(values):7.1f} ms  {len(values) / seconds:6.1f} req/s"
        )


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[94]


def _has_national(database: Database) -> bool:
    from sqlalchemy import func, select

    from eipkit.store import schema

    with database.sessions() as session:
        return (session.scalar(select(func.count()).select_from(schema.Park)) or 0) >= 436


def _prepare(url: str, national: bool) -> None:
    """The dataset and the demo users in the database at `url` (kept when already there)."""
    database = connect(url)
    if national and not _has_national(database):
        from eipkit.api import figures
        from eipkit.demo import national as national_data

        print("loading the national dataset (once) ...", flush=True)
        national_data.load(database)
        figures.ready_after_bulk_load(database)  # as `eipkit demo --national` does
    elif not national:
        demo.load(database)
    demo.add_users(database, replace=False)
    database.engine.dispose()


def _serve(url: str, workers: int, port: int) -> subprocess.Popen:
    env = dict(os.environ, EIPKIT_SECRET_KEY=os.environ.get("EIPKIT_SECRET_KEY", "benchmark-" + "k" * 40))
    command = [sys.executable, "-m", "eipkit", "serve", "--db", url, "--port", str(port), "--workers", str(workers)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, start_new_session=True)
    for _ in range(600):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/login", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("the server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=1, help="web processes")
    parser.add_argument("--national", action="store_true", help="the national dataset instead of the demo")
    parser.add_argument("--db", help="a database URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.db or f"sqlite:///{Path(folder) / 'load.db'}"
        _prepare(url, args.national)
        port = _port()
        server = _serve(url, args.workers, port)
        try:
            base = f"http://127.0.0.1:{port}"
            reads = {u: [*paths, STATIC] for u, paths in (NATIONAL_READS if args.national else READS).items()}
            # a running server has its dashboards computed once per process: read every path before timing
            asyncio.run(_run(base, max(len(USERS), 4 * args.workers), 0.0, reads))
            timings = asyncio.run(_run(base, args.users, args.seconds, reads))
        finally:
            os.killpg(server.pid, 15)
            server.wait(30)
    dataset = "the national dataset" if args.national else "the demo"
    _report(
        f"{args.users} users on {dataset}, {args.workers} web process(es), {args.seconds:.0f} s", timings, args.seconds
    )
    dashboards = sorted(timings["page"] + timings["api"])
    p95, static_p95 = _p95(dashboards), _p95(timings["static"])
    print(
        f"RESULT users={args.users} workers={args.workers} p50_ms={1000 * statistics.median(dashboards):.1f} "
        f"p95_ms={1000 * p95:.1f} static_p95_ms={1000 * static_p95:.1f} ratio_p95={p95 / static_p95:.2f} "
        f"req_per_s={(len(dashboards) + len(timings['static'])) / args.seconds:.1f} errors={len(timings['errors'])}"
    )


if __name__ == "__main__":
    main()
