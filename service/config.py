"""Service settings: where the data lives, which database, limits. Built once, passed around."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from forms import paths

MIB = 1024 * 1024


def default_data_dir() -> Path:
    return paths.default_data_dir()


def default_job_idle_seconds() -> float | None:
    """How long job worker processes wait for the next job before they end
    ($BAOXUE_JOB_IDLE_SECONDS; "none" keeps them for the life of the service)."""
    value = os.environ.get("BAOXUE_JOB_IDLE_SECONDS", "").strip().lower()
    if value == "none":
        return None
    try:
        return max(0.0, float(value))
    except ValueError:  # unset or not a number
        return 60.0


@dataclass(frozen=True)
class ServiceConfig:
    data_dir: Path = field(default_factory=default_data_dir)
    db_url: str | None = None  # None: SQLite file inside data_dir
    max_upload_bytes: int = 100 * MIB  # evidence packages
    max_roster_bytes: int = 10 * MIB
    max_record_bytes: int = 1 * MIB  # a form posted as fields or JSON
    secure_cookies: bool = True  # cookies only over HTTPS (browsers treat localhost as secure)
    session_hours: int = 12
    job_mode: str = "process"  # "process" | "thread"
    job_workers: int = 1
    # Job worker processes start with a job and end after this many idle seconds (None:
    # never), so a service at rest holds no rendering or evidence-reading code.
    job_idle_seconds: float | None = field(default_factory=default_job_idle_seconds)
    job_max_attempts: int = 2  # a job interrupted by a restart is retried this often in all
    # Who runs jobs: "pool" (each web process's own workers; SQLite's default), "queue"
    # (procrastinate on PostgreSQL: `baoxue worker` processes on any machine), "auto"
    # (the queue on PostgreSQL, the pool on SQLite).
    job_runner: str = "auto"
    # Queue workers write a heartbeat this often; a worker silent for `queue_stalled_seconds`
    # is taken for dead and its job is retried on another (or failed after the attempts).
    queue_heartbeat_seconds: float = 10.0
    queue_stalled_seconds: float = 30.0
    backup_dir: Path | None = None  # the queue's nightly backup writes here (None: no backup)
    # Jobs' scratch files (None: the data folder's work/). A queue worker keeps them on its own
    # machine's disk: the data folder is a network share there.
    scratch_dir: Path | None = None
    default_profile: str = "liupu-2026"
    default_checklist: str = "liupu-supervision-2024"
    # The process that owns start-up chores (sweeping half-written uploads, resetting jobs a
    # crash left "running"). With several web processes only the parent does them, once,
    # before the workers start; a worker doing them would break its siblings' work.
    primary: bool = True

    @property
    def database_url(self) -> str:
        if self.db_url:
            return self.db_url
        return f"sqlite:///{self.data_dir / 'baoxue.sqlite3'}"

    @property
    def is_postgresql(self) -> bool:
        return self.database_url.startswith(("postgresql", "postgres:"))

    @property
    def uses_queue(self) -> bool:
        """Jobs go through the distributed queue (procrastinate), not an in-process pool."""
        if self.job_runner == "auto":
            return self.is_postgresql
        return self.job_runner == "queue"

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "files"

    @property
    def work_dir(self) -> Path:
        return self.scratch_dir or self.data_dir / "work"

    def with_(self, **changes: object) -> ServiceConfig:
        return replace(self, **changes)  # type: ignore[arg-type]
