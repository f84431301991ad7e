"""Jobs on the PostgreSQL queue (issue 24), end to end: one web process and two worker
processes started with the systemd units' own commands (deploy/systemd/), jobs submitted
through the API. Every job is done exactly once and its result stored once; a worker killed
with SIGKILL mid-job is found dead by its heartbeats and its job finishes on the other
worker, with the same document numbers; another web process starting meanwhile resets
nothing; a stopped worker finishes its job first; a job whose workers all die fails with the
reason."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fixtures.packages.build import PERIOD, package_path
from fixtures.packages.zips import make_zip
from fixtures.rosters import csv_text
from queue_helpers import Site, env_example, wait_all
from service_helpers import PgCluster, free_port, make_env
from sqlalchemy import create_engine, func, select, text

from service.auth import create_api_token
from service.db import normalize_url
from service.tables import Audit, Job, NumberCounter, Package, User

pytestmark = pytest.mark.slow

AUDITS, BATCHES, ROWS = 30, 10, 4
SLOW_ROWS = 600  # the batch a worker is killed in the middle of
PERIOD_TEXT = f"{PERIOD[0].isoformat()}..{PERIOD[1].isoformat()}"


@pytest.fixture(scope="module")
def site(pg_cluster: PgCluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    root = tmp_path_factory.mktemp("queue-site")
    url = pg_cluster.new_database()
    env = make_env(root / "data", url, job_runner="queue")  # migrate, seed the users
    with env.app.state.ctx.db.session() as db:
        clerk = db.scalar(select(User).where(User.username == "clerk_a"))
        assert clerk is not None
        token, _ = create_api_token(db, clerk, "test")
    env.app.state.ctx.runner.shutdown()
    env.app.state.ctx.db.dispose()
    unit_env = {
        **env_example(),
        "BAOXUE_DATA": str(root / "data"),
        "BAOXUE_DB": url,
        "BAOXUE_PORT": str(free_port()),
        "BAOXUE_SERVE_ARGS": "--workers 1",
        "BAOXUE_WORKER_ARGS": "--heartbeat 0.5 --stalled-after 3 --nice 0",
    }
    running = Site(unit_env, root)
    try:
        base = running.web()
        running.worker("a")
        running.worker("b")
        client = httpx.Client(
            base_url=base, headers={"authorization": f"Bearer {token}"}, timeout=60
        )
        yield running, client, env.ids["school_a"], create_engine(normalize_url(url))
    finally:
        running.stop()


def _package() -> bytes:
    root = package_path("gaps")
    return make_zip(
        [(str(p.relative_to(root)), p.read_bytes()) for p in sorted(root.rglob("*")) if p.is_file()]
    )


def _batch(client: httpx.Client, school: int, rows: int) -> int:
    r = client.post(
        f"/api/schools/{school}/rosters",
        files={"file": ("名单.csv", csv_text(rows).encode("utf-8"))},
        data={"form_id": "return_notice"},
    )
    assert r.status_code == 202, r.text
    return int(r.json()["id"])


def _counter(engine: Any) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.coalesce(func.max(NumberCounter.next_number), 1))))


def test_every_job_is_done_exactly_once_by_the_two_workers(site: Any) -> None:
    running, client, school, engine = site
    package = _package()
    ids = []
    for i in range(AUDITS):
        r = client.post(
            f"/api/schools/{school}/packages",
            files={"file": (f"材料{i}.zip", package)},
            data={"period": PERIOD_TEXT},
        )
        assert r.status_code == 202, r.text
        ids.append(int(r.json()["job"]["id"]))
        if i % 3 == 0:
            ids.append(_batch(client, school, ROWS))
    while len(ids) < AUDITS + BATCHES:
        ids.append(_batch(client, school, ROWS))
    seen: list[dict[str, Any]] = []
    jobs = wait_all(client, ids, seen=seen)

    assert {j["status"] for j in jobs.values()} == {"done"}, [
        (j["id"], j["error"]) for j in jobs.values() if j["status"] != "done"
    ]
    assert {j["attempts"] for j in jobs.values()} == {1}  # each run once
    assert {j["worker"] for j in jobs.values()} == {"test-a", "test-b"}  # both took jobs
    assert any(j["status"] == "running" for j in seen)  # progress seen while they ran
    with engine.connect() as conn:
        per_package = conn.execute(
            select(Package.id, func.count(Audit.id))
            .join(Audit, Audit.package_id == Package.id, isouter=True)
            .group_by(Package.id)
        ).all()
        assert len(per_package) == AUDITS and {n for _, n in per_package} == {1}
        assert sorted(j["result"]["audit_id"] for j in jobs.values() if j["kind"] == "audit") == (
            sorted(conn.scalars(select(Audit.id)))
        )
        left = conn.scalar(
            text("SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'baoxue.run_job'")
        )
        assert left == 0  # every run succeeded (successful runs are removed from the queue)
    assert _counter(engine) == 1 + BATCHES * ROWS  # numbers reserved once a batch
    # scratch files stayed on the workers' own disk, not in the shared data folder
    assert not (Path(running.env["BAOXUE_DATA"]) / "work").exists()


def test_a_killed_worker_s_job_finishes_on_the_other_one(site: Any) -> None:
    running, client, school, engine = site
    before = _counter(engine)
    job_id = _batch(client, school, SLOW_ROWS)
    seen: list[dict[str, Any]] = []

    def poll() -> dict[str, Any]:
        time.sleep(0.2)
        job: dict[str, Any] = client.get(f"/api/jobs/{job_id}").json()
        seen.append(job)
        return job

    job = poll()
    while not (job["status"] == "running" and 0 < job["done"] < job["total"]):
        assert job["status"] in ("queued", "running") and len(seen) < 5000, job
        job = poll()
    first = job["worker"]
    other = {"test-a": "test-b", "test-b": "test-a"}[first]

    # another web process starting now resets nothing
    running.web("web-2", str(free_port()))
    job = poll()
    assert (job["status"], job["attempts"], job["worker"]) == ("running", 1, first)

    running.kill(f"worker-{first[-1]}")  # SIGKILL: no goodbye, its heartbeat just stops
    final = wait_all(client, [job_id], seen=seen)[job_id]

    assert final["status"] == "done", final
    assert (final["attempts"], final["worker"]) == (2, other)
    assert final["result"]["printed"] == SLOW_ROWS
    assert any(j["message"].startswith("处理任务的进程失联") for j in seen)
    retried = [j for j in seen if j["worker"] == other and j["status"] == "running"]
    assert any(0 < j["done"] < j["total"] for j in retried)  # progress of the second run too
    assert _counter(engine) == before + SLOW_ROWS  # the retry printed the same numbers
    with engine.connect() as conn:
        files = conn.scalar(select(Job.result).where(Job.id == job_id))
        assert set(files["files"]) == {"打印.pdf", "名单-return_notice.zip"}


def test_a_stopped_worker_finishes_its_job_first(site: Any) -> None:
    """SIGTERM (`systemctl stop`): the job under way finishes on the worker it is on — its
    heartbeats go on meanwhile, so no other worker takes it for dead and runs it again."""
    running, client, school, _ = site
    running.worker("c")  # the killed worker's replacement: now two again
    job_id = _batch(client, school, SLOW_ROWS)
    seen: list[dict[str, Any]] = []
    job: dict[str, Any] = {"status": "queued", "done": 0, "total": 0}
    while not (job["status"] == "running" and 0 < job["done"] < job["total"]):
        assert job["status"] in ("queued", "running") and len(seen) < 5000, job
        time.sleep(0.2)
        job = client.get(f"/api/jobs/{job_id}").json()
        seen.append(job)
    stopping = job["worker"]
    name = f"worker-{stopping[-1]}"
    assert running.terminate(name) == 0  # it waited for the job, then left
    final = client.get(f"/api/jobs/{job_id}").json()
    assert final["status"] == "done", final
    assert (final["attempts"], final["worker"]) == (1, stopping)  # run once, where it began


def test_a_job_whose_workers_all_die_fails_with_the_reason(site: Any) -> None:
    """Killed on its first worker, then on the one that took it over: its 2 attempts used,
    the next worker to look fails it with the reason instead of running it a third time."""
    running, client, school, _ = site
    for name in [n for n in running.processes if n.startswith("worker-")]:
        running.kill(name)
    running.worker("d")
    running.worker("e")
    job_id = _batch(client, school, SLOW_ROWS)
    seen: list[dict[str, Any]] = []

    def running_on(attempt: int) -> dict[str, Any]:
        job: dict[str, Any] = {"status": "queued", "attempts": 0, "done": 0}
        while not (job["status"] == "running" and job["attempts"] == attempt and job["done"]):
            assert job["status"] in ("queued", "running") and len(seen) < 5000, job
            time.sleep(0.2)
            job = client.get(f"/api/jobs/{job_id}").json()
            seen.append(job)
        return job

    first = running_on(1)["worker"]
    running.kill(f"worker-{first[-1]}")
    second = running_on(2)["worker"]
    assert second != first
    running.kill(f"worker-{second[-1]}")
    running.worker("f")  # nothing else alive: this one finds the job's worker dead
    final = wait_all(client, [job_id], seen=seen)[job_id]
    assert final["status"] == "failed" and final["attempts"] == 2, final
    assert final["error"].startswith("处理任务的进程失联") and "已尝试2次仍未完成" in final["error"]
