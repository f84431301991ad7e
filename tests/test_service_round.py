"""The supervision round in the service: the bureau plans it (inspectors from the 挂点 table),
the inspector records a visit on an audited package, 整改意见 with deadlines, the school's
evidence, acceptance, 回访; the 督导报告 and 通报; the rates; scopes and the change log."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from docx import Document
from service_helpers import Env, make_env
from sqlalchemy import select
from test_service_flows import PERIOD_TEXT, wait, zipped

from conftest import pdf_text
from service.tables import ChangeLog

START, END = date(2026, 3, 2), date(2026, 6, 30)
ROSTER = (
    "姓名,出生日期,学校名称,所在乡镇,入学状态,残疾类别\n"
    "李小明,2012-05-01,荔浦市第二初级中学,修仁镇,在校,\n"
    "王小华,2012-06-01,荔浦市第二初级中学,修仁镇,在校,\n"
    "张小芳,2012-07-01,荔浦市第二初级中学,修仁镇,在校,\n"
    "韦堃,2012-03-15,荔浦市第二初级中学,修仁镇,辍学,\n"
    "陈小丽,2017-01-01,修仁镇中心小学,修仁镇,在校,\n"
    "吴小磊,2011-05-01,东昌镇初级中学,东昌镇,未入学,\n"
)


@pytest.fixture
def planned(env: Env) -> dict[str, int]:
    admin = env.login("admin")
    r = admin.post(
        "/api/rounds",
        json={
            "name": "2026年春季学期控辍保学专项督导",
            "start": START.isoformat(),
            "end": END.isoformat(),
            "cadences": ["office_term", "leader_monthly"],
            "number": "荔教保督〔2026〕1号",
        },
    )
    assert r.status_code == 201, r.text
    body = r.json()
    office = {v["school"]["name"]: v for v in body["visits"] if v["cadence"] == "office_term"}
    return {
        "round": body["id"],
        "visit_a": office["荔浦市第二初级中学"]["id"],
        "visit_c": office["东昌镇初级中学"]["id"],
        "visits": len(body["visits"]),
    }


def test_the_plan_takes_the_inspector_from_the_assignment_table(
    env: Env, planned: dict[str, int]
) -> None:
    admin = env.login("admin")
    body = admin.get(f"/api/rounds/{planned['round']}").json()
    office = [v for v in body["visits"] if v["cadence"] == "office_term"]
    leader = [v for v in body["visits"] if v["cadence"] == "leader_monthly"]
    assert len(office) == 3  # one a school in the spring term
    assert len(leader) == 3 * 4  # March … June, each school
    by_school = {v["school"]["name"]: v["inspector"] for v in office}
    # 唐承刚 is the 修仁镇 责任督学 (the seed's service_helpers assignment); 东昌镇 has none
    assert by_school == {
        "荔浦市第二初级中学": "唐承刚",
        "修仁镇中心小学": "唐承刚",
        "东昌镇初级中学": None,
    }
    # the inspector sees his township's visits only; the clerk her school's
    inspector = env.login("inspector")
    seen = inspector.get(f"/api/rounds/{planned['round']}").json()["visits"]
    assert {v["school"]["name"] for v in seen} == {"荔浦市第二初级中学", "修仁镇中心小学"}
    clerk = env.login("clerk_c")
    seen = clerk.get(f"/api/rounds/{planned['round']}").json()["visits"]
    assert {v["school"]["name"] for v in seen} == {"东昌镇初级中学"}
    assert clerk.get(f"/api/visits/{planned['visit_a']}").status_code == 404
    # only the bureau plans
    r = inspector.post(
        "/api/rounds", json={"name": "x", "start": "2026-03-01", "end": "2026-03-31"}
    )
    assert r.status_code == 403
    # the bureau moves a visit or gives it another inspector — one with a 挂点 on the township
    admin = env.login("admin")
    r = admin.patch(
        f"/api/visits/{planned['visit_c']}", json={"inspector_id": env.ids["inspector"]}
    )
    assert r.status_code == 400 and "没有挂点该校所在乡镇" in r.json()["detail"]
    r = admin.patch(
        f"/api/visits/{planned['visit_a']}",
        json={"planned_on": "2026-03-20", "inspector_id": env.ids["inspector"]},
    )
    assert r.status_code == 200 and r.json()["planned_on"] == "2026-03-20"
    assert clerk.patch(f"/api/visits/{planned['visit_c']}", json={}).status_code == 403
    log = admin.get("/api/admin/log").json()
    assert {"round.create", "visit.reschedule"} <= {e["action"] for e in log}


def test_a_visit_from_audit_to_rectification_closed(env: Env, planned: dict[str, int]) -> None:
    clerk = env.login("clerk_a")
    r = clerk.post(
        f"/api/schools/{env.ids['school_a']}/packages",
        files={"file": ("迎检材料.zip", zipped("gaps"))},
        data={"period": PERIOD_TEXT},
    )
    job = wait(clerk, r.json()["job"]["id"])
    assert job["status"] == "done", job
    audit_id = job["result"]["audit_id"]
    inspector = env.login("inspector")
    # her verdict on 1.2 (a critical 2.1 stays): then the visit
    assert (
        inspector.put(
            f"/api/audits/{audit_id}/items/1.2", json={"status": "pass", "note": "现场见到方案"}
        ).status_code
        == 200
    )
    visit_id = planned["visit_a"]
    # the school cannot record the visit
    assert (
        clerk.put(f"/api/visits/{visit_id}", json={"visited_on": "2026-03-10"}).status_code == 403
    )
    r = inspector.put(
        f"/api/visits/{visit_id}",
        json={
            "visited_on": "2026-03-10",
            "audit": audit_id,
            "notes": {"2": "进班点名，实到38人。"},
            "observations": ["学生韦堃（450331201203150013）当天未到校"],
            "summary": "学校重视控辍保学工作。",
        },
    )
    assert r.status_code == 200, r.text
    visit = r.json()
    assert visit["status"] == "done"
    rects = {x["item"]: x for x in visit["rectifications"]}
    assert "1.2" not in rects  # passed on review: nothing to rectify
    assert "2.1" in rects and rects["2.1"]["deadline"] == "2026-03-25"  # critical: 15 days
    assert all(x["status"] == "open" for x in rects.values())
    rect_id = rects["2.1"]["id"]
    # the inspector cannot accept without evidence
    r = inspector.post(f"/api/rectifications/{rect_id}/accept", json={"note": ""})
    assert r.status_code == 400 and "还没有上传整改材料" in r.json()["detail"]
    # a 回访 is not due before the deadline has passed
    r = inspector.post(f"/api/rectifications/{rect_id}/revisit?on=2026-03-20")
    assert r.status_code == 400
    # the school uploads its evidence; the other school's clerk cannot see it
    assert env.login("clerk_c").get(f"/api/rectifications/{rect_id}").status_code == 404
    r = clerk.post(
        f"/api/rectifications/{rect_id}/evidence",
        files={"file": ("学籍核对表-450331201203150013.pdf", b"%PDF-1.4 evidence")},
        data={"note": "已逐一核实"},
    )
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "submitted"
    assert r.json()["evidence"][0]["file"] == "学籍核对表-450331201203150013.pdf"
    assert clerk.post(f"/api/rectifications/{rect_id}/accept", json={}).status_code == 403
    r = inspector.post(f"/api/rectifications/{rect_id}/accept", json={"note": "材料齐全"})
    assert r.status_code == 200 and r.json()["status"] == "closed"
    # an overdue one: the round lists it as due for a 回访; the inspector plans it
    other = next(x for x in rects.values() if x["id"] != rect_id)
    later = date.fromisoformat(other["deadline"]) + timedelta(days=1)
    due = inspector.get(f"/api/rounds/{planned['round']}?on={later}").json()["revisits_due"]
    assert other["id"] in {d["rectification"] for d in due} and rect_id not in {
        d["rectification"] for d in due
    }
    if date.today() >= later:  # the list across rounds on /rounds counts from today
        page = inspector.get("/rounds").text
        assert "应回访（整改期限已过" in page and f"#rect-{other['id']}" in page
        assert f"#rect-{rect_id}" not in page  # accepted: nothing to follow up
    r = inspector.post(f"/api/rectifications/{other['id']}/revisit?on={later}")
    assert r.status_code == 201 and r.json()["kind"] == "revisit"
    revisit = r.json()
    assert [x["id"] for x in revisit["rectifications"]] == [other["id"]]
    r = inspector.put(
        f"/api/visits/{revisit['id']}",
        json={"visited_on": later.isoformat(), "observations": ["回访：整改仍在进行"]},
    )
    assert r.status_code == 200 and r.json()["status"] == "done"
    text = "".join(
        pdf_text(inspector.get(f"/api/visits/{revisit['id']}/report/pdf").content).split()
    )
    assert "开展整改回访督导" in text and "回访：整改仍在进行" in text
    assert other["item"] in text and "逾期" in text  # the rectification it follows up
    due = inspector.get(f"/api/rounds/{planned['round']}?on={later}").json()["revisits_due"]
    assert other["id"] not in {d["rectification"] for d in due}  # its 回访 is on the plan
    # the 督导报告: official layout, the ID masked, the inspector's record in the 情况表
    pdf = inspector.get(f"/api/visits/{visit_id}/report/pdf")
    assert pdf.status_code == 200
    text = pdf_text(pdf.content)
    assert "专项督导报告" in text and "一票否决" in text
    assert "450331201203150013" not in text and "450331********0013" in "".join(text.split())
    docx = Document(io.BytesIO(inspector.get(f"/visits/{visit_id}/report.docx").content))
    assert any("专项督导报告" in p.text for p in docx.paragraphs)
    cells = [c.text for t in docx.tables for row in t.rows for c in row.cells]
    assert any("进班点名，实到38人" in c for c in cells)  # her record in the 督导工作情况表
    with env.app.state.ctx.db.session() as db:
        rows = list(db.scalars(select(ChangeLog).order_by(ChangeLog.id)))
        actions = [row.action for row in rows]
        logged = json.dumps([row.detail for row in rows], ensure_ascii=False)
    assert "450331201203150013" not in logged  # no personal data in the change log
    for action in (
        "visit.record",
        "rectification.evidence",
        "rectification.accept",
        "visit.revisit",
        "visit.report",
    ):
        assert action in actions, action
    # the bureau's 通报: the round's with its rates, and March's
    admin = env.login("admin")
    r = admin.post(
        f"/api/rounds/{planned['round']}/roster",
        files={"file": ("摸排名单.csv", ROSTER.encode("utf-8"))},
    )
    assert r.status_code == 200, r.text
    a = next(u for u in r.json() if u["name"] == "荔浦市第二初级中学")
    # 4 on the roll at the start, no case in the database: 巩固率 100, 辍学率 0
    assert a["counts"]["enrolled_start"] == 4
    assert {x["key"]: x["value"] for x in a["rates"]}["dropout_rate"] == 0.0
    county = r.json()[-1]
    assert county["level"] == "county" and county["name"] == "荔浦市"
    # 6 school-age, 4 in school (韦堃 辍学, 吴小磊 未入学)
    assert {x["key"]: x["value"] for x in county["rates"]}["enrolment_rate"] == pytest.approx(
        4 / 6 * 100
    )
    bulletin = admin.get(f"/api/rounds/{planned['round']}/bulletin/pdf")
    assert bulletin.status_code == 200
    text = pdf_text(bulletin.content)
    for expected in ("通报", "荔浦市第二初级中学", "一票否决", "主要指标", "荔教保督〔2026〕1号"):
        assert expected in text, expected
    march = admin.get(f"/api/rounds/{planned['round']}/bulletin/docx?month=2026-03")
    assert march.status_code == 200
    assert inspector.get(f"/api/rounds/{planned['round']}/bulletin/pdf").status_code == 403
    assert (
        admin.get(f"/api/rounds/{planned['round']}/bulletin/pdf?month=2026-13").status_code == 400
    )


def test_round_pages(env: Env, planned: dict[str, int]) -> None:
    admin = env.login("admin")
    page = admin.get(f"/rounds/{planned['round']}")
    assert page.status_code == 200 and "督导计划" in page.text and "主要指标" in page.text
    assert "督导" in admin.get("/rounds").text
    assert admin.get(f"/rounds/{planned['round']}?on=2026-13-40").status_code == 200  # today
    one = admin.get(f"/rounds/{planned['round']}?school={env.ids['school_c']}&pending=1").text
    assert f"/visits/{planned['visit_c']}" in one and f"/visits/{planned['visit_a']}" not in one
    from openpyxl import load_workbook

    sheet = load_workbook(
        io.BytesIO(env.login("clerk_c").get(f"/rounds/{planned['round']}/plan.xlsx").content)
    ).active
    schools = {r[2] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert schools == {"东昌镇初级中学"}  # the clerk's plan holds her school only
    inspector = env.login("inspector")
    mine = inspector.get("/rounds").text  # his visits to do, from the 挂点 table
    assert "我的待办督导" in mine and f"/visits/{planned['visit_a']}" in mine
    assert f"/visits/{planned['visit_c']}" not in mine
    page = inspector.get(f"/visits/{planned['visit_a']}")
    assert page.status_code == 200 and "保存督导记录" in page.text
    r = inspector.post(
        f"/visits/{planned['visit_a']}",
        data={"visited_on": "2026-3-40", "csrf_token": inspector.csrf},  # type: ignore[attr-defined]
    )
    assert r.status_code == 400 and "应写成 2026-03-10" in r.text
    assert inspector.get(f"/visits/{planned['visit_c']}").status_code == 404
    r = admin.post(
        "/rounds",
        data={"name": "", "start": "2026-03-01", "end": "2026-02-01", "csrf_token": admin.csrf},  # type: ignore[attr-defined]
    )
    assert r.status_code == 400 and "结束日期早于开始日期" in r.text


def test_a_round_on_each_backend(db_url: str | None, tmp_path: Path) -> None:
    """Plan, a visit without an audit, a hand-written 整改意见, evidence, acceptance, the round
    view — on SQLite and PostgreSQL (JSON columns, dates, the cascade of a round)."""
    e = make_env(tmp_path / "data", db_url)
    try:
        admin, inspector, clerk = e.login("admin"), e.login("inspector"), e.login("clerk_a")
        r = admin.post(
            "/api/rounds",
            json={
                "name": "督导",
                "start": "2026-03-02",
                "end": "2026-03-31",
                "schools": [e.ids["school_a"]],
            },
        )
        assert r.status_code == 201, r.text
        visit = r.json()["visits"][0]["id"]
        r = inspector.put(
            f"/api/visits/{visit}",
            json={
                "visited_on": "2026-03-10",
                "notes": {"1": "会议材料齐全"},
                "observations": ["点名"],
            },
        )
        assert r.status_code == 200 and r.json()["notes"] == {"1": "会议材料齐全"}
        r = inspector.post(
            f"/api/visits/{visit}/rectifications", json={"item": "2.2", "text": "建立重点监测名单"}
        )
        assert r.status_code == 201 and r.json()["deadline"] == "2026-04-09"  # 一般: 30 days
        rect = r.json()["id"]
        r = clerk.post(f"/api/rectifications/{rect}/evidence", files={"file": ("名单.xlsx", b"x")})
        assert r.status_code == 201
        r = inspector.post(f"/api/rectifications/{rect}/accept", json={})
        assert r.json()["status"] == "closed"
        rounds = admin.get("/api/rounds").json()
        body = admin.get(f"/api/rounds/{rounds[0]['id']}").json()
        assert body["rectification_counts"] == {"已整改": 1}
    finally:
        e.close()
        e.app.state.ctx.db.dispose()
