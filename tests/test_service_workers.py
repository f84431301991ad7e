"""`baoxue serve --workers 2`: two web processes on one port, start-up chores done once,
and nothing left behind when the service stops or is killed."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest
from service_helpers import free_port
from sqlalchemy import select

from service.app import build_context
from service.config import ServiceConfig
from service.tables import Job, School, Township

ROOT = Path(__file__).resolve().parent.parent
BAOXUE_SERVE = [str(ROOT / ".venv/bin/baoxue"), "serve"]


def _wait_up(base: str, service: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert service.poll() is None, "the service exited at start-up"
        try:
            if httpx.get(base + "/login", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError("the service did not answer within 60 s")


def _listeners(process: psutil.Process, port: int) -> set[int]:
    """Pids in the process tree listening on the port."""
    pids = set()
    for p in [process, *process.children(recursive=True)]:
        try:
            if any(
                c.status == psutil.CONN_LISTEN and c.laddr.port == port
                for c in p.net_connections("tcp")
            ):
                pids.add(p.pid)
        except psutil.NoSuchProcess:
            pass
    return pids


def _still_running(processes: list[psutil.Process]) -> list[psutil.Process]:
    """Those not ended within 20 s (a zombie has ended: only its parent's reaping is left)."""
    _, alive = psutil.wait_procs(processes, timeout=20)
    running = []
    for p in alive:
        try:
            if p.status() != psutil.STATUS_ZOMBIE:
                running.append(p)
        except psutil.NoSuchProcess:
            pass
    return running


@pytest.fixture
def data_with_interrupted_job(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    """A data folder whose last service was killed while a job ran."""
    data = tmp_path / "data"
    config = ServiceConfig(data_dir=data, job_mode="thread")
    ctx = build_context(config)
    with ctx.db.session() as db:
        town = Township(name="修仁镇")
        school = School(name="荔浦市第二初级中学", township=town, profile_id="liupu-2026")
        db.add(school)
        db.flush()
        job = Job(kind="audit", school_id=school.id, params={}, status="running", attempts=0)
        db.add(job)
        db.flush()
        job_id = job.id
    ctx.runner.shutdown()
    ctx.db.dispose()
    yield data, job_id


def _serve(data: Path, port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*BAOXUE_SERVE, "--data", str(data), "--port", str(port), "--workers", "2"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _job(data: Path, job_id: int) -> Job:
    ctx = build_context(ServiceConfig(data_dir=data, job_mode="thread"))
    try:
        with ctx.db.session() as db:
            job = db.scalar(select(Job).where(Job.id == job_id))
            assert job is not None
            db.expunge(job)
            return job
    finally:
        ctx.runner.shutdown()
        ctx.db.dispose()


def test_two_workers_share_the_port_resume_a_job_once_and_stop_together(
    data_with_interrupted_job: tuple[Path, int],
) -> None:
    data, job_id = data_with_interrupted_job
    port = free_port()
    service = _serve(data, port)
    tree = psutil.Process(service.pid)
    try:
        _wait_up(f"http://127.0.0.1:{port}", service)
        deadline = time.monotonic() + 30
        while len(listeners := _listeners(tree, port)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(listeners) == 2 and service.pid not in listeners  # one socket per worker
        deadline = time.monotonic() + 60
        while _job(data, job_id).status in ("queued", "running") and time.monotonic() < deadline:
            time.sleep(0.5)
        job = _job(data, job_id)
        # reset once by the supervisor, claimed by one worker: one attempt, and it ended
        assert job.attempts == 1 and job.status in ("done", "failed"), (job.status, job.attempts)
        everyone = [tree, *tree.children(recursive=True)]
    finally:
        service.send_signal(signal.SIGTERM)
        service.wait(timeout=30)
    assert _still_running(everyone) == []


def test_killed_supervisor_leaves_no_worker_holding_the_port(tmp_path: Path) -> None:
    port = free_port()
    service = _serve(tmp_path / "data", port)
    tree = psutil.Process(service.pid)
    try:
        _wait_up(f"http://127.0.0.1:{port}", service)
        workers = tree.children(recursive=True)
    finally:
        service.send_signal(signal.SIGKILL)
        service.wait()
    alive = _still_running(workers)
    for p in alive:
        os.kill(p.pid, signal.SIGKILL)
    assert alive == [], "a web worker outlived the killed supervisor"


def test_a_busy_port_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as taken:  # as another `baoxue serve` holds it: port shared
        taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [*BAOXUE_SERVE, "--data", str(tmp_path / "d"), "--port", str(port), "--workers", "2"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 2
    assert "端口可能已被占用" in result.stderr


@pytest.mark.parametrize("when", ["starting", "serving"])
def test_ctrl_c_stops_every_process_quietly(tmp_path: Path, when: str) -> None:
    """Ctrl-C in a terminal signals the whole process group: no tracebacks, nothing left —
    also while the workers are still importing (regression: KeyboardInterrupt tracebacks)."""
    port = free_port()
    service = subprocess.Popen(
        [*BAOXUE_SERVE, "--data", str(tmp_path / "data"), "--port", str(port), "--workers", "2"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    tree = psutil.Process(service.pid)
    try:
        if when == "serving":
            _wait_up(f"http://127.0.0.1:{port}", service)
        else:  # the moment both workers exist, long before they answer
            deadline = time.monotonic() + 60
            while len(tree.children()) < 3 and time.monotonic() < deadline:  # + resource tracker
                time.sleep(0.01)
        everyone = [tree, *tree.children(recursive=True)]
    finally:
        os.killpg(service.pid, signal.SIGINT)
        _, stderr = service.communicate(timeout=30)
    assert service.returncode == 0
    assert b"Traceback" not in stderr, stderr.decode("utf-8", "replace")[-2000:]
    assert _still_running(everyone) == []
