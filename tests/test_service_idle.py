"""`baoxue serve` at rest holds only what serves pages (issue 23 §6): the supervisor, the
resource tracker multiprocessing starts with the first spawned process, and one process per
web worker. Job workers (batch printing, audits: WeasyPrint, pdfium, OCR) and the renderer of
a web process's documents start with their work and end once idle; a document and a job
still work, and afterwards the service is back at rest.

Processes are counted, not timed. The one memory figure is a generous ceiling, see below.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest
import yaml
from fixtures.rosters import plain_xlsx
from service_helpers import PASSWORD, free_port

from service.app import build_context
from service.auth import create_api_token
from service.config import ServiceConfig
from service.ops import directory, users

ROOT = Path(__file__).resolve().parent.parent
WEB_WORKERS = 2
AT_REST = 2 + WEB_WORKERS  # supervisor, resource tracker, web workers
# Summed RSS at rest measured 240 MB on the development machine (benchmarks/serve_idle.py;
# 685 MB before, with two warmed job workers and a supervisor that imported the app). RSS
# depends on the Python build and libraries, so the test asserts twice the 300 MB target:
# loose enough for another machine, tight enough to fail with a job worker (≈ 140 MB) and
# an app-sized supervisor (≈ 120 MB) back — and the process count fails first anyway.
CEILING_MB = 600
IDLE_SECONDS = 3  # BAOXUE_JOB_IDLE_SECONDS for the service under test


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[tuple[Path, int, str]]:
    data = tmp_path / "data"
    ctx = build_context(ServiceConfig(data_dir=data, job_mode="thread"))
    with ctx.db.session() as db:
        admin = users.create_admin(db, "admin", PASSWORD)
        school = directory.save_school(db, admin, "荔浦市第二初级中学", "修仁镇", "liupu-2026")
        clerk = users.create_user(db, admin, "clerk", "韦老师", "clerk", PASSWORD, school.id)
        token, _ = create_api_token(db, clerk, "测试")
        school_id = school.id
    ctx.runner.shutdown()
    ctx.db.dispose()
    yield data, school_id, token


def _tree(root: psutil.Process) -> list[psutil.Process]:
    return [root, *root.children(recursive=True)]


def _roles(root: psutil.Process) -> list[str]:
    roles = []
    for p in _tree(root):
        try:
            cmd = " ".join(p.cmdline())
        except psutil.NoSuchProcess:
            continue
        if p.pid == root.pid:
            roles.append("supervisor")
        elif "resource_tracker" in cmd:
            roles.append("resource tracker")
        elif p.ppid() == root.pid and "spawn_main" in cmd:
            roles.append("web or start-up child")
        else:
            roles.append(f"other: {cmd[:80]}")
    return sorted(roles)


def _at_rest(root: psutil.Process, timeout: float) -> list[str]:
    """The roles once the tree holds AT_REST processes for 3 s running (or at the timeout)."""
    deadline = time.monotonic() + timeout
    steady_since = time.monotonic()
    roles = _roles(root)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = _roles(root)
        if now != roles or len(now) != AT_REST:
            steady_since = time.monotonic()
        roles = now
        if len(roles) == AT_REST and time.monotonic() - steady_since >= 3:
            break
    return roles


def _wait_up(base: str, service: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert service.poll() is None, "the service exited at start-up"
        try:
            if httpx.get(base + "/login", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError("the service did not answer within 90 s")


def _record() -> dict[str, Any]:
    sample = yaml.safe_load(
        (ROOT / "forms/samples/return_notice-liupu-2026.yaml").read_text(encoding="utf-8")
    )
    data: dict[str, Any] = json.loads(json.dumps(sample, default=str))
    return data


@pytest.mark.slow
def test_serve_at_rest_holds_no_worker_and_still_runs_jobs(
    seeded: tuple[Path, int, str], tmp_path: Path
) -> None:
    data, school_id, token = seeded
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    service = subprocess.Popen(
        [
            *(str(ROOT / ".venv/bin/baoxue"), "serve", "--data", str(data)),
            *("--port", str(port), "--workers", str(WEB_WORKERS)),
        ],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "BAOXUE_JOB_IDLE_SECONDS": str(IDLE_SECONDS)},
    )
    root = psutil.Process(service.pid)
    try:
        _wait_up(base, service)
        roles = _at_rest(root, timeout=60)
        assert roles == sorted(
            ["supervisor", "resource tracker"] + ["web or start-up child"] * WEB_WORKERS
        ), roles
        rss_mb = sum(p.memory_info().rss for p in _tree(root)) / 2**20
        assert rss_mb < CEILING_MB, f"{rss_mb:.0f} MB at rest"

        headers = {"authorization": f"Bearer {token}"}
        with httpx.Client(base_url=base, timeout=120, headers=headers) as client:
            made = client.post(
                f"/api/schools/{school_id}/documents",
                json={"form_id": "return_notice", "record": _record()},
            )
            assert made.status_code == 201, made.text
            pdf = client.get(f"/api/documents/{made.json()['id']}/pdf")
            assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
            roster = tmp_path / "花名册.xlsx"
            plain_xlsx(roster, 3)
            with roster.open("rb") as fh:
                queued = client.post(
                    f"/api/schools/{school_id}/rosters",
                    data={"form_id": "return_notice", "issue_date": "2026-03-13"},
                    files={"file": ("花名册.xlsx", fh)},
                )
            assert queued.status_code == 202, queued.text
            deadline = time.monotonic() + 180
            while (job := client.get(f"/api/jobs/{queued.json()['id']}").json())["status"] in (
                "queued",
                "running",
            ) and time.monotonic() < deadline:
                time.sleep(0.5)
            assert job["status"] == "done", job
            assert job["result"]["printed"] == 3, job

        # the renderer and the job worker end once idle: the service is at rest again
        roles = _at_rest(root, timeout=60 + IDLE_SECONDS)
        assert len(roles) == AT_REST, roles
    finally:
        service.terminate()
        service.wait(timeout=30)


def test_idle_pool_starts_with_work_and_ends_when_idle() -> None:
    from concurrent.futures import ThreadPoolExecutor

    from service.workers import IdlePool

    pool = IdlePool(lambda: ThreadPoolExecutor(1), idle_seconds=0.2, name="test")
    assert not pool.alive and pool.started == 0
    assert pool.submit(lambda x: x + 1, 1).result() == 2
    assert pool.alive
    deadline = time.monotonic() + 10
    while pool.alive and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not pool.alive  # retired after 0.2 s without work
    assert pool.submit(lambda: "again").result() == "again" and pool.started == 2
    pool.shutdown()


def test_idle_pool_replaces_a_broken_pool() -> None:
    import multiprocessing
    from concurrent.futures import BrokenExecutor, ProcessPoolExecutor

    from service.workers import IdlePool

    def make() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))

    pool = IdlePool(make, idle_seconds=None, name="test")
    try:
        with pytest.raises(BrokenExecutor):
            pool.submit(os._exit, 1).result()  # the worker dies: the pool is broken
        assert pool.submit(os.getpid).result() > 0 and pool.started == 2
    finally:
        pool.shutdown()


def test_start_up_chores_that_fail_stop_the_service_in_plain_words(tmp_path: Path) -> None:
    """The chores run in a child now: its failure is one line and exit 2, no traceback."""
    result = subprocess.run(
        [
            *(str(ROOT / ".venv/bin/baoxue"), "serve", "--data", str(tmp_path / "d")),
            *("--db", "postgresql://nobody@127.0.0.1:1/none", "--port", str(free_port())),
            *("--workers", "2"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "服务启动准备（数据库迁移、清理）失败" in result.stderr
