"""The procrastinate App of the service: its connection and its tasks."""

from __future__ import annotations

from sqlalchemy.engine import make_url

RUN_JOB = "baoxue.run_job"
RECOVER = "baoxue.recover"
REMINDERS = "baoxue.reminders"
BACKUP = "baoxue.backup"
JOBS_QUEUE = "jobs"  # the service's jobs: batch printing, audits, 迎检资料
CHORES_QUEUE = "chores"  # the periodic tasks
BACKUP_QUEUE = "backup"  # the nightly backup: only workers given a backup folder listen


def conninfo(database_url: str) -> str:
    """The libpq address of the service's database (SQLAlchemy's `+psycopg` dropped)."""
    url = make_url(database_url)
    if not url.drivername.startswith(("postgresql", "postgres")):
        raise ValueError("任务队列需要 PostgreSQL 数据库（--db postgresql://…）")
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def job_lock(job_id: int) -> str:
    """The queueing lock of a job: while it waits in the queue it is queued once."""
    return f"baoxue-job-{job_id}"
