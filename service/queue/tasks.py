"""The tasks of the queue: run a job; the periodic chores, each deferred once a tick.

`make_app` is called by the web processes (they only queue) and by the workers (they run);
both register the same tasks under the same names, so any process may queue any task.
"""

from __future__ import annotations

from typing import Any

import procrastinate
from procrastinate.connector import BaseConnector
from procrastinate.job_context import JobContext

from service.config import ServiceConfig
from service.jobs import execute_job
from service.queue.app import (
    BACKUP,
    BACKUP_QUEUE,
    CHORES_QUEUE,
    JOBS_QUEUE,
    RECOVER,
    REMINDERS,
    RUN_JOB,
)
from service.queue.recovery import recover_stalled

# The periodic chores' times are UTC (the queue's clock): 23:00 UTC is 07:00 in Beijing, the
# reminders ready when the clerks start; the backup at 02:00 Beijing time.
REMINDERS_CRON = "0 23 * * *"
BACKUP_CRON = "0 18 * * *"


def recover_every(config: ServiceConfig) -> int:
    """Seconds between two looks for the jobs of dead workers: a third of the silence that
    marks a worker dead, so a job waits at most about 1⅓ of it."""
    return max(1, min(30, int(config.queue_stalled_seconds // 3)))


def make_app(config: ServiceConfig, connector: BaseConnector) -> procrastinate.App:
    app = procrastinate.App(connector=connector)

    @app.task(name=RUN_JOB, queue=JOBS_QUEUE)
    def run_job(job_id: int) -> str:
        return execute_job(config, job_id)

    @app.periodic(cron=f"*/{recover_every(config)} * * * * *", periodic_id="stalled")
    @app.task(name=RECOVER, queue=CHORES_QUEUE, pass_context=True)
    async def recover(context: JobContext, timestamp: int) -> dict[str, int]:
        return await recover_stalled(context.app, config)

    @app.periodic(cron=REMINDERS_CRON, periodic_id="daily")
    @app.task(name=REMINDERS, queue=CHORES_QUEUE)
    def reminders(timestamp: int) -> dict[str, Any]:
        from service.queue.chores import daily_reminders

        return daily_reminders(config, timestamp)

    if config.backup_dir is not None:  # only the workers given a backup folder take it

        @app.periodic(cron=BACKUP_CRON, periodic_id="nightly")
        @app.task(name=BACKUP, queue=BACKUP_QUEUE)
        def backup(timestamp: int) -> dict[str, Any]:
            from service.queue.chores import nightly_backup

            return nightly_backup(config, timestamp)

    return app
