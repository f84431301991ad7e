"""Dropout cases through the service: a clerk opens a case, records each step, generates the
documents and closes it; the inspector and the bureau see what is due by township; scope,
refusals and the change log."""

from __future__ import annotations

from typing import Any

from service_helpers import Env
from sqlalchemy import select

from conftest import pdf_text, squash
from service.tables import ChangeLog

STUDENT = {
    "name": "韦堃",
    "id_number": "450331201203150013",
    "grade": "八年级",
    "class_name": "3班",
}
GUARDIAN = {"name": "韦建国", "relation": "父亲", "phone": "13800771234"}


def _open(c: Any, env: Env, school: str = "school_a", opened: str = "2026-03-02") -> dict[str, Any]:
    r = c.post(
        f"/api/schools/{env.ids[school]}/cases",
        json={"opened": opened, "student": STUDENT, "guardian": GUARDIAN, "reason": "外出务工"},
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


def test_clerk_walks_a_liupu_case_to_its_close_with_documents(env: Env) -> None:
    c = env.login("clerk_a")
    case = _open(c, env)
    cid = case["id"]
    assert (
        case["kind"] == "疑似辍学" and case["case"]["student"]["id_number"] == STUDENT["id_number"]
    )

    r = c.post(
        f"/api/cases/{cid}/events",
        json={"kind": "report_sent", "date": "2026-03-20", "who": "学校"},
    )
    assert (
        r.status_code == 422
        and "第1步（学校多次动员、上门发放劝返通知书）尚未记录" in r.json()["detail"]
    )

    steps = [
        {
            "kind": "home_visit",
            "date": "2026-03-06",
            "who": "莫小兰",
            "outcome": "监护人称暂不送回",
        },
        {
            "kind": "notice_served",
            "date": "2026-03-13",
            "who": "学校",
            "number": "荔浦二中劝返〔2026〕第001号",
        },
    ]
    for body in steps:
        assert c.post(f"/api/cases/{cid}/events", json=body).status_code == 200
    early = c.post(
        f"/api/cases/{cid}/events",
        json={"kind": "report_sent", "date": "2026-03-19", "who": "学校"},
    )
    assert early.status_code == 422 and "最早2026年3月20日才能办理" in early.json()["detail"]
    r = c.post(
        f"/api/cases/{cid}/events",
        json={"kind": "report_sent", "date": "2026-03-20", "who": "学校"},
    )
    assert r.json()["kind"] == "辍学"

    r = c.post(f"/api/cases/{cid}/documents/3")
    assert r.status_code == 201, r.text
    pdf = c.get(f"/api/documents/{r.json()['document_id']}/pdf")
    text = squash(pdf_text(pdf.content))
    assert "荔浦二中劝返〔2026〕第001号" in text and "韦堃" in text and "修仁镇人民政府" in text

    r = c.post(
        f"/api/cases/{cid}/close", json={"how": "returned", "date": "2026-03-25", "who": "莫小兰"}
    )
    assert r.status_code == 200 and r.json()["status"] == "closed"

    with env.app.state.ctx.db.session() as db:
        actions = list(db.scalars(select(ChangeLog.action).where(ChangeLog.object_type == "case")))
    assert actions == [
        "case.open",
        "case.record",
        "case.record",
        "case.record",
        "case.document",
        "case.close",
    ]


def test_due_by_township_for_the_inspector_and_scope(env: Env) -> None:
    clerk = env.login("clerk_a")
    cid = _open(clerk, env)["id"]
    clerk_c = env.login("clerk_c")
    other = _open(clerk_c, env, "school_c")
    # the clerk of C cannot see or change A's case, nor open one for A's school
    assert clerk_c.get(f"/api/cases/{cid}").status_code == 404
    assert (
        clerk_c.post(
            f"/api/cases/{cid}/events",
            json={"kind": "home_visit", "date": "2026-03-04", "who": "x"},
        ).status_code
        == 404
    )
    assert (
        clerk_c.post(
            f"/api/schools/{env.ids['school_a']}/cases",
            json={"opened": "2026-03-02", "student": STUDENT, "guardian": GUARDIAN},
        ).status_code
        == 404
    )

    inspector = env.login("inspector")  # 挂点 修仁镇: sees A, not C
    due = inspector.get("/api/cases/due", params={"on": "2026-03-04"}).json()
    assert list(due) == ["修仁镇"]
    assert [(d["id"], d["step"], d["status"]) for d in due["修仁镇"]] == [(cid, 1, "due")]
    assert due["修仁镇"][0]["source"] == "000 § 五(一)"
    # the inspector sees but may not record; ID numbers masked for him
    assert (
        inspector.post(
            f"/api/cases/{cid}/events",
            json={"kind": "home_visit", "date": "2026-03-04", "who": "x"},
        ).status_code
        == 403
    )
    assert (
        inspector.get(f"/api/cases/{cid}").json()["case"]["student"]["id_number"]
        != STUDENT["id_number"]
    )
    assert inspector.get(f"/api/cases/{other['id']}").status_code == 404

    admin = env.login("admin")
    groups = admin.get("/api/cases/due", params={"on": "2026-03-04"}).json()
    assert sorted(groups) == ["东昌镇", "修仁镇"]
    assert list(
        admin.get("/api/cases/due", params={"on": "2026-03-04", "township": "东昌镇"}).json()
    ) == ["东昌镇"]


def test_refusals_change_nothing(env: Env) -> None:
    c = env.login("clerk_a")
    cid = _open(c, env)["id"]
    before = c.get(f"/api/cases/{cid}").json()
    for body, message in [
        ({"kind": "home_visit", "date": "2026-02-27", "who": "x"}, "早于个案的未到校起始日期"),
        ({"kind": "home_visit", "date": "2099-03-04", "who": "x"}, "不能预先记录"),
    ]:
        r = c.post(f"/api/cases/{cid}/events", json=body)
        assert r.status_code == 422 and message in r.json()["detail"]
    r = c.post(
        f"/api/cases/{cid}/close", json={"how": "transferred", "date": "2026-03-05", "who": "x"}
    )
    assert r.status_code == 422 and "转入学校" in r.json()["detail"]
    assert c.get(f"/api/cases/{cid}").json() == before
    wrong = c.post(
        f"/api/schools/{env.ids['school_a']}/cases",
        json={
            "opened": "2026-03-02",
            "student": {**STUDENT, "name": "另一人", "id_number": None},
            "guardian": GUARDIAN,
            "school": {"name": "修仁镇中心小学"},
        },
    )
    assert wrong.status_code == 422 and "不是荔浦市第二初级中学的学生" in wrong.json()["detail"]
    assert len(c.get("/api/cases").json()) == 1


def test_case_pages_open_record_generate_close(env: Env) -> None:
    c = env.login("clerk_a")
    page = c.get("/cases")
    assert page.status_code == 200 and "开案" in page.text
    r = c.post(
        "/cases",
        data={
            "csrf_token": c.csrf,  # type: ignore[attr-defined]
            "school_id": str(env.ids["school_a"]),
            "opened": "2026-03-02",
            "student.name": "韦堃",
            "student.id_number": STUDENT["id_number"],
            "guardian.name": "韦建国",
        },
    )
    assert r.status_code == 303, r.text
    url = r.headers["location"].split("?")[0]
    detail = c.get(url).text
    assert "韦堃" in detail and "450331********0013" in detail and "多次动员" in detail
    token = {"csrf_token": c.csrf}  # type: ignore[attr-defined]
    bad = c.post(
        f"{url}/events",
        data={**token, "kind": "notice_served", "date": "2026-03-05", "who": "学校"},
    )
    assert bad.status_code == 422 and "尚未记录" in bad.text
    ok = c.post(
        f"{url}/events", data={**token, "kind": "home_visit", "date": "2026-03-05", "who": "莫小兰"}
    )
    assert ok.status_code == 303
    gen = c.post(f"{url}/documents/1", data=token)
    assert gen.status_code == 303
    detail = c.get(url).text
    assert "/api/documents/" in detail and "已记录" in detail
    closed = c.post(
        f"{url}/close", data={**token, "how": "returned", "date": "2026-03-06", "who": "莫小兰"}
    )
    assert closed.status_code == 303
    assert "已销号（复学）" in c.get(url).text
    inspector = env.login("inspector")
    assert "韦堃" in inspector.get("/cases").text
    assert "开案（学生无故未到校）" not in inspector.get("/cases").text


def test_monthly_report_download(env: Env) -> None:
    from io import BytesIO

    from openpyxl import load_workbook

    c = env.login("clerk_a")
    _open(c, env)
    url = f"/api/schools/{env.ids['school_a']}/cases/report"
    march = c.get(url, params={"month": "2026-03"})
    assert march.status_code == 200 and march.headers["content-type"] == "application/pdf"
    text = squash(pdf_text(march.content))
    assert "控辍保学工作月报表" in text and "韦堃" in text and "本月新增未到校个案1人" in text
    april = squash(pdf_text(c.get(url, params={"month": "2026-02"}).content))
    assert "本月本校无未按时返校、辍学学生。" in april
    xlsx = c.get(url, params={"month": "2026-03", "fmt": "xlsx"})
    values = [
        v.value for row in load_workbook(BytesIO(xlsx.content)).active.iter_rows() for v in row
    ]
    assert "韦堃" in values
    assert c.get(url, params={"month": "2026-13"}).status_code == 422
    other = f"/api/schools/{env.ids['school_c']}/cases/report"
    assert c.get(other, params={"month": "2026-03"}).status_code == 404
    assert "下载荔浦市第二初级中学月报" in c.get("/cases").text


def test_cases_page_lists_the_monthly_report_near_month_end(env: Env) -> None:
    """The school's 月报 (Liupu: 000 § 五(一)) is listed from 5 days before the month's end."""
    c = env.login("clerk_a")
    near = c.get("/cases", params={"on": "2026-03-28"}).text
    assert "每月报送" in near and "学校每月报市教育局和乡镇人民政府：控辍保学工作月报表" in near
    assert "应于2026年3月31日前报送" in near and "000 § 五(一)" in near
    assert "每月报送" not in c.get("/cases", params={"on": "2026-03-10"}).text


def test_site_holidays_move_a_school_day_step(env: Env) -> None:
    """Jiaotan counts school days: a holiday in the data directory's holidays.txt moves the
    home visit due on the 3rd school day of absence (Wed 4 March → Thu 5 March)."""
    from service.ops import directory
    from service.tables import User

    with env.app.state.ctx.db.session() as db:
        admin = db.scalars(select(User).where(User.username == "admin")).one()
        school = directory.save_school(db, admin, "浮梁县蛟潭第二中学", "蛟潭镇", "jiaotan-2025")
        db.commit()
        school_id = school.id
    c = env.login("admin")
    r = c.post(
        f"/api/schools/{school_id}/cases",
        json={"opened": "2026-03-02", "student": STUDENT, "guardian": GUARDIAN},
    )
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    r = c.post(
        f"/api/cases/{cid}/events",
        json={"kind": "phone_call", "date": "2026-03-02", "who": "班主任"},
    )
    assert r.status_code in (200, 201), r.text

    def steps(on: str) -> list[int]:
        due = c.get("/api/cases/due", params={"on": on, "township": "蛟潭镇"}).json()
        return [d["step"] for d in due.get("蛟潭镇", [])]

    assert steps("2026-03-04") == [2]
    (env.config.data_dir / "holidays.txt").write_text(
        "# 本校校历\n2026-03-03  # 调休\n不是日期\n", encoding="utf-8"
    )
    assert steps("2026-03-04") == []
    assert steps("2026-03-05") == [2]
