"""Load on the web application: 50 concurrent users reading dashboards and the API on the demo data.

    python benchmarks/web_load.py [--users 50] [--seconds 20]

Starts the application (uvicorn, one process) on a copy of the demo database, signs each user in (a page session
for the dashboards, a bearer token for the API), then every user reads in a loop. Prints p50/p95 latency and
requests per second per kind of request, and the ratio of the dashboards' p50 to that of a static file served by
the same server under the same load (the reference run in the same process).
"""

from __future__ import annotations

import argparse
import asyncio
import re
import socket
import statistics
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import httpx
import uvicorn

from eipkit import demo
from eipkit.store import connect
from eipkit.web import create_app

USERS = ("bo", "bql-haiphong", "dieuphoi-deepc", "tuvan", "dn-deepc-001")
READS = {
    "bo": ["/national", "/parks/DEEPC", "/api/parks", "/api/parks/VSIP-BN/kpi", "/api/results"],
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
            answer = await client.get(path, headers=headers)
            elapsed = time.perf_counter() - clock
            if answer.status_code != 200:
                raise RuntimeError(f"{path}: {answer.status_code}")
            timings["api" if path.startswith("/api") else ("static" if "/static" in path else "page")].append(elapsed)

    await asyncio.gather(*(user(i) for i in range(users)))
    for client, _ in sessions:
        await client.aclose()
    return timings


def _report(title: str, timings: dict[str, list[float]], seconds: float) -> float:
    print(title)
    for kind, values in sorted(timings.items()):
        q = statistics.quantiles(values, n=100)
        print(
            f"  {kind:<6} {len(values):6d} requests  p50 {1000 * statistics.median(values):7.1f} ms  "
            f"p95 {1000 * q[94]:7.1f} ms  {len(values) / seconds:6.1f} req/s"
        )
    every = [v for values in timings.values() for v in values]
    print(f"  all    {len(every):6d} requests  {len(every) / seconds:6.1f} req/s")
    return statistics.median(every)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        database = connect(f"sqlite:///{Path(folder) / 'demo.db'}")
        demo.load(database)
        demo.add_users(database)
        port = _port()
        server = uvicorn.Server(uvicorn.Config(create_app(database), port=port, log_level="warning"))
        threading.Thread(target=server.run, daemon=True).start()
        while not server.started:
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        # a running server has its dashboards computed once: read every path once before timing
        asyncio.run(_run(base, len(USERS), 0.0, READS))
        static = {u: ["/static/app.css"] for u in USERS}
        reference = _run(base, args.users, args.seconds / 2, static)
        reference_p50 = _report(
            f"reference: {args.users} users reading a static file", asyncio.run(reference), args.seconds / 2
        )
        timings = asyncio.run(_run(base, args.users, args.seconds, READS))
        p50 = _report(f"{args.users} users reading dashboards and the API", timings, args.seconds)
        every = sorted(v for values in timings.values() for v in values)
        print(
            f"RESULT users={args.users} p50_ms={1000 * p50:.1f} p95_ms={1000 * every[int(0.95 * len(every))]:.1f} "
            f"req_per_s={len(every) / args.seconds:.1f} ratio_vs_static_p50={p50 / reference_p50:.1f}"
        )
        server.should_exit = True
        database.engine.dispose()


if __name__ == "__main__":
    main()
