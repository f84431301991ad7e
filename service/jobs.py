"""Background jobs (batch printing, audits) with progress kept in the database.

`JobRunner` is the whole interface the service needs — `submit(job_id)` and `shutdown()` —
so a distributed queue can replace the in-process pool: a worker only needs the config
and the job id, and everything else (inputs, progress, result) lives in the database and
the file store. A job is claimed with a conditional UPDATE, so it runs once even if
submitted twice. On start-up `recover` requeues jobs a restart interrupted, or marks them
failed with the reason once they have used their attempts.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import shutil
import socket
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from importlib import import_module
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service.blobs import BlobStore
from service.config import ServiceConfig
from service.db import Database
from service.tables import Job, utcnow
from service.workers import IdlePool, init_worker

log = logging.getLogger("baoxue.jobs")

# kind → "module:function" taking a JobContext and returning the result (JSON-able dict)
HANDLERS: dict[str, str] = {
    "batch": "service.adapters.batch:run_batch_job",
    "audit": "service.adapters.audit:run_audit_job",
    "binder": "service.adapters.binder:run_binder_job",
}
KIND_NAMES = {"batch": "批量打印", "audit": "证据包核查", "binder": "迎检资料"}
STATUS_NAMES = {"queued": "排队中", "running": "进行中", "done": "已完成", "failed": "失败"}
PROGRESS_INTERVAL = 0.5  # seconds between progress writes


class JobFailed(Exception):
    """A job that cannot finish for a reason the user should read (Chinese)."""


class JobRunner(Protocol):
    def submit(self, job_id: int) -> None: ...

    def shutdown(self, wait: bool = True) -> None: ...


@dataclass
class JobContext:
    job_id: int
    kind: str
    school_id: int
    params: dict[str, Any]
    config: ServiceConfig
    db: Database
    blobs: BlobStore
    attempt: int = 1  # this run's number: a run that lost the job (taken for dead) writes nothing
    _last: float = field(default=0.0)

    @property
    def work_dir(self) -> Path:
        """This run's scratch folder: one a run, so a retry never meets what a run that died
        left behind (on the queue the data folder is shared between machines)."""
        path = self.config.work_dir / f"job-{self.job_id}-{self.attempt}"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def progress(self, done: int, total: int, message: str = "", force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < PROGRESS_INTERVAL and done < total:
            return
        self._last = now
        with self.db.session() as db:
            db.execute(
                update(Job)
                .where(Job.id == self.job_id, Job.attempts == self.attempt)
                .values(done=done, total=total, message=message[:500], heartbeat_at=utcnow())
            )


def worker_label() -> str:
    """Who runs a job: a queue worker's name ($BAOXUE_WORKER_NAME), else host and pid."""
    return os.environ.get("BAOXUE_WORKER_NAME") or f"{socket.gethostname()}-{os.getpid()}"


@cache
def resources(config: ServiceConfig) -> tuple[Database, BlobStore]:
    """One engine and store per process (a worker process builds its own)."""
    return Database(config.database_url), BlobStore(config.blob_dir)


def _handler(kind: str) -> Callable[[JobContext], dict[str, Any]]:
    module, func = HANDLERS[kind].split(":")
    handler: Callable[[JobContext], dict[str, Any]] = getattr(import_module(module), func)
    return handler


def execute_job(config: ServiceConfig, job_id: int) -> str:
    """Run one job to its end; safe to call from a thread, a process or a queue worker."""
    database, blobs = resources(config)
    with database.session() as db:
        claimed = db.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == "queued")
            .values(
                status="running",
                attempts=Job.attempts + 1,
                worker=worker_label(),
                started_at=utcnow(),
                heartbeat_at=utcnow(),
            )
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            return "skipped"
        job = db.get(Job, job_id)
        assert job is not None
        ctx = JobContext(
            job.id, job.kind, job.school_id, dict(job.params), config, database, blobs, job.attempts
        )
    for left in config.work_dir.glob(f"job-{job_id}-*"):  # earlier runs that died
        shutil.rmtree(left, ignore_errors=True)
    status, result, error = "failed", None, None
    try:
        result = _handler(ctx.kind)(ctx)
        status = "done"
    except JobFailed as exc:
        error = str(exc)
    except Exception as exc:  # a bug must not leave the job "running"
        log.exception("job %s (%s) crashed", job_id, ctx.kind)
        error = f"内部错误（{type(exc).__name__}），请联系管理员"
    finally:
        shutil.rmtree(config.work_dir / f"job-{job_id}-{ctx.attempt}", ignore_errors=True)
    with database.session() as db:
        # Only the run that holds the job records its end: a run taken for dead (its queue
        # worker missed its heartbeats) whose job went to another worker writes nothing.
        job = db.scalar(
            select(Job)
            .where(Job.id == job_id, Job.status == "running", Job.attempts == ctx.attempt)
            .with_for_update()
        )
        if job is None:
            log.warning(
                "job %s: run %s no longer holds the job; result dropped", job_id, ctx.attempt
            )
            return "superseded"
        job.status, job.result, job.error = status, result, error
        job.finished_at = utcnow()
        if status == "done":
            job.done = max(job.done, job.total)
            job.message = "已完成"
    return status


