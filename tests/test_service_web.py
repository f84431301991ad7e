"""The web does what the CLI does (issue 23 § 3): batch printing with the issue date, the
number pattern and a defaults file, numbers never reused across a school's batches; forms that
fail keep what was typed with each error beside its field; API docs served by the project; a
favicon; imports redirect; saved changes say so; a failed job reads 失败."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from fixtures.rosters import bad_rows_xlsx
from service_helpers import Env
from sqlalchemy import select
from test_service_flows import wait

from conftest import pdf_text, squash
from service.jobs import fail_job
from service.tables import Job, NumberCounter

PATTERN = "荔浦二中劝返〔2026〕第{n:03d}号"


@pytest.fixture
def roster(tmp_path: Path) -> tuple[bytes, int]:
    """The bad-rows roster: (bytes, number of data rows — each row reserves a number)."""
    expected = bad_rows_xlsx(tmp_path / "花名册.xlsx")
    return (tmp_path / "花名册.xlsx").read_bytes(), len(expected["good"]) + len(expected["bad"])


def _merged_text(client: Any, job: dict[str, Any]) -> str:
    pdf = client.get(f"/api/jobs/{job['id']}/files/打印.pdf")
    assert pdf.status_code == 200
    return squash(pdf_text(pdf.content))


def test_web_batch_prints_with_date_pattern_and_defaults_and_never_reuses_a_number(
    env: Env, roster: tuple[bytes, int]
) -> None:
    data, rows = roster
    c = env.login("clerk_a")
    school = env.ids["school_a"]
    # the page's form, as a clerk fills it
    r = c.post(
        f"/schools/{school}/rosters",
        files={"file": ("花名册.xlsx", data)},
        data={
            "csrf_token": c.csrf,  # type: ignore[attr-defined]
            "form_id": "return_notice",
            "issue_date": "2026年3月13日",
            "number_pattern": PATTERN,
            "start_number": "",
        },
    )
    assert r.status_code == 303, r.text
    first = wait(c, int(r.headers["location"].rsplit("/", 1)[1]))
    assert first["status"] == "done", first
    text = _merged_text(c, first)
    assert "荔浦二中劝返〔2026〕第001号" in text and "2026年3月13日" in text
    assert f"第{rows:03d}号" in first["result"]["summary"]

    # the API with a defaults file (as `baoxue batch --defaults`): the date and the pattern
    # come from the file; the numbers go on where the first batch stopped
    defaults = yaml.safe_dump(
        {"number_pattern": PATTERN, "issue_date": "2026-04-01"}, allow_unicode=True
    ).encode()
    r = c.post(
        f"/api/schools/{school}/rosters",
        files={"file": ("花名册.xlsx", data), "defaults": ("劝返默认值.yaml", defaults)},
        data={"form_id": "return_notice"},
    )
    assert r.status_code == 202, r.text
    second = wait(c, r.json()["id"])
    assert second["status"] == "done", second
    text = _merged_text(c, second)
    assert f"荔浦二中劝返〔2026〕第{rows + 1:03d}号" in text and "2026年4月1日" in text
    assert "第001号" not in text
    with env.app.state.ctx.db.session() as db:
        counter = db.scalars(select(NumberCounter)).one()
        assert (counter.school_id, counter.year, counter.pattern) == (school, 2026, PATTERN)
        assert counter.next_number == 2 * rows + 1

    # a start that would print a number twice is refused beside its field
    r = c.post(
        f"/api/schools/{school}/rosters",
        files={"file": ("花名册.xlsx", data)},
        data={"form_id": "return_notice", "number_pattern": PATTERN, "start_number": "5"},
    )
    assert r.status_code == 400
    assert f"至少应为{2 * rows + 1}" in r.json()["fields"]["start_number"]
    # a start past the counter is honoured, and the counter follows it
    r = c.post(
        f"/api/schools/{school}/rosters",
        files={"file": ("花名册.xlsx", data)},
        data={"form_id": "return_notice", "number_pattern": PATTERN, "start_number": "100"},
    )
    assert r.status_code == 202
    third = wait(c, r.json()["id"])
    assert "荔浦二中劝返〔2026〕第100号" in _merged_text(c, third)
    # another school's numbers are its own
    other = env.login("clerk_c")
    r = other.post(
        f"/api/schools/{env.ids['school_c']}/rosters",
        files={"file": ("花名册.xlsx", data)},
        data={"form_id": "return_notice", "number_pattern": PATTERN},
    )
    assert r.status_code == 202, r.text
    assert "第001号" in _merged_text(other, wait(other, r.json()["id"]))


def test_batch_form_keeps_what_was_typed_and_shows_each_error_beside_its_field(
    env: Env, roster: tuple[bytes, int]
) -> None:
    c = env.login("clerk_a")
    school = env.ids["school_a"]
    r = c.post(
        f"/schools/{school}/rosters",
        files={"file": ("花名册.xlsx", roster[0]), "defaults": ("默认值.txt", b"x: 1")},
        data={
            "csrf_token": c.csrf,  # type: ignore[attr-defined]
            "form_id": "return_notice",
            "issue_date": "2026-02-30",
            "number_pattern": "劝返第{x}号",
            "start_number": "第一",
            "duplex": "1",
        },
    )
    assert r.status_code == 400
    page = r.text
    for field, typed in (
        ("issue_date", "2026-02-30"),
        ("number_pattern", "劝返第{x}号"),
        ("start_number", "第一"),
    ):
        error = re.search(rf'<span class="field-error" id="err-batch-{field}">([^<]+)</span>', page)
        assert error, field
        assert f'value="{typed}"' in page
        assert f'aria-describedby="err-batch-{field}"' in page
    assert "YAML" in re.search(r'id="err-batch-defaults">([^<]+)<', page).group(1)  # type: ignore[union-attr]
    assert 'name="duplex" value="1" checked' in page
    with env.app.state.ctx.db.session() as db:
        assert db.scalars(select(Job)).first() is None
    # a defaults file that names no field of the form: the reason, beside it
    r = c.post(
        f"/schools/{school}/rosters",
        files={
            "file": ("花名册.xlsx", roster[0]),
            "defaults": ("默认值.yaml", "不存在的字段: 1".encode()),
        },
        data={"csrf_token": c.csrf, "form_id": "return_notice"},  # type: ignore[attr-defined]
    )
    assert r.status_code == 400
    assert "“不存在的字段”不是《" in r.text and "默认值.yaml" in r.text


def test_case_forms_keep_what_was_typed(env: Env) -> None:
    c = env.login("clerk_a")
    token = {"csrf_token": c.csrf}  # type: ignore[attr-defined]
    bad_id = "450331201203150014"
    r = c.post(
        "/cases",
        data={
            **token,
            "school_id": str(env.ids["school_a"]),
            "opened": "2026-03-02",
            "student.name": "韦堃",
            "student.id_number": bad_id,
            "student.grade": "八年级",
            "guardian.name": "韦建国",
            "guardian.phone": "13800771234",
            "reason": "外出务工",
        },
    )
    assert r.status_code == 422, r.text
    assert re.search(r'id="err-c-id">[^<]*校验码错误', r.text)
    for typed in ("韦堃", "八年级", "韦建国", "13800771234", "外出务工", "2026-03-02"):
        assert f'value="{typed}"' in r.text, typed
    r = c.post(
        "/cases",
        data={
            **token,
            "school_id": str(env.ids["school_a"]),
            "opened": "2026-03-02",
            "student.name": "韦堃",
            "guardian.name": "韦建国",
        },
    )
    assert r.status_code == 303
    case_url = r.headers["location"]
    assert "已开案：韦堃" in c.get(case_url).text  # said once, after the redirect
    assert "已开案" not in c.get(case_url).text
    r = c.post(
        f"{case_url}/events",
        data={**token, "kind": "home_visit", "date": "2026-02-30", "who": "莫小兰", "note": "家访"},
    )
    assert r.status_code == 422
    assert re.search(r'id="err-e-date">', r.text)
    assert (
        'value="莫小兰"' in r.text and 'value="家访"' in r.text and 'value="2026-02-30"' in r.text
    )
    assert '<option value="home_visit" selected>' in r.text
    r = c.post(f"{case_url}/close", data={**token, "how": "transferred", "date": "", "who": "x"})
    assert r.status_code == 422 and '<option value="transferred" selected>' in r.text


def test_a_bad_month_is_explained_on_the_page_not_in_raw_json(env: Env) -> None:
    c = env.login("clerk_a")
    page = c.get("/cases").text
    school = env.ids["school_a"]
    assert f'action="/schools/{school}/cases/report"' in page  # the form posts to a page
    r = c.get(f"/schools/{school}/cases/report", params={"month": "2026-13", "fmt": "pdf"})
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")
    assert re.search(rf'id="err-m-{school}">[^<]+<', r.text) and 'value="2026-13"' in r.text
    ok = c.get(f"/schools/{school}/cases/report", params={"month": "2026-03", "fmt": "pdf"})
    assert ok.status_code == 200 and ok.headers["content-type"] == "application/pdf"
    bad_day = c.get("/cases", params={"on": "三月"})
    assert bad_day.status_code == 422 and 'value="三月"' in bad_day.text


def test_api_docs_are_served_by_the_project_not_a_cdn(env: Env) -> None:
    c = env.client()
    assert c.get("/docs").headers["location"] == "/api/docs"
    for path, asset in (("/api/docs", "swagger-ui-bundle.js"), ("/api/redoc", "redoc.standalone")):
        r = c.get(path)
        assert r.status_code == 200
        sources = re.findall(r'(?:src|href)="([^"]+)"', r.text)
        assert sources and all(s.startswith("/") for s in sources), sources
        assert any(asset in s for s in sources)
        for source in sources:
            got = c.get(source)
            assert got.status_code == 200 and len(got.content) > 100, source
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "http" not in csp
    assert "/api/me" in c.get("/api/openapi.json").text
    icon = c.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/x-icon"
    assert icon.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert '<link rel="icon" href="/favicon.ico"' in c.get("/login").text


def test_saved_changes_say_so_once(env: Env) -> None:
    admin = env.login("admin")
    token = {"csrf_token": admin.csrf}  # type: ignore[attr-defined]
    clerk_id = env.ids["clerk_a"]
    r = admin.post(
        f"/admin/users/{clerk_id}", data={**token, "display_name": "韦老师", "active": "1"}
    )
    assert r.status_code == 303
    shown = admin.get(r.headers["location"]).text
    assert "已保存用户“clerk_a”" in shown and 'role="status"' in shown
    assert "已保存用户" not in admin.get(r.headers["location"]).text  # a refresh: not again
    r = admin.post("/admin/townships", data={**token, "name": "新坪镇"})
    assert r.status_code == 303 and "已添加乡镇“新坪镇”" in admin.get(r.headers["location"]).text


def test_an_import_redirects_so_a_refresh_does_not_import_again(env: Env) -> None:
    from test_service_admin import _xlsx

    admin = env.login("admin")
    data = _xlsx([("学校名称", "所在乡镇"), ("马岭镇中学", "马岭镇")])
    r = admin.post(
        "/admin/import/schools",
        files={"file": ("学校.xlsx", data)},
        data={"csrf_token": admin.csrf},  # type: ignore[attr-defined]
    )
    assert r.status_code == 303
    for _ in range(2):  # the page after the redirect, and a refresh of it
        page = admin.get(r.headers["location"])
        assert page.status_code == 200 and "导入完成：新建学校 1" in page.text
    assert [s["name"] for s in admin.get("/api/schools").json()].count("马岭镇中学") == 1


def test_a_failed_job_reads_failed_not_queued(env: Env) -> None:
    c = env.login("clerk_a")
    with env.app.state.ctx.db.session() as db:
        job = Job(
            kind="batch",
            school_id=env.ids["school_a"],
            params={"filename": "花名册.xlsx"},
            message="排队中",
        )
        db.add(job)
        db.flush()
        fail_job(db, job.id, "花名册无法批量打印：表头下没有数据行")
        job_id = job.id
    page = c.get(f"/jobs/{job_id}").text
    status = re.search(r'id="job-status"[^>]*>([^<]+)<', page)
    assert status and status.group(1) == "失败"
    assert "排队中" not in page and "0/?" not in page and "表头下没有数据行" in page


def test_the_bureaus_viewing_copies_take_no_number(env: Env, roster: tuple[bytes, int]) -> None:
    """The bureau may not see full 身份证号: its batch prints viewing copies, which are not
    issued documents and so reserve no number; the clerk's batch still starts at 001."""
    data, _ = roster
    school = env.ids["school_a"]
    admin, clerk = env.login("admin"), env.login("clerk_a")
    form = {"form_id": "return_notice", "number_pattern": PATTERN}
    r = admin.post(
        f"/api/schools/{school}/rosters", files={"file": ("花名册.xlsx", data)}, data=form
    )
    copies = wait(admin, r.json()["id"])
    assert copies["status"] == "done" and copies["viewing_copy"] is True
    text = _merged_text(admin, copies)
    assert "仅供查看（身份证号已隐去）" in text and "第001号" in text
    with env.app.state.ctx.db.session() as db:
        assert db.scalars(select(NumberCounter)).first() is None
    r = clerk.post(
        f"/api/schools/{school}/rosters", files={"file": ("花名册.xlsx", data)}, data=form
    )
    text = _merged_text(clerk, wait(clerk, r.json()["id"]))
    assert "荔浦二中劝返〔2026〕第001号" in text and "仅供查看" not in text
