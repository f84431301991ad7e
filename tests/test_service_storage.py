"""Storage on SQLite and PostgreSQL: migrations, files stored once and atomically, job claims,
uploads within limits, and jobs after a restart."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from service_helpers import Env, make_env
from sqlalchemy import func, inspect, select

from service import jobs
from service.blobs import BlobStore, TooLargeError
from service.db import Database, migrate
from service.jobs import JobContext, execute_job, recover
from service.tables import Blob, ChangeLog, Job, Package


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


class RecordingRunner:
    """A runner that only records what it was asked to run (the service 'crashed' before)."""

    def __init__(self) -> None:
        self.submitted: list[int] = []

    def submit(self, job_id: int) -> None:
        self.submitted.append(job_id)

    def shutdown(self, wait: bool = True) -> None:
        pass


def echo_job(ctx: JobContext) -> dict[str, Any]:
    """A job kind registered by the tests: reports progress, returns its input."""
    for i in range(1, 4):
        ctx.progress(i, 3, f"第{i}步", force=True)
    return {"echo": ctx.params.get("value"), "files": {}}


@pytest.fixture
def echo_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(jobs.HANDLERS, "echo", f"{__name__}:echo_job")


def test_migrations_create_the_schema_and_rerun_cleanly(db_url: str | None, tmp_path: Path) -> None:
    database = Database(db_url or f"sqlite:///{tmp_path / 'x.sqlite3'}")
    migrate(database.engine)
    migrate(database.engine)  # idempotent on every start
    tables = set(inspect(database.engine).get_table_names())
    assert {
        "users",
        "schools",
        "townships",
        "assignments",
        "jobs",
        "audits",
        "reviews",
        "findings",
        "change_log",
        "alembic_version",
    } <= tables
    database.dispose()


def test_service_runs_on_each_backend(db_url: str | None, tmp_path: Path, sample: Any) -> None:
    e = make_env(tmp_path / "data", db_url)
    try:
        c = e.login("clerk_a")
        import json

        record = json.loads(json.dumps(sample("return_notice", "liupu-2026"), default=str))
        r = c.post(
            f"/api/schools/{e.ids['school_a']}/documents",
            json={"form_id": "return_notice", "record": record},
        )
        assert r.status_code == 201
        assert c.get(f"/api/schools/{e.ids['school_c']}").status_code == 404
        with e.app.state.ctx.db.session() as db:
            actions = set(db.scalars(select(ChangeLog.action)))
        assert {"user.create", "school.create", "assignment.create", "login"} <= actions
    finally:
        e.close()
        e.app.state.ctx.db.dispose()


def test_same_package_uploaded_twice_is_stored_once(db_url: str | None, tmp_path: Path) -> None:
    e = make_env(tmp_path / "data", db_url)
    try:
        c = e.login("clerk_a")
        data = _zip({"会议/签到表.txt": "签到".encode()})
        for _ in range(2):
            r = c.post(
                f"/api/schools/{e.ids['school_a']}/packages",
                files={"file": ("迎检材料.zip", data, "application/zip")},
            )
            assert r.status_code == 202, r.text
        with e.app.state.ctx.db.session() as db:
            assert db.scalar(select(func.count()).select_from(Package)) == 2
            shas = set(db.scalars(select(Package.blob_sha256)))
            assert len(shas) == 1 and db.scalar(select(func.count()).select_from(Blob)) == 1
        store: BlobStore = e.app.state.ctx.blobs
        stored = [p for p in store.root.rglob("*") if p.is_file() and p.parent != store.tmp]
        assert len(stored) == 1 and stored[0].read_bytes() == data
    finally:
        e.close()
        e.app.state.ctx.db.dispose()


def test_interrupted_upload_leaves_nothing_half_written(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "files")

    def broken() -> Any:
        yield b"x" * 1000
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        store.put_stream(broken())
    with pytest.raises(TooLargeError):
        store.put_stream([b"y" * 600, b"y" * 600], limit=1000)
    assert [p for p in store.root.rglob("*") if p.is_file()] == []
    # a crash (no finally) leaves a temp file; the next start sweeps it
    (store.tmp / "upload-crashed").write_bytes(b"half")
    assert BlobStore(tmp_path / "files").sweep_temp() == 1
    assert not list(store.tmp.iterdir())


def test_a_job_is_claimed_once(db_url: str | None, tmp_path: Path, echo_kind: None) -> None:
    e = make_env(tmp_path / "data", db_url)
    try:
        with e.app.state.ctx.db.session() as db:
            job = Job(kind="echo", school_id=e.ids["school_a"], params={"value": "你好"})
            db.add(job)
            db.flush()
            job_id = job.id
        assert execute_job(e.config, job_id) == "done"
        assert execute_job(e.config, job_id) == "skipped"
        with e.app.state.ctx.db.session() as db:
            row = db.get(Job, job_id)
            assert (
                row is not None
                and row.status == "done"
                and row.result == {"echo": "你好", "files": {}}
            )
            assert (row.done, row.total, row.attempts) == (3, 3, 1)
    finally:
        e.close()
        e.app.state.ctx.db.dispose()


def test_after_a_restart_jobs_resume_or_fail_with_a_reason(tmp_path: Path, echo_kind: None) -> None:
    data = tmp_path / "data"
    first = make_env(data)
    with first.app.state.ctx.db.session() as db:
        interrupted = Job(
            kind="echo",
            school_id=first.ids["school_a"],
            params={"value": 1},
            status="running",
            attempts=1,
        )
        exhausted = Job(
            kind="echo",
            school_id=first.ids["school_a"],
            params={"value": 2},
            status="running",
            attempts=2,
        )
        waiting = Job(
            kind="echo", school_id=first.ids["school_a"], params={"value": 3}, status="queued"
        )
        db.add_all([interrupted, exhausted, waiting])
        db.flush()
        ids = (interrupted.id, exhausted.id, waiting.id)
    first.app.state.ctx.db.dispose()
    # the service starts again over the same data folder
    runner = RecordingRunner()
    from service.app import build_context

    context = build_context(first.config, runner)
    counts = recover(context.db, first.config, runner)
    assert counts == {"requeued": 1, "failed": 1, "submitted": 2}
    assert runner.submitted == [ids[0], ids[2]]
    with context.db.session() as db:
        failed = db.get(Job, ids[1])
        assert failed is not None and failed.status == "failed"
        assert "重启" in (failed.error or "") and "2次" in (failed.error or "")
    for job_id in runner.submitted:
        assert execute_job(first.config, job_id) == "done"
    with context.db.session() as db:
        statuses = {j.id: j.status for j in db.scalars(select(Job))}
    assert statuses == {ids[0]: "done", ids[1]: "failed", ids[2]: "done"}
    assert "running" not in statuses.values()


def test_restarted_app_runs_the_queue_on_start(tmp_path: Path, echo_kind: None) -> None:
    first = make_env(tmp_path / "data")
    with first.app.state.ctx.db.session() as db:
        job = Job(
            kind="echo",
            school_id=first.ids["school_a"],
            params={"value": "x"},
            status="running",
            attempts=1,
        )
        db.add(job)
        db.flush()
        job_id = job.id
    first.app.state.ctx.db.dispose()
    from fastapi.testclient import TestClient

    from service.app import create_app

    app = create_app(first.config)  # thread runner; lifespan recovers
    with TestClient(app, base_url="https://testserver"):
        app.state.ctx.runner.shutdown(wait=True)
    with app.state.ctx.db.session() as db:
        row = db.get(Job, job_id)
        assert row is not None and row.status == "done" and row.attempts == 2


def test_upload_over_the_limit_is_refused_in_chinese_and_keeps_the_rest(tmp_path: Path) -> None:
    e = make_env(tmp_path / "data", max_upload_bytes=200_000, max_roster_bytes=100_000)
    try:
        c = e.login("clerk_a")
        big = b"0" * 400_000
        r = c.post(f"/api/schools/{e.ids['school_a']}/packages", files={"file": ("大.zip", big)})
        assert (
            r.status_code == 413
            and "上传的文件太大" in r.json()["detail"]
            and "195 KB" in r.json()["detail"]
        )
        page = c.post(
            f"/schools/{e.ids['school_a']}/packages",
            files={"file": ("大.zip", big)},
            data={"csrf_token": c.csrf},
        )  # type: ignore[attr-defined]
        assert page.status_code == 413 and "文件太大" in page.text
        # a roster has its own, smaller limit, checked while storing
        roster = c.post(
            f"/schools/{e.ids['school_a']}/rosters",
            files={"file": ("名单.xlsx", b"0" * 150_000)},
            data={"csrf_token": c.csrf, "form_id": "return_notice"},  # type: ignore[attr-defined]
        )
        assert roster.status_code == 413 and "98 KB" in roster.text
        assert c.get("/api/me").status_code == 200  # still logged in, nothing else lost
        with e.app.state.ctx.db.session() as db:
            assert db.scalar(select(func.count()).select_from(Package)) == 0
            assert db.scalar(select(func.count()).select_from(Job)) == 0
        assert not [p for p in e.app.state.ctx.blobs.root.rglob("*") if p.is_file()]
    finally:
        e.close()


def test_non_zip_package_and_bad_roster_get_a_clear_message(env: Env) -> None:
    c = env.login("clerk_a")
    school = env.ids["school_a"]
    r = c.post(
        f"/schools/{school}/packages",
        files={"file": ("材料.rar", b"Rar!\x1a\x07\x00 data")},
        data={"csrf_token": c.csrf},
    )  # type: ignore[attr-defined]
    assert r.status_code == 400 and "不是 zip 压缩包" in r.text and "材料.rar" in r.text
    r = c.post(
        f"/api/schools/{school}/rosters",
        files={"file": ("名单.doc", b"abc")},
        data={"form_id": "return_notice"},
    )
    assert r.status_code == 400 and "xlsx" in r.json()["detail"]
    r = c.post(
        f"/api/schools/{school}/rosters",
        files={"file": ("名单.xlsx", b"not really a workbook")},
        data={"form_id": "return_notice"},
    )
    assert r.status_code == 400 and "不是有效的 .xlsx" in r.json()["detail"]
    with env.app.state.ctx.db.session() as db:
        assert db.scalar(select(func.count()).select_from(Job)) == 0
