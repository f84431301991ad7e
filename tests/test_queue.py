"""The queue's parts in one process (issue 24): a dead worker's job is retried or failed
with the reason (procrastinate's heartbeats), a run that lost its job writes nothing, jobs
the queue lost are queued again, the daily reminders are stored once a day and shown by
scope, and the systemd units run commands that exist. The processes end to end:
test_queue_workers.py."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import procrastinate
import pytest
from queue_helpers import (
    ENV_FILE,
    INSTALLED,
    ROOT,
    env_example,
    local,
    unit_command,
    unit_settings,
    unit_text,
)
from service_helpers import Env, PgCluster, make_env
from sqlalchemy import select, text, update

from cli import main
from service import jobs
from service.app import create_app
from service.jobs import execute_job
from service.queue.app import RUN_JOB, conninfo
from service.queue.recovery import orphans, recover_stalled
from service.queue.tasks import make_app
from service.tables import Job, Reminder, utcnow


@pytest.fixture
def pg_env(pg_cluster: PgCluster, tmp_path: Path) -> Iterator[Env]:
    e = make_env(
        tmp_path / "data",
        pg_cluster.new_database(),
        job_runner="queue",
        queue_stalled_seconds=5,
        job_max_attempts=2,
    )
    yield e
    e.app.state.ctx.runner.shutdown()
    e.close()


def _job(env: Env, **values: Any) -> int:
    with env.app.state.ctx.db.session() as db:
        job = Job(kind="batch", school_id=env.ids["school_a"], params={}, **values)
        db.add(job)
        db.flush()
        return job.id


def _row(env: Env, job_id: int) -> Job:
    with env.app.state.ctx.db.session() as db:
        job = db.get(Job, job_id)
        assert job is not None
        db.expunge(job)
        return job


async def _a_dead_worker_runs(app: procrastinate.App, job_id: int) -> int:
    """Queue "run job N" and have it taken by a worker that then goes silent."""
    manager = app.job_manager
    await app.tasks[RUN_JOB].defer_async(job_id=job_id)
    worker = await manager.register_worker()
    fetched = await manager.fetch_job(queues=None, worker_id=worker)
    assert fetched is not None and fetched.id is not None
    await app.connector.execute_query_async(
        "UPDATE procrastinate_workers SET last_heartbeat = now() - interval '1 hour'"
    )
    return fetched.id


def test_a_dead_worker_s_job_is_retried_then_failed_with_the_reason(pg_env: Env) -> None:
    config = pg_env.config
    job_id = _job(pg_env, status="queued")

    async def scenario() -> None:
        app = make_app(
            config, procrastinate.PsycopgConnector(conninfo=conninfo(config.database_url))
        )
        async with app.open_async():
            # the first run: claimed (attempt 1), then its worker dies
            queue_job = await _a_dead_worker_runs(app, job_id)
            await asyncio.to_thread(_claim, pg_env, job_id)
            counts = await recover_stalled(app, config)
            assert counts["retried"] == 1
            row = _row(pg_env, job_id)
            assert (row.status, row.attempts) == ("queued", 1)
            assert row.message.startswith("处理任务的进程失联")
            assert await asyncio.to_thread(_queue_status_of, pg_env, queue_job) == "todo"
            # the second run dies too: the attempts are used, the job fails with the reason
            worker = await app.job_manager.register_worker()
            again = await app.job_manager.fetch_job(queues=None, worker_id=worker)
            assert again is not None and again.id == queue_job
            await asyncio.to_thread(_claim, pg_env, job_id)
            await app.connector.execute_query_async(
                "UPDATE procrastinate_workers SET last_heartbeat = now() - interval '1 hour'"
            )
            counts = await recover_stalled(app, config)
            assert counts["failed"] == 1
            row = _row(pg_env, job_id)
            assert row.status == "failed" and row.attempts == 2
            assert row.error is not None and "已尝试2次仍未完成" in row.error
            assert await asyncio.to_thread(_queue_status_of, pg_env, queue_job) == "failed"

    asyncio.run(scenario())


def _queue_status_of(env: Env, queue_job: int) -> str:
    with env.app.state.ctx.db.session() as db:
        found = db.scalar(
            text("SELECT status FROM procrastinate_jobs WHERE id = :id"), {"id": queue_job}
        )
        return str(found)


def _claim(env: Env, job_id: int) -> None:
    """What execute_job's claim does, without running the job."""
    with env.app.state.ctx.db.session() as db:
        db.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(status="running", attempts=Job.attempts + 1, started_at=utcnow())
        )


