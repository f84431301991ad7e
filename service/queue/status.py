"""What a user waiting for a job should know about the queue: whether any worker is alive.

On PostgreSQL the web processes run no job; a job stays 排队中 until a `baoxue worker` takes
it. When none has sent a heartbeat lately, the job's message says so, instead of leaving the
user to watch a bar that never moves.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from service.config import ServiceConfig

NO_WORKER = "排队中：当前没有在线的任务进程（baoxue worker），请联系管理员启动"


def workers_alive(db: Session, stalled_seconds: float) -> int:
    found = db.scalar(
        text(
            "SELECT count(*) FROM procrastinate_workers"
            " WHERE last_heartbeat > now() - make_interval(secs => :s)"
        ),
        {"s": stalled_seconds},
    )
    return int(found or 0)


def queued_note(db: Session, config: ServiceConfig, status: str) -> str | None:
    """The message for a queued job when no worker is alive (None: nothing to add)."""
    if status != "queued" or not config.uses_queue:
        return None
    return None if workers_alive(db, config.queue_stalled_seconds) else NO_WORKER
