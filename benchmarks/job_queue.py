"""Jobs per minute on the PostgreSQL queue with 1 and with 2 workers, and page views while
they run (issue 24).

    .venv/bin/python benchmarks/job_queue.py [--audits 30] [--batches 10] [--rows 20]
                                         [--workers 1,2] [--readers 10] [--json]
                                         [--worker-args '--nice 0']

For each number of workers: a fresh database on a throwaway PostgreSQL cluster (Debian's
postgresql, as the tests), `baoxue serve` and N `baoxue worker` processes started with the
commands of deploy/systemd/ (default options: 2 web processes, workers at nice 10); the
audits (the tests' "gaps" evidence package) and batches (a roster of --rows rows each) are
submitted through the API, then the workers start while --readers readers view pages (school
page, job page, school JSON; 0.5–1.5 s between pages, as people read). Prints, per run:
jobs, minutes from the workers' start (their imports included) to the last job done, jobs
per minute, the page views' count, p50, p95 and errors, the workers' CPU seconds a job
(their process trees, start-up included), and the 1-minute load average at its end (the
machine may be shared).
Everything runs on this machine; traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import sys

# This file is named as the issue asked, like the standard library's `queue`: its folder must
# not shadow it (asyncio imports `queue`).
sys.path[:] = [p for p in sys.path if p.rstrip("/").split("/")[-1:] != ["benchmarks"]]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import httpx  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from fixtures.packages.build import PERIOD, package_path  # noqa: E402
from fixtures.packages.zips import make_zip  # noqa: E402
from fixtures.rosters import csv_text  # noqa: E402
from queue_helpers import Site, env_example  # noqa: E402
from service_helpers import PgCluster, free_port, make_env  # noqa: E402
from sqlalchemy import select  # noqa: E402

PERIOD_TEXT = f"{PERIOD[0].isoformat()}..{PERIOD[1].isoformat()}"


def seed(cluster: PgCluster, root: Path) -> tuple[str, str, int]:
    from service.auth import create_api_token
    from service.tables import User

    url = cluster.new_database()
    env = make_env(root / "data", url, job_runner="queue")
    with env.app.state.ctx.db.session() as db:
        clerk = db.scalar(select(User).where(User.username == "clerk_a"))
        assert clerk is not None
        token, _ = create_api_token(db, clerk, "bench")
    env.app.state.ctx.runner.shutdown()
    env.app.state.ctx.db.dispose()
    return url, token, env.ids["school_a"]


async def submit(client: httpx.AsyncClient, school: int, args: argparse.Namespace) -> list[int]:
    root = package_path("gaps")
    package = make_zip(
        [(str(p.relative_to(root)), p.read_bytes()) for p in sorted(root.rglob("*")) if p.is_file()]
    )
    ids: list[int] = []
    for i in range(max(args.audits, args.batches)):
        if i < args.audits:
            r = await client.post(
                f"/api/schools/{school}/packages",
                files={"file": (f"材料{i}.zip", package)},
                data={"period": PERIOD_TEXT},
            )
            r.raise_for_status()
            ids.append(int(r.json()["job"]["id"]))
        if i < args.batches:
            r = await client.post(
                f"/api/schools/{school}/rosters",
                files={"file": ("名单.csv", csv_text(args.rows).encode("utf-8"))},
                data={"form_id": "return_notice"},
            )
            r.raise_for_status()
            ids.append(int(r.json()["id"]))
    return ids


async def reader(
    client: httpx.AsyncClient, school: int, ids: list[int], stop: asyncio.Event, out: list[Any]
) -> None:
    await asyncio.sleep(random.uniform(0, 1.5))
    while not stop.is_set():
        path = random.choice(
            [f"/schools/{school}", f"/api/schools/{school}"]
            + ([f"/jobs/{random.choice(ids)}"] if ids else [])
        )
        start = time.perf_counter()
        try:
            r = await client.get(path)
            out.append((time.perf_counter() - start, r.status_code))
        except httpx.HTTPError:
            out.append((time.perf_counter() - start, 0))
        await asyncio.sleep(random.uniform(0.5, 1.5))


async def drive(
    base: str, token: str, school: int, args: argparse.Namespace, start_workers: Callable[[], Any]
) -> dict[str, Any]:
    """Submit every job, then start the workers and time them until the queue is empty: the
    upload handling is the web processes' work, not the queue's."""
    headers = {"authorization": f"Bearer {token}"}
    views: list[Any] = []
    stop = asyncio.Event()
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as client:
        ids = await submit(client, school, args)
        readers = [
            asyncio.create_task(reader(client, school, ids, stop, views))
            for _ in range(args.readers)
        ]
        start = time.monotonic()
        start_workers()
        pending = set(ids)
        failed = 0
        while pending:
            await asyncio.sleep(1)
            for job_id in list(pending):
                job = (await client.get(f"/api/jobs/{job_id}")).json()
                if job["status"] in ("done", "failed"):
                    pending.discard(job_id)
                    failed += job["status"] == "failed"
        minutes = (time.monotonic() - start) / 60
        stop.set()
        await asyncio.gather(*readers)
    times = sorted(t for t, _ in views)
    return {
        "jobs": len(ids),
        "failed_jobs": failed,
        "minutes": round(minutes, 2),
        "jobs_per_minute": round(len(ids) / minutes, 1),
        "page_views": len(views),
        "p50_ms": round(statistics.median(times) * 1000) if times else None,
        "p95_ms": round(times[int(len(times) * 0.95)] * 1000) if times else None,
        "errors": sum(1 for _, status in views if status != 200),
    }


def run(workers: int, cluster: PgCluster, args: argparse.Namespace) -> dict[str, Any]:
    root = Path(tempfile.mkdtemp(prefix="baoxue-queue-bench-"))
    url, token, school = seed(cluster, root)
    env = {
        **env_example(),
        "BAOXUE_DATA": str(root / "data"),
        "BAOXUE_DB": url,
        "BAOXUE_PORT": str(free_port()),
        "BAOXUE_WORKER_ARGS": args.worker_args,
    }
    site = Site(env, root)
    try:
        base = site.web()

        def start_workers() -> None:
            for i in range(workers):
                site.worker(str(i + 1))

        figures = asyncio.run(drive(base, token, school, args, start_workers))
        # the machine is shared: its load during the run says how far to trust the figures;
        # the workers' CPU seconds a job are the steadier figure (jobs are CPU-bound)
        cpu = sum(_cpu_seconds(p.pid) for n, p in site.processes.items() if n.startswith("worker"))
        return {
            "workers": workers,
            **figures,
            "worker_cpu_s_per_job": round(cpu / max(1, figures["jobs"]), 2),
            "load_avg_1min": round(os.getloadavg()[0], 1),
        }
    finally:
        site.stop()


def _cpu_seconds(pid: int) -> float:
    """CPU time of a process and its children so far (the OCR and rendering processes)."""
    import psutil

    root = psutil.Process(pid)
    total = 0.0
    for proc in [root, *root.children(recursive=True)]:
        try:
            times = proc.cpu_times()
            total += times.user + times.system + times.children_user + times.children_system
        except psutil.NoSuchProcess:
            continue
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--audits", type=int, default=30)
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--rows", type=int, default=20, help="rows of each batch's roster")
    parser.add_argument("--workers", default="1,2", help="numbers of workers to measure")
    parser.add_argument("--readers", type=int, default=10)
    parser.add_argument(
        "--worker-args", default="", help="more options of each worker, e.g. '--nice 0'"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    cluster = PgCluster()
    try:
        results = [run(int(n), cluster, args) for n in args.workers.split(",")]
    finally:
        cluster.stop()
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(
        "| workers | jobs | minutes | jobs/min | worker CPU s/job | page views | p50 | p95"
        " | errors | load |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['workers']} | {r['jobs']} ({r['failed_jobs']} failed) | {r['minutes']} | "
            f"{r['jobs_per_minute']} | {r['worker_cpu_s_per_job']} | {r['page_views']} | "
            f"{r['p50_ms']} ms | {r['p95_ms']} ms"
            f" | {r['errors']} | {r['load_avg_1min']} |"
        )


if __name__ == "__main__":
    main()