def test_a_live_worker_s_job_is_left_alone(pg_env: Env) -> None:
    config = pg_env.config
    job_id = _job(pg_env, status="queued")

    async def scenario() -> None:
        app = make_app(
            config, procrastinate.PsycopgConnector(conninfo=conninfo(config.database_url))
        )
        async with app.open_async():
            await app.tasks[RUN_JOB].defer_async(job_id=job_id)
            worker = await app.job_manager.register_worker()  # heartbeat: now
            assert await app.job_manager.fetch_job(queues=None, worker_id=worker) is not None
            await asyncio.to_thread(_claim, pg_env, job_id)
            counts = await recover_stalled(app, config)
            assert counts == {"retried": 0, "failed": 0, "requeued": 0}

    asyncio.run(scenario())
    assert _row(pg_env, job_id).status == "running"


def test_jobs_the_queue_lost_are_queued_again(pg_env: Env) -> None:
    config = pg_env.config
    old = _job(pg_env, status="queued", created_at=utcnow() - timedelta(minutes=5))
    fresh = _job(pg_env, status="queued")  # the web process is queueing it right now
    assert orphans(config) == [old]
    pg_env.app.state.ctx.runner.submit(old)
    pg_env.app.state.ctx.runner.submit(old)  # twice: queued once (its queueing lock)
    assert orphans(config) == []
    assert orphans(config, timedelta(0)) == [fresh]


def test_a_run_that_lost_its_job_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = make_env(tmp_path / "data")
    try:
        job_id = _job(env, status="queued")

        def taken_over(ctx: jobs.JobContext) -> dict[str, Any]:
            # meanwhile this run was taken for dead and another run claimed the job
            with ctx.db.session() as db:
                db.execute(update(Job).where(Job.id == ctx.job_id).values(attempts=2))
            return {"files": {"x": "y"}}

        monkeypatch.setitem(jobs.HANDLERS, "batch", f"{__name__}:_handler")
        monkeypatch.setattr(sys.modules[__name__], "_handler", taken_over, raising=False)
        assert execute_job(env.config, job_id) == "superseded"
        row = _row(env, job_id)
        assert (row.status, row.result) == ("running", None)  # the other run's to finish
    finally:
        env.close()


def test_a_retry_works_in_a_folder_of_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = make_env(tmp_path / "data")
    try:
        job_id = _job(env, status="queued", attempts=1)  # the first run died
        left = env.config.work_dir / f"job-{job_id}-1"
        left.mkdir(parents=True)
        (left / "package.zip").symlink_to(tmp_path / "gone.zip")  # what it left behind
        seen: dict[str, Any] = {}

        def handler(ctx: jobs.JobContext) -> dict[str, Any]:
            seen["dir"], seen["left"] = ctx.work_dir.name, left.exists()
            (ctx.work_dir / "package.zip").symlink_to(tmp_path / "package.zip")
            return {"files": {}}

        monkeypatch.setitem(jobs.HANDLERS, "batch", f"{__name__}:_handler")
        monkeypatch.setattr(sys.modules[__name__], "_handler", handler, raising=False)
        assert execute_job(env.config, job_id) == "done"
        assert seen == {"dir": f"job-{job_id}-2", "left": False}
        assert not list(env.config.work_dir.glob(f"job-{job_id}-*"))
    finally:
        env.close()


