"""`baoxue worker`: one process taking the service's jobs from the queue.

It needs only the database address and the data folder holding the shared file store
(`files/`, the same directory every web process and worker sees — a network share when they
run on several machines). Two procrastinate workers run in the process, each with its own
heartbeat: one takes the jobs (`--concurrency` at a time, each in a thread), the other the
periodic chores, so looking for dead workers never waits behind a long audit. SIGTERM or
Ctrl-C: the jobs under way finish (their heartbeats go on meanwhile), no new one is taken.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import re
import shutil
import signal
import socket
import tempfile
from dataclasses import replace
from pathlib import Path

import procrastinate
from procrastinate.worker import Worker

from service.config import ServiceConfig
from service.queue.app import BACKUP_QUEUE, CHORES_QUEUE, JOBS_QUEUE, conninfo

log = logging.getLogger("baoxue.queue")


class WorkerError(Exception):
    """The worker cannot start (message in Chinese, for the command line)."""


def prepare(config: ServiceConfig) -> None:
    """Check the shared store is there and the schema is current (migrations take a lock:
    several processes may start at once)."""
    conninfo(config.database_url)
    if not config.blob_dir.is_dir():
        raise WorkerError(
            f"找不到共享文件目录 {config.blob_dir}：请先挂载网页服务的数据目录"
            "（见 docs/service.md “任务队列”），或先启动一次 baoxue serve"
        )
    from sqlalchemy.exc import OperationalError

    from service.db import Database, migrate

    database = Database(config.database_url)
    try:
        migrate(database.engine)
    except OperationalError as exc:
        raise WorkerError(f"无法连接数据库：{str(exc.orig).strip().splitlines()[0]}") from None
    finally:
        database.dispose()


def run_worker(
    config: ServiceConfig, concurrency: int = 1, name: str | None = None, nice: int = 0
) -> None:
    prepare(config)
    # one line an event for journald: the service's at INFO (a job retried, a backup made),
    # procrastinate's from WARNING (a job that failed, a lost connection)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("baoxue").setLevel(logging.INFO)
    if nice:
        os.nice(nice)
    name = name or f"{socket.gethostname()}-{os.getpid()}"
    os.environ["BAOXUE_WORKER_NAME"] = name  # recorded with each job it runs
    # scratch files on this machine's disk, one folder a worker of a site: what a killed run
    # of this worker left is removed when it starts again
    site = hashlib.sha256(str(config.data_dir).encode()).hexdigest()[:8]
    safe = re.sub(r"[^\w.-]", "_", name)
    scratch = Path(tempfile.gettempdir()) / "baoxue-work" / f"{site}-{safe}"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    asyncio.run(_run(replace(config, scratch_dir=scratch), concurrency, name))


async def _run(config: ServiceConfig, concurrency: int, name: str) -> None:
    from service.queue.tasks import make_app

    connector = procrastinate.PsycopgConnector(
        conninfo=conninfo(config.database_url), min_size=1, max_size=concurrency + 4
    )
    app = make_app(config, connector)
    chores = [CHORES_QUEUE] + ([BACKUP_QUEUE] if config.backup_dir is not None else [])
    async with app.open_async():
        workers = [
            _worker(app, config, [JOBS_QUEUE], concurrency, f"{name}/jobs"),
            _worker(app, config, chores, 1, f"{name}/chores"),
        ]
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, lambda: [w.stop() for w in workers])  # type: ignore[no-untyped-call]
        log.info("worker %s: %s job(s) at a time", name, concurrency)
        beating = asyncio.create_task(_heartbeats(app, workers, config.queue_heartbeat_seconds))
        try:
            await asyncio.gather(*(w.run() for w in workers))  # type: ignore[no-untyped-call]
        finally:
            beating.cancel()


async def _heartbeats(app: procrastinate.App, workers: list[Worker], every: float) -> None:
    """Heartbeats also while stopping: procrastinate's own end with the stop request, but the
    jobs under way go on until they finish, and a worker silent that long would be taken for
    dead and its jobs run a second time elsewhere."""
    while True:
        await asyncio.sleep(every)
        for worker in workers:
            if worker.worker_id is not None:
                try:
                    await app.job_manager.update_heartbeat(worker.worker_id)
                except Exception:  # the database is away: procrastinate's loop says so
                    log.debug("heartbeat of %s failed", worker.worker_name, exc_info=True)


def _worker(
    app: procrastinate.App, config: ServiceConfig, queues: list[str], concurrency: int, name: str
) -> Worker:
    return Worker(
        app,
        queues=queues,
        concurrency=concurrency,
        name=name,
        update_heartbeat_interval=config.queue_heartbeat_seconds,
        stalled_worker_timeout=config.queue_stalled_seconds,
        install_signal_handlers=False,  # one handler stops both workers (above)
        delete_jobs="successful",  # the service's tables keep the record of each job
    )