def fail_job(db: Session, job_id: int, reason: str) -> None:
    db.execute(
        update(Job)
        .where(Job.id == job_id, Job.status.in_(("queued", "running")))
        .values(status="failed", error=reason, finished_at=utcnow())
    )


def _init_worker(service: int | None = None) -> None:
    """Job workers yield the CPU to page views (a 2-core school server runs both) and end
    with the service."""
    init_worker(service, nice=10)


class PoolJobRunner:
    """In-process pool: threads (tests, small sites) or spawned processes (default).

    The processes are started by the first job and end once no job has been running for
    `config.job_idle_seconds` (`service.workers.IdlePool`): a job worker holds what jobs
    import — WeasyPrint and the fonts, pdfium, openpyxl, the audit's readers (≈ 140 MB, more
    once fonts are loaded) — and a service at rest holds none of it. Two workers warmed at
    start-up made half of what an idle service held (issue 23 §6).
    """

    def __init__(self, config: ServiceConfig, database: Database) -> None:
        self.config = config
        self.database = database
        self.pool = IdlePool(
            self._make,
            config.job_idle_seconds if config.job_mode == "process" else None,
            "job workers",
        )

    def _make(self) -> Executor:
        if self.config.job_mode == "process":
            return ProcessPoolExecutor(
                max_workers=self.config.job_workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_worker,
                initargs=(os.getpid(),),
            )
        return ThreadPoolExecutor(
            max_workers=self.config.job_workers, thread_name_prefix="baoxue-job"
        )

    def submit(self, job_id: int) -> None:
        future = self.pool.submit(execute_job, self.config, job_id)
        future.add_done_callback(lambda f: self._after(job_id, f))

    def _after(self, job_id: int, future: Future[str]) -> None:
        exc = None if future.cancelled() else future.exception()
        if exc is not None:  # the worker died (killed, out of memory): say so
            log.error("job %s: worker failed: %s", job_id, type(exc).__name__)
            with self.database.session() as db:
                fail_job(db, job_id, "任务进程意外退出（可能内存不足），请重新提交")

    def shutdown(self, wait: bool = True) -> None:
        self.pool.shutdown(wait=wait)


def recover(database: Database, config: ServiceConfig, runner: JobRunner) -> dict[str, int]:
    """After a restart: requeue interrupted jobs or fail them with the reason; run the queue."""
    counts = reset_interrupted(database, config)
    counts["submitted"] = submit_queued(database, runner)
    return counts


def reset_interrupted(database: Database, config: ServiceConfig) -> dict[str, int]:
    """Jobs a stopped service left "running": queue them again, or fail them after
    `job_max_attempts`. Only at start-up, before any worker may claim a job."""
    requeued = failed = 0
    with database.session() as db:
        for job in db.scalars(select(Job).where(Job.status == "running")):
            if job.attempts >= config.job_max_attempts:
                job.status = "failed"
                job.error = (
                    f"服务在任务运行中重启，已尝试{job.attempts}次仍未完成，请检查文件后重新提交"
                )
                job.finished_at = utcnow()
                failed += 1
            else:
                job.status = "queued"
                job.message = "服务重启，任务重新开始"
                requeued += 1
    return {"requeued": requeued, "failed": failed}


def submit_queued(database: Database, runner: JobRunner) -> int:
    """Hand every queued job to the runner; several processes may do so, a job is claimed once."""
    with database.session() as db:
        queued = list(db.scalars(select(Job.id).where(Job.status == "queued").order_by(Job.id)))
    for job_id in queued:
        runner.submit(job_id)
    return len(queued)