def test_reminders_are_stored_once_a_day_and_shown_by_scope(pg_env: Env) -> None:
    from service.ops.reminders import store_day

    day = date(2026, 3, 16)  # a Monday: the week's reports are due, earlier ones overdue
    with pg_env.app.state.ctx.db.session() as db:
        first = store_day(db, day)
    with pg_env.app.state.ctx.db.session() as db:
        assert store_day(db, day) == 0  # the task run twice stores once
        stored = list(db.scalars(select(Reminder).where(Reminder.day == day)))
    assert first == len(stored) > 0
    assert all(r.due + r.overdue >= len(r.items) > 0 for r in stored)
    page = pg_env.login("clerk_a").get("/duties").text
    assert "每日提醒（2026-03-16）" in page and "逾期" in page
    clerk = pg_env.login("clerk_a").get("/api/reminders").json()
    assert [r["place"] for r in clerk] == [f"s{pg_env.ids['school_a']}"]
    assert clerk[0]["day"] == day.isoformat() and clerk[0]["items"][0]["kind"] == "duty"
    admin = pg_env.login("admin").get(f"/api/reminders?on={day.isoformat()}").json()
    assert {r["place"] for r in admin} == {r.place_key for r in stored}
    assert any(r["place"].startswith("b:") for r in admin)


# ---------------------------------------------------------------- the command line and units


def _worker(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), "worker", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )


def test_a_worker_needs_postgresql_and_the_shared_files(
    tmp_path: Path, pg_cluster: PgCluster
) -> None:
    done = _worker("--db", f"sqlite:///{tmp_path}/x.sqlite3", "--data", str(tmp_path))
    assert done.returncode == 2 and "任务队列需要 PostgreSQL" in done.stderr
    done = _worker("--db", pg_cluster.new_database(), "--data", str(tmp_path / "nowhere"))
    assert done.returncode == 2 and "找不到共享文件目录" in done.stderr, done.stderr


UNITS = {"baoxue-web.service": "serve", "baoxue-worker@.service": "worker"}


@pytest.mark.parametrize("unit", sorted(UNITS))
def test_the_systemd_units_run_commands_that_exist(unit: str) -> None:
    settings = unit_settings(unit)
    assert settings["EnvironmentFile"] == ENV_FILE
    used = set(re.findall(r"\$\{?([A-Z_]+)", settings["ExecStart"]))
    assert used <= set(env_example()), used - set(env_example())
    words = local(unit_command(unit, env_example(), instance="1"))
    assert words[2] == UNITS[unit]
    command = main.get_command(
        main.make_context("baoxue", ["--help"], resilient_parsing=True), words[2]
    )
    assert command is not None
    extra = {"serve": "--workers 2", "worker": "--concurrency 2 --backup-dir /srv/b"}[words[2]]
    for more in ("", extra):  # as installed, and with the options the env file suggests
        env = {**env_example(), "BAOXUE_SERVE_ARGS": more, "BAOXUE_WORKER_ARGS": more}
        args = unit_command(unit, env, instance="1")[2:]
        command.make_context(words[2], list(args))  # click parses them: options and values
    assert "[Install]" in unit_text(unit) and settings["WantedBy"] == "multi-user.target"


def test_migration_0006_goes_down_and_up_again_on_postgresql(pg_cluster: PgCluster) -> None:
    from alembic import command
    from alembic.config import Config

    from service.db import MIGRATIONS_DIR, Database, migrate

    database = Database(pg_cluster.new_database())
    migrate(database.engine)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with database.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0005")
    count = (
        "SELECT (SELECT count(*) FROM pg_tables WHERE tablename LIKE 'procrastinate%')"
        " + (SELECT count(*) FROM pg_proc WHERE proname LIKE 'procrastinate%')"
        " + (SELECT count(*) FROM pg_type WHERE typname LIKE 'procrastinate%')"
    )
    with database.engine.connect() as conn:
        assert conn.scalar(text(count)) == 0  # procrastinate's schema entirely gone
    migrate(database.engine)
    with database.engine.connect() as conn:
        assert conn.scalar(text(count)) > 0
        assert conn.scalar(text("SELECT count(*) FROM reminders")) == 0
    database.dispose()


def test_the_periodic_tasks_and_who_takes_the_backup(tmp_path: Path) -> None:
    from service.config import ServiceConfig
    from service.queue.app import BACKUP, RECOVER, REMINDERS

    def periodic(config: ServiceConfig) -> dict[str, str]:
        connector = procrastinate.PsycopgConnector(conninfo="dbname=unused")
        registry = make_app(config, connector).periodic_registry.periodic_tasks
        return {name: task.cron for (name, _), task in registry.items()}

    plain = ServiceConfig(data_dir=tmp_path, db_url="postgresql://x@/y", queue_stalled_seconds=30)
    assert periodic(plain) == {RECOVER: "*/10 * * * * *", REMINDERS: "0 23 * * *"}
    backing = plain.with_(backup_dir=tmp_path / "b")
    assert periodic(backing)[BACKUP] == "0 18 * * *"  # 02:00 in Beijing


