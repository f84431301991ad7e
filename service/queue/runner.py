"""The web processes' side of the queue: `QueueJobRunner.submit(job_id)` queues "run job N".

A job is queued under a lock of its own (procrastinate's `queueing_lock`), so a job
submitted twice while it waits is queued once; and whichever worker takes a run claims the
job in the service's table first (`service.jobs.execute_job`), so it runs once at most.
"""

from __future__ import annotations

import contextlib
import logging
import threading

import procrastinate
from procrastinate.exceptions import AlreadyEnqueued

from service.config import ServiceConfig
from service.queue.app import RUN_JOB, conninfo, job_lock

log = logging.getLogger("baoxue.queue")


class QueueJobRunner:
    """Queues jobs for `baoxue worker` processes; runs none itself. The connection opens
    with the first job (a web process at rest holds none)."""

    def __init__(self, config: ServiceConfig) -> None:
        conninfo(config.database_url)  # a clear message now, not at the first upload
        self.config = config
        self._app: procrastinate.App | None = None
        self._lock = threading.Lock()

    def _open(self) -> procrastinate.App:
        with self._lock:
            if self._app is None:
                from service.queue.tasks import make_app

                connector = procrastinate.SyncPsycopgConnector(
                    conninfo=conninfo(self.config.database_url), min_size=0, max_size=2
                )
                self._app = make_app(self.config, connector).open()
            return self._app

    def submit(self, job_id: int) -> None:
        """Queue the job (stored and committed by the caller). Should the queue be out of
        reach, the job stays stored as queued and the workers' periodic task queues it
        (`recovery.orphans`): the upload that made it still succeeds."""
        try:
            task = self._open().tasks[RUN_JOB]
            with contextlib.suppress(AlreadyEnqueued):  # already waiting for a worker
                task.configure(queueing_lock=job_lock(job_id)).defer(job_id=job_id)
        except Exception:
            log.exception("job %s stored but not queued; the workers will queue it", job_id)

    def shutdown(self, wait: bool = True) -> None:
        with self._lock:
            app, self._app = self._app, None
        if app is not None:
            app.close()


def queue_orphans(config: ServiceConfig, runner: QueueJobRunner) -> int:
    """At a web process's start: queue the jobs stored but not queued (see
    `recovery.orphans`); nothing running is touched."""
    from datetime import timedelta

    from service.queue.recovery import orphans

    found = orphans(config, age=timedelta(0))
    for job_id in found:
        runner.submit(job_id)
    return len(found)
