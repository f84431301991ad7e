"""The 迎检资料 through the service: a button on the school page for an uploaded package, a job
with progress, its download scoped like the package and withheld from roles without the right
to full 身份证号; withdrawn with the package."""

from __future__ import annotations

import io
import shutil
import zipfile

import pytest
from pypdf import PdfReader
from service_helpers import Env
from sqlalchemy import select
from test_service_flows import PERIOD_TEXT, wait, zipped

from service.tables import ChangeLog

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("soffice") is None and shutil.which("libreoffice") is None,
        reason="LibreOffice is installed by make test",
    ),
]


def _uploaded(env: Env) -> tuple[int, int]:
    """A package uploaded by school A's clerk and audited: (package id, audit job id)."""
    c = env.login("clerk_a")
    r = c.post(
        f"/api/schools/{env.ids['school_a']}/packages",
        files={"file": ("迎检材料.zip", zipped("edge-cases"))},
        data={"period": PERIOD_TEXT},
    )
    assert r.status_code == 202, r.text
    job = wait(c, r.json()["job"]["id"])
    assert job["status"] == "done", job
    return r.json()["package_id"], job["id"]


def test_binder_button_job_and_download(env: Env) -> None:
    package_id, _ = _uploaded(env)
    c = env.login("clerk_a")
    school = c.get(f"/schools/{env.ids['school_a']}").text
    assert f'action="/packages/{package_id}/binder"' in school and "生成迎检资料" in school
    r = c.post(
        f"/packages/{package_id}/binder",
        data={"csrf_token": c.csrf, "verdicts": "1"},  # type: ignore[attr-defined]
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/jobs/")
    job_id = int(r.headers["location"].rsplit("/", 1)[1])
    job = wait(c, job_id, timeout=400)
    assert job["status"] == "done", job
    assert job["kind"] == "binder" and (job["done"], job["total"]) == (100, 100)
    result = job["result"]
    assert set(result["files"]) == {"迎检资料.pdf", "迎检资料.zip"}
    assert {u["path"] for u in result["unconverted"]} == {
        "五、其他/损坏的家访记录.docx",
        "五、其他/加密的台账.pdf",
    }
    pdf = PdfReader(io.BytesIO(c.get(f"/api/jobs/{job_id}/files/迎检资料.pdf").content))
    assert len(pdf.pages) == result["pages"] and pdf.outline
    assert "荔浦市第二初级中学" in pdf.pages[0].extract_text()  # the school's name on the cover
    assert "核查结果" in "".join(p.extract_text() for p in pdf.pages[2:8])  # --verdicts
    bundle = zipfile.ZipFile(io.BytesIO(c.get(f"/api/jobs/{job_id}/files/迎检资料.zip").content))
    assert "目录.xlsx" in bundle.namelist() and "目录.docx" in bundle.namelist()
    assert any(n.startswith("一、组织部署/1.1 ") for n in bundle.namelist())
    page = c.get(f"/jobs/{job_id}").text
    assert "下载 迎检资料.pdf" in page and "未能转换为 PDF 的文件" in page
    with env.app.state.ctx.db.session() as db:
        assert db.scalars(select(ChangeLog).where(ChangeLog.action == "package.binder")).one()
    # the inspector sees the school but may neither make nor download a binder
    inspector = env.login("inspector")
    assert "生成迎检资料" not in inspector.get(f"/schools/{env.ids['school_a']}").text
    assert inspector.get(f"/api/jobs/{job_id}/files/迎检资料.pdf").status_code == 403
    assert inspector.post(f"/api/packages/{package_id}/binder").status_code == 403
    # another school's clerk: as if it did not exist
    other = env.login("clerk_c")
    assert other.get(f"/api/jobs/{job_id}/files/迎检资料.zip").status_code == 404
    assert other.post(f"/api/packages/{package_id}/binder").status_code == 404
    # withdrawn with the package
    r = c.post(
        f"/packages/{package_id}/withdraw",
        data={"csrf_token": c.csrf},  # type: ignore[attr-defined]
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert c.get(f"/api/jobs/{job_id}/files/迎检资料.pdf").status_code == 404
    assert c.post(f"/api/packages/{package_id}/binder").status_code == 400


def test_binder_waits_for_the_audit(env: Env) -> None:
    """A package whose audit is not done cannot be bound yet (the period is the audit's)."""
    from service.tables import Job, Package

    package_id, audit_job = _uploaded(env)
    with env.app.state.ctx.db.session() as db:
        job = db.get(Job, audit_job)
        assert job is not None and db.get(Package, package_id) is not None
        job.status = "running"
    c = env.login("clerk_a")
    r = c.post(f"/api/packages/{package_id}/binder")
    assert r.status_code == 400 and "核查还没有完成" in r.json()["detail"]