def test_the_nightly_backup_dumps_the_database_and_copies_the_files(pg_env: Env) -> None:
    from service.queue.chores import KEEP_DUMPS, daily_reminders, nightly_backup

    config = pg_env.config.with_(backup_dir=pg_env.config.data_dir.parent / "backup")
    pg_env.app.state.ctx.blobs.put_bytes(b"a stored file")
    night = 1_773_684_000  # 2026-03-16 18:00 UTC: 02:00 on the 17th in Beijing
    copied = [nightly_backup(config, night + n * 86400) for n in range(KEEP_DUMPS + 1)]
    dumps = sorted(p.name for p in config.backup_dir.glob("*.pgdump"))  # type: ignore[union-attr]
    assert len(dumps) == KEEP_DUMPS and dumps[0] == "baoxue-2026-03-18.pgdump"
    assert Path(copied[-1]["database"]).read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
    assert [c["files_copied"] for c in copied[:2]] == [1, 0]  # a file is copied once
    # the reminders' day is Beijing's: 23:00 UTC on the 15th is the morning of the 16th
    assert daily_reminders(config, 1_773_615_600)["day"] == "2026-03-16"


def test_a_site_grows_from_sqlite_to_postgresql(tmp_path: Path, pg_cluster: PgCluster) -> None:
    from service.transfer import TransferError, copy_database

    source = make_env(tmp_path / "data")  # the embedded default, with its users and schools
    job_id = _job(source, status="queued")
    source.close()
    source.app.state.ctx.db.dispose()
    target = pg_cluster.new_database()
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "cli.py"),
            "copy-db",
            "--data",
            str(tmp_path / "data"),
            "--to",
            target,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0 and "已复制" in done.stdout, done.stderr
    with pytest.raises(TransferError, match="目标数据库已有数据"):
        copy_database(source.config.database_url, target)
    config = source.config.with_(db_url=target, job_runner="queue")
    grown = Env(create_app(config), config, source.ids)  # the copied users, not seeded again
    try:
        with grown.app.state.ctx.db.session() as db:
            assert db.get(Job, job_id) is not None
            db.add(Job(kind="batch", school_id=1, params={}))  # ids go on past the copied ones
        assert orphans(grown.config, timedelta(0)) == [job_id, job_id + 1]
        clerk = grown.login("clerk_a")  # the same users and passwords
        assert clerk.get("/api/me").json()["username"] == "clerk_a"
        assert orphans(grown.config, timedelta(0)) == []  # the web process queued them
    finally:
        grown.app.state.ctx.runner.shutdown()
        grown.close()


def test_a_queued_job_says_when_no_worker_is_alive(pg_env: Env) -> None:
    job_id = _job(pg_env, status="queued")
    clerk = pg_env.login("clerk_a")
    assert (
        clerk.get(f"/api/jobs/{job_id}")
        .json()["message"]
        .startswith("排队中：当前没有在线的任务进程")
    )
    assert "当前没有在线的任务进程" in clerk.get(f"/jobs/{job_id}").text
    config = pg_env.config

    async def a_worker_beats() -> None:
        app = make_app(
            config, procrastinate.PsycopgConnector(conninfo=conninfo(config.database_url))
        )
        async with app.open_async():
            await app.job_manager.register_worker()  # its heartbeat: now

    asyncio.run(a_worker_beats())
    assert clerk.get(f"/api/jobs/{job_id}").json()["message"] == ""


def test_systemd_reads_the_units_without_complaint(tmp_path: Path) -> None:
    """systemd's own check, where systemd is installed (not in every container): nothing to
    say but that the program is not installed at /opt/baoxue on this machine."""
    import shutil

    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed here")
    for unit in UNITS:
        (tmp_path / unit.replace("@.", "@1.")).write_text(unit_text(unit), encoding="utf-8")
    done = subprocess.run(
        [analyze, "verify", "--man=no", *sorted(str(p) for p in tmp_path.iterdir())],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    said = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    assert all(f"Command {INSTALLED} is not executable" in line for line in said), said
