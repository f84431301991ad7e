"""Batch printing and audits through the service, on the real library (forms.batch, audit.run)."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from fixtures.packages.build import PERIOD, package_path
from fixtures.packages.zips import make_zip
from fixtures.rosters import bad_rows_xlsx
from pypdf import PdfReader
from service_helpers import Env
from sqlalchemy import select

from conftest import docx_text
from service.tables import ChangeLog, Finding, Student


def wait(client: TestClient, job_id: int, timeout: float = 240) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/api/jobs/{job_id}").json()
        if job["status"] in ("done", "failed"):
            return dict(job)
        time.sleep(0.3)
    raise AssertionError(f"job {job_id} did not finish")


def zipped(name: str) -> bytes:
    root = package_path(name)
    if root.is_file():
        return root.read_bytes()
    files = [
        (str(p.relative_to(root)), p.read_bytes()) for p in sorted(root.rglob("*")) if p.is_file()
    ]
    return make_zip(files)


PERIOD_TEXT = f"{PERIOD[0].isoformat()}..{PERIOD[1].isoformat()}"


@pytest.fixture(scope="module")
def gaps_zip() -> bytes:
    return zipped("gaps")


def test_roster_batch_prints_good_rows_and_lists_bad_ones(env: Env, tmp_path: Path) -> None:
    expected = bad_rows_xlsx(tmp_path / "花名册.xlsx")
    c = env.login("clerk_a")
    r = c.post(
        f"/api/schools/{env.ids['school_a']}/rosters",
        files={"file": ("花名册.xlsx", (tmp_path / "花名册.xlsx").read_bytes())},
        data={"form_id": "return_notice", "start_number": "5", "duplex": "true"},
    )
    assert r.status_code == 202, r.text
    job = wait(c, r.json()["id"])
    assert job["status"] == "done", job
    result = job["result"]
    good, bad = len(expected["good"]), len(expected["bad"])
    assert result["printed"] == good and result["failed"] == bad
    assert {e["row"] for e in result["errors"]} == set(expected["bad"])
    assert set(result["files"]) == {"打印.pdf", "花名册-return_notice.zip", "errors.csv"}
    pdf = c.get(f"/api/jobs/{job['id']}/files/打印.pdf")
    pages = len(PdfReader(io.BytesIO(pdf.content)).pages)
    assert pages >= good and pages % 2 == 0  # duplex: every document starts on an odd page
    bundle = zipfile.ZipFile(
        io.BytesIO(c.get(f"/api/jobs/{job['id']}/files/花名册-return_notice.zip").content)
    )
    assert len(bundle.namelist()) == good
    page = c.get(f"/jobs/{job['id']}").text
    assert "未能生成的行" in page and "下载 打印.pdf" in page
    assert (job["done"], job["total"]) == (job["total"], good + bad) or job["done"] == job["total"]


def test_broken_roster_fails_the_job_with_the_reason(env: Env) -> None:
    c = env.login("clerk_a")
    data = b"\xd0\xd5\xc3\xfb,\xd0\xd4\xb1\xf0\n"  # a GBK CSV with a header and no rows
    r = c.post(
        f"/api/schools/{env.ids['school_a']}/rosters",
        files={"file": ("名单.csv", data)},
        data={"form_id": "return_notice"},
    )
    job = wait(c, r.json()["id"])
    assert job["status"] == "failed" and job["error"].startswith("花名册无法批量打印：")
    assert c.get(f"/api/schools/{env.ids['school_a']}").status_code == 200  # nothing else lost


def test_package_audit_review_and_exports(env: Env, gaps_zip: bytes) -> None:
    clerk = env.login("clerk_a")
    r = clerk.post(
        f"/api/schools/{env.ids['school_a']}/packages",
        files={"file": ("迎检材料.zip", gaps_zip)},
        data={"period": PERIOD_TEXT},
    )
    assert r.status_code == 202, r.text
    job = wait(clerk, r.json()["job"]["id"])
    assert job["status"] == "done", job
    audit_id = job["result"]["audit_id"]
    report = clerk.get(f"/api/audits/{audit_id}").json()
    failing = next(i for i in report["items"] if "." in i["id"] and i["automatic"] == "fail")
    assert report["findings"], "the gaps package has findings"
    # the clerk reads her self-audit but cannot override it
    assert (
        clerk.put(
            f"/api/audits/{audit_id}/items/{failing['id']}", json={"status": "pass", "note": "x"}
        ).status_code
        == 403
    )
    inspector = env.login("inspector")
    r = inspector.put(f"/api/audits/{audit_id}/items/{failing['id']}", json={"status": "pass"})
    assert r.status_code == 400 and "理由" in r.json()["detail"]
    r = inspector.put(
        f"/api/audits/{audit_id}/items/{failing['id']}",
        json={"status": "partial", "note": "现场补看了纸质台账"},
    )
    assert r.status_code == 200
    inspector.post(
        f"/api/audits/{audit_id}/observations",
        json={"kind": "roll_call_headcount", "value": "312", "note": "八年级3班缺1人"},
    )
    after = inspector.get(f"/api/audits/{audit_id}").json()
    item = next(i for i in after["items"] if i["id"] == failing["id"])
    assert (item["automatic"], item["final"], item["reviewer"]) == ("fail", "partial", "唐承刚")
    docx = inspector.get(f"/api/audits/{audit_id}/export/docx")
    text = docx_text(docx.content)
    assert "督导项目" in text and "现场补看了纸质台账" in text and "点名实到人数 312" in text
    assert inspector.get(f"/api/audits/{audit_id}/export/xlsx").content[:2] == b"PK"
    assert inspector.get(f"/api/audits/{audit_id}/export/pdf").content[:4] == b"%PDF"
    with env.app.state.ctx.db.session() as db:
        log = db.scalar(select(ChangeLog).where(ChangeLog.action == "verdict.set"))
        assert log is not None and log.user_id == env.ids["inspector"]
        assert log.detail["automatic"] == "fail" and log.detail["after"] == "partial"


def test_finding_moves_open_remediating_closed(env: Env, gaps_zip: bytes) -> None:
    clerk = env.login("clerk_a")
    r = clerk.post(
        f"/api/schools/{env.ids['school_a']}/packages",
        files={"file": ("迎检材料.zip", gaps_zip)},
        data={"period": PERIOD_TEXT},
    )
    wait(clerk, r.json()["job"]["id"])
    with env.app.state.ctx.db.session() as db:
        finding_id = db.scalars(select(Finding.id)).first()
    assert finding_id is not None
    assert (
        clerk.patch(f"/api/findings/{finding_id}", json={"status": "remediating"}).status_code
        == 400
    )
    r = clerk.post(
        f"/api/findings/{finding_id}/evidence",
        files={"file": ("整改照片.jpg", b"\xff\xd8\xff photo")},
        data={"note": "补开会议"},
    )
    assert r.status_code == 201
    assert (
        clerk.patch(f"/api/findings/{finding_id}", json={"status": "remediating"}).json()["status"]
        == "remediating"
    )
    assert clerk.patch(f"/api/findings/{finding_id}", json={"status": "closed"}).status_code == 403
    inspector = env.login("inspector")
    assert (
        inspector.patch(
            f"/api/findings/{finding_id}", json={"status": "closed", "note": "已核实"}
        ).json()["status"]
        == "closed"
    )
    other = env.login("clerk_c")
    assert other.get(f"/api/findings/{finding_id}").status_code == 404
    assert other.patch(f"/api/findings/{finding_id}", json={"status": "open"}).status_code == 404


def test_a_package_the_audit_rejects_fails_with_a_chinese_reason(env: Env) -> None:
    c = env.login("clerk_a")
    evil = package_path("traversal").read_bytes()
    r = c.post(
        f"/api/schools/{env.ids['school_a']}/packages",
        files={"file": ("坏包.zip", evil)},
        data={"period": PERIOD_TEXT},
    )
    job = wait(c, r.json()["job"]["id"])
    assert job["status"] in ("failed", "done")
    if job["status"] == "failed":
        assert job["error"].startswith("证据包无法核查：")
    bad_period = c.post(
        f"/api/schools/{env.ids['school_a']}/packages",
        files={"file": ("a.zip", evil)},
        data={"period": "2026-07-01..2025-09-01"},
    )
    assert bad_period.status_code == 400 and "早于" in bad_period.json()["detail"]


def test_overview_puts_schools_with_open_critical_findings_first(env: Env, gaps_zip: bytes) -> None:
    clerk = env.login("clerk_a")
    r = clerk.post(
        f"/api/schools/{env.ids['school_a']}/packages",
        files={"file": ("迎检材料.zip", gaps_zip)},
        data={"period": PERIOD_TEXT},
    )
    wait(clerk, r.json()["job"]["id"])
    admin = env.login("admin")
    ov = admin.get("/api/admin/overview").json()
    assert ov["rows"][0]["school"]["id"] == env.ids["school_a"]
    assert ov["rows"][0]["open_critical"] > 0 or ov["rows"][0]["open_findings"] > 0
    assert len(ov["columns"]) >= 10 and ov["totals"]
    assert {r["school"]["id"] for r in ov["rows"]} == {
        env.ids["school_a"],
        env.ids["school_b"],
        env.ids["school_c"],
    }
    html = admin.get("/admin/overview").text
    assert "荔浦市第二初级中学" in html and "s-fail" in html


def test_school_page_counts_all_open_findings_but_lists_the_newest_100(
    env: Env, gaps_zip: bytes
) -> None:
    """Regression: the page loaded every audit report and every finding, so it slowed with
    each upload (benchmarks/service_load.py); it now lists a bounded, newest-first slice."""
    clerk = env.login("clerk_a")
    r = clerk.post(
        f"/api/schools/{env.ids['school_a']}/packages",
        files={"file": ("迎检材料.zip", gaps_zip)},
        data={"period": PERIOD_TEXT},
    )
    assert wait(clerk, r.json()["job"]["id"])["status"] == "done"
    with env.app.state.ctx.db.session() as db:
        template = db.scalar(select(Finding).where(Finding.school_id == env.ids["school_a"]))
        assert template is not None
        for n in range(120):
            db.add(
                Finding(
                    audit_id=template.audit_id,
                    school_id=template.school_id,
                    key=f"extra-{n}",
                    item_id="1.2",
                    severity="minor",
                    message=f"补充问题{n:03d}",
                )
            )
        db.commit()
        total = len(
            db.scalars(
                select(Finding).where(
                    Finding.school_id == env.ids["school_a"], Finding.status != "closed"
                )
            ).all()
        )
    page = clerk.get(f"/schools/{env.ids['school_a']}").text
    assert f"待整改问题（{total}）" in page
    assert "下面列出最新的 100 条" in page
    assert "补充问题119" in page  # newest first
    assert "补充问题000" not in page


def test_school_page_lists_100_students_and_finds_the_rest_by_name_or_class(env: Env) -> None:
    """A school after a 1,000-row batch: the page stays small; search reaches every student."""
    with env.app.state.ctx.db.session() as db:
        for n in range(1000):
            db.add(
                Student(
                    school_id=env.ids["school_a"],
                    name=f"学生{n:04d}",
                    grade=f"{7 + n % 3}年级",
                    class_name=f"{n % 10 + 1}班",
                )
            )
        db.add(Student(school_id=env.ids["school_c"], name="学生0999乙"))  # another school
    clerk = env.login("clerk_a")
    school = f"/schools/{env.ids['school_a']}"
    page = clerk.get(school).text
    assert "学生（1000）" in page and "下面列出前 100 名" in page
    assert page.count('data-label="姓名"') == 100
    found = clerk.get(school, params={"q": "学生0999"}).text
    assert "学生（“学生0999”：1）" in found and "学生0999</td>" in found
    assert "学生0999乙" not in found  # scoped to the school
    by_class = clerk.get(school, params={"q": "9年级3班"}).text
    assert by_class.count('data-label="姓名"') == 34  # n % 3 == 2 and n % 10 == 2
    nothing = clerk.get(school, params={"q": "<b>"}).text
    assert "没有找到“&lt;b&gt;”" in nothing and "<b>" not in nothing  # escaped
