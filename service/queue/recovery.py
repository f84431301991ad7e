"""Jobs of dead workers: detected by their heartbeats, retried elsewhere or failed.

A queue worker writes a heartbeat every `queue_heartbeat_seconds`; procrastinate lists the
jobs still "doing" on a worker silent for `queue_stalled_seconds` (`get_stalled_jobs`). For
each, the service's own row decides: a run under way goes back to the queue (another worker
claims it, `service.jobs.execute_job`) until it has had `job_max_attempts` runs, then it
fails with the reason. Nothing here touches a job whose worker is alive, so any number of
web processes and workers share one database; no start-up resets anything.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Literal

from procrastinate import App
from procrastinate.exceptions import AlreadyEnqueued
from procrastinate.jobs import Status
from sqlalchemy import select, text

from service.config import ServiceConfig
from service.jobs import resources
from service.queue.app import RUN_JOB, job_lock
from service.tables import Job, utcnow

log = logging.getLogger("baoxue.queue")

Outcome = Literal["retry", "failed", "done"]
ORPHAN_AGE = timedelta(seconds=30)  # a queued job the queue does not hold after this is re-queued


def dead_worker_reason(attempts: int) -> str:
    return f"处理任务的进程失联（被终止、断电或断网），已尝试{attempts}次仍未完成，请检查文件后重新提交"


def settle(config: ServiceConfig, job_id: int) -> Outcome:
    """The service's side of a job whose worker died: queue it again or fail it."""
    database, _ = resources(config)
    with database.session() as db:
        job = db.scalar(select(Job).where(Job.id == job_id).with_for_update())
        if job is None or job.status in ("done", "failed"):
            return "done" if job is not None and job.status == "done" else "failed"
        if job.status == "queued":  # the worker died between taking it and claiming it
            return "retry"
        if job.attempts >= config.job_max_attempts:
            job.status = "failed"
            job.error = dead_worker_reason(job.attempts)
            job.finished_at = utcnow()
            return "failed"
        job.status = "queued"
        job.message = "处理任务的进程失联，任务在另一进程重新开始"
        return "retry"


async def recover_stalled(app: App, config: ServiceConfig) -> dict[str, int]:
    """Retry or fail the jobs of dead workers; queue the jobs the queue lost."""
    manager = app.job_manager
    counts = {"retried": 0, "failed": 0, "requeued": 0}
    stalled = await manager.get_stalled_jobs(
        task_name=RUN_JOB, seconds_since_heartbeat=config.queue_stalled_seconds
    )
    for job in stalled:
        assert job.id is not None
        outcome = await asyncio.to_thread(settle, config, int(str(job.task_kwargs["job_id"])))
        if outcome == "retry":
            await manager.retry_job(job)
            counts["retried"] += 1
            log.warning("job %s: its worker is silent; queued again", job.task_kwargs["job_id"])
        else:
            status = Status.SUCCEEDED if outcome == "done" else Status.FAILED
            await manager.finish_job_by_id_async(job.id, status=status, delete_job=False)
            if outcome == "failed":
                counts["failed"] += 1
                log.warning(
                    "job %s: its worker is silent, no attempt left: failed",
                    job.task_kwargs["job_id"],
                )
    await manager.prune_stalled_workers(config.queue_stalled_seconds)
    for job_id in await asyncio.to_thread(orphans, config):
        try:
            await (
                app.tasks[RUN_JOB]
                .configure(queueing_lock=job_lock(job_id))
                .defer_async(job_id=job_id)
            )
            counts["requeued"] += 1
        except AlreadyEnqueued:
            pass
    return counts


def orphans(config: ServiceConfig, age: timedelta = ORPHAN_AGE) -> list[int]:
    """Queued jobs the queue holds no run of: the web process stopped between storing the job
    and queueing it, or the job was stored before the site moved to the queue."""
    database, _ = resources(config)
    with database.session() as db:
        rows = db.execute(
            text(
                "SELECT j.id FROM jobs j WHERE j.status = 'queued' AND j.created_at < :before"
                " AND NOT EXISTS (SELECT 1 FROM procrastinate_jobs p"
                " WHERE p.task_name = :task AND p.status IN ('todo', 'doing')"
                " AND (p.args->>'job_id')::bigint = j.id) ORDER BY j.id"
            ),
            {"before": utcnow() - age, "task": RUN_JOB},
        )
        return [int(row[0]) for row in rows]
