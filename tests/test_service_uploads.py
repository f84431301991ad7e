"""Evidence uploads in the service (issue 23 § 2): junk is refused at the upload, nothing
stored as a package, no job; a school or the bureau withdraws an upload and its audit, the
findings going with it, and the overview counts only what stands."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures.packages.zips import make_zip
from service_helpers import Env, seed
from sqlalchemy import func, select
from test_audit_junk import docx_bytes, xlsx_bytes
from test_service_flows import PERIOD_TEXT, wait, zipped

from audit.package import NOTHING_TO_CHECK
from service.app import create_app
from service.config import ServiceConfig
from service.jobs import JobContext, JobFailed, execute_job
from service.tables import Audit, ChangeLog, Finding, Job, Package, Review


def _count(env: Env, model: type) -> int:
    with env.app.state.ctx.db.session() as db:
        return int(db.scalar(select(func.count()).select_from(model)) or 0)


JUNK = [
    ("学生名单.xlsx", xlsx_bytes(), "Excel 表格"),
    ("工作方案.docx", docx_bytes(), "Word 文档"),
    ("迎检材料.zip", xlsx_bytes(), "Excel 表格"),  # renamed
    ("迎检材料.zip", make_zip([]), NOTHING_TO_CHECK),
    ("迎检材料.zip", make_zip([("Thumbs.db", b"x"), ("__MACOSX/._a.pdf", b"x")]), NOTHING_TO_CHECK),
]


@pytest.mark.parametrize(("name", "data", "message"), JUNK)
def test_junk_upload_is_refused_and_nothing_is_kept(
    env: Env, name: str, data: bytes, message: str
) -> None:
    c = env.login("clerk_a")
    school = env.ids["school_a"]
    r = c.post(f"/api/schools/{school}/packages", files={"file": (name, data)}, data={"period": ""})
    assert r.status_code == 400, r.text
    detail = r.json()["detail"]
    assert message in detail and name in detail
    if message != NOTHING_TO_CHECK:
        assert "请上传 zip 压缩包或文件夹" in detail
    page = c.post(
        f"/schools/{school}/packages",
        files={"file": (name, data)},
        data={"period": "", "csrf_token": c.csrf},  # type: ignore[attr-defined]
    )
    assert page.status_code == 400 and message in page.text
    assert _count(env, Package) == 0 and _count(env, Job) == 0


def _audited(env: Env, client: object) -> tuple[int, int, int]:
    """Upload the gaps package; (package id, audit id, findings)."""
    c = client
    r = c.post(  # type: ignore[attr-defined]
        f"/api/schools/{env.ids['school_a']}/packages",
        files={"file": ("迎检材料.zip", zipped("gaps"))},
        data={"period": PERIOD_TEXT},
    )
    assert r.status_code == 202, r.text
    job = wait(c, r.json()["job"]["id"])  # type: ignore[arg-type]
    assert job["status"] == "done", job
    return r.json()["package_id"], job["result"]["audit_id"], job["result"]["findings"]


def test_clerk_withdraws_an_upload_its_audit_and_findings_go(env: Env) -> None:
    clerk, admin, inspector = env.login("clerk_a"), env.login("admin"), env.login("inspector")
    school = env.ids["school_a"]
    first, first_audit, _ = _audited(env, clerk)
    package, audit, findings = _audited(env, clerk)
    assert findings > 0
    inspector.put(f"/api/audits/{audit}/items/1.1", json={"status": "pass", "note": "现场核对"})
    row = next(
        r for r in admin.get("/api/admin/overview").json()["rows"] if r["school"]["id"] == school
    )
    assert row["audit_id"] == audit and row["open_findings"] > 0

    # the inspector may not; another school's clerk cannot even see it
    assert inspector.post(f"/api/packages/{package}/withdraw").status_code == 403
    assert env.login("clerk_c").post(f"/api/packages/{package}/withdraw").status_code == 404

    r = clerk.post(f"/packages/{package}/withdraw", data={"csrf_token": clerk.csrf})  # type: ignore[attr-defined]
    assert r.status_code == 303 and r.headers["location"].startswith(f"/schools/{school}")
    shown = clerk.get(r.headers["location"])
    assert "已撤回“迎检材料.zip”及其核查报告" in shown.text and "个整改问题随之删除" in shown.text
    assert "已撤回“迎检材料.zip”" not in clerk.get(f"/schools/{school}").text  # said once

    assert clerk.get(f"/audits/{audit}").status_code == 404
    with env.app.state.ctx.db.session() as db:
        assert (
            db.scalar(select(func.count()).select_from(Finding).where(Finding.audit_id == audit))
            == 0
        )
        assert (
            db.scalar(select(func.count()).select_from(Review).where(Review.audit_id == audit)) == 0
        )
        assert db.get(Package, package).withdrawn_at is not None  # type: ignore[union-attr]
        log = db.scalars(select(ChangeLog).where(ChangeLog.action == "package.withdraw")).one()
        assert log.detail["findings"] == findings and log.detail["audits"] == [audit]
        assert log.school_id == school
        standing = db.scalar(
            select(func.count()).select_from(Finding).where(Finding.school_id == school)
        )
    # the overview and the remediation list count what stands: the first upload's audit
    row = next(
        r for r in admin.get("/api/admin/overview").json()["rows"] if r["school"]["id"] == school
    )
    assert row["audit_id"] == first_audit and row["open_findings"] == standing
    assert "package.withdraw" in admin.get("/admin/log").text

    # once only; the bureau withdraws the other
    assert clerk.post(f"/api/packages/{package}/withdraw").status_code == 400
    r = admin.post(f"/api/packages/{first}/withdraw")
    assert r.status_code == 200 and r.json()["audits"] == [first_audit]
    row = next(
        r for r in admin.get("/api/admin/overview").json()["rows"] if r["school"]["id"] == school
    )
    assert row["audit_id"] is None and row["open_findings"] == 0
    assert _count(env, Audit) == 0


class Idle:
    """A job runner that runs nothing: jobs stay queued until the test runs them."""

    def submit(self, job_id: int) -> None:
        pass

    def shutdown(self, wait: bool = True) -> None:
        pass


def test_a_withdrawn_upload_keeps_no_audit_whenever_its_job_runs(tmp_path: Path) -> None:
    config = ServiceConfig(data_dir=tmp_path / "data", job_mode="thread")
    app = create_app(config, runner=Idle())
    env = Env(app, config, seed(app))
    try:
        clerk = env.login("clerk_a")
        school = env.ids["school_a"]
        ids = []
        for _ in range(2):
            r = clerk.post(
                f"/api/schools/{school}/packages",
                files={"file": ("迎检材料.zip", zipped("gaps"))},
                data={"period": PERIOD_TEXT},
            )
            assert r.status_code == 202
            ids.append((r.json()["package_id"], r.json()["job"]["id"]))
        (queued_pkg, queued_job), (running_pkg, running_job) = ids
        # withdrawn while queued: the job never runs
        assert clerk.post(f"/api/packages/{queued_pkg}/withdraw").status_code == 200
        assert execute_job(config, queued_job) == "skipped"
        job = clerk.get(f"/api/jobs/{queued_job}").json()
        assert job["status"] == "failed" and "撤回" in job["error"]
        page = clerk.get(f"/jobs/{queued_job}").text
        assert "失败" in page and "排队中" not in page
        # withdrawn while its audit runs: the result is not kept
        from service.adapters.audit import run_audit_job

        with app.state.ctx.db.session() as db:
            row = db.get(Job, running_job)
            assert row is not None
            ctx = JobContext(
                row.id, row.kind, row.school_id, dict(row.params), config,
                app.state.ctx.db, app.state.ctx.blobs,
            )  # fmt: skip
        assert clerk.post(f"/api/packages/{running_pkg}/withdraw").status_code == 200
        with pytest.raises(JobFailed, match="撤回"):
            run_audit_job(ctx)
        assert _count(env, Audit) == 0 and _count(env, Finding) == 0
    finally:
        env.close()
        app.state.ctx.db.dispose()
