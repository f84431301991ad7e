"""The duties and 四查三对比 pages (issue 22): each role sees its places, a duty is marked done
only with its file or number and by the role that answers for it, the feed needs a login or
an API token, the comparison runs for inspectors and the bureau and opens cases once."""

from __future__ import annotations

import re
from pathlib import Path

from icalendar import Calendar
from service_helpers import Env, env  # noqa: F401

from cases.sample_lists import write_township
from service.auth import create_api_token
from service.tables import User

W11 = "2026-W11"


def _places(client) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {p["key"]: p["label"] for p in client.get("/api/duties").json()["places"]}


def test_each_role_sees_its_places(env: Env) -> None:  # noqa: F811
    clerk = env.login("clerk_a")
    assert list(_places(clerk)) == [f"s{env.ids['school_a']}"]
    inspector = _places(env.login("inspector"))
    assert f"s{env.ids['school_c']}" not in inspector  # 东昌镇 is not his
    assert any(label.endswith("（乡镇）") and "修仁镇" in label for label in inspector.values())
    assert not any(k.startswith("b:") for k in inspector)
    admin = _places(env.login("admin"))
    assert "b:liupu-2026" in admin and f"s{env.ids['school_c']}" in admin


def test_the_week_and_what_is_overdue(env: Env) -> None:  # noqa: F811
    clerk = env.login("clerk_a")
    place = f"s{env.ids['school_a']}"
    data = clerk.get(f"/api/duties?place={place}&week={W11}&on=2026-03-12").json()
    weekly = next(x for x in data["window"] if x["duty_id"] == "weekly_report")
    assert weekly["deadline"] == "2026-03-13" and weekly["status"] == "due"
    assert weekly["source"] == "000 § 五(一)"
    assert {x["duty_id"] for x in data["overdue"]} >= {"weekly_report", "monthly_report"}
    assert not [x for x in data["overdue"] if x["duty_id"] == "daily_report"]
    page = clerk.get(f"/duties?place={place}&week={W11}&on=2026-03-12")
    assert page.status_code == 200 and "控辍保学周报" in page.text and "000 § 五(一)" in page.text
    other = clerk.get(f"/api/duties?place=s{env.ids['school_c']}")
    assert other.status_code == 404


def test_done_needs_its_file_or_number_and_the_right_role(env: Env) -> None:  # noqa: F811
    clerk = env.login("clerk_a")
    place = f"s{env.ids['school_a']}"
    key = f"liupu-2026:weekly_report:{_school_name(env, 'school_a')}:2026-03-13"
    form = {
        "place": place,
        "key": key,
        "by": "韦老师",
        "done_on": "2026-03-13",
        "csrf_token": clerk.csrf,
    }
    refused = clerk.post("/duties/done", data=form)
    assert refused.status_code == 422 and "须附上" in refused.text
    done = clerk.post(
        "/duties/done",
        data=form,
        files={"file": ("周报.xlsx", b"weekly report", "application/octet-stream")},
    )
    assert done.status_code == 303, done.text
    data = clerk.get(f"/api/duties?place={place}&week={W11}&on=2026-03-20").json()
    line = next(x for x in data["window"] if x["key"] == key)
    assert line["status"] == "done" and line["done"]["by"] == "韦老师"
    page = clerk.get(f"/duties?place={place}&week={W11}&on=2026-03-20")
    link = re.search(r'href="(/duties/done/\d+/file)"', page.text)
    assert link and clerk.get(link.group(1)).content == b"weekly report"
    # another school's clerk cannot fetch it, nor mark her duties
    other = env.login("clerk_c")
    assert other.get(link.group(1)).status_code == 404
    inspector = env.login("inspector")
    no = inspector.post(
        "/duties/done", data={**form, "reference": "编号1", "csrf_token": inspector.csrf}
    )
    assert no.status_code == 403
    unknown = clerk.post(
        "/duties/done", data={**form, "key": key.replace("03-13", "03-14"), "reference": "x"}
    )
    assert unknown.status_code == 404


def _school_name(e: Env, key: str) -> str:
    from service.tables import School

    with e.app.state.ctx.db.session() as db:
        school = db.get(School, e.ids[key])
        assert school is not None
        return school.name


def test_the_feed_needs_a_login_or_a_token(env: Env) -> None:  # noqa: F811
    place = f"s{env.ids['school_a']}"
    anonymous = env.client()
    assert anonymous.get(f"/duties/calendar.ics?place={place}").status_code in (401, 303)
    with env.app.state.ctx.db.session() as db:
        user = db.get(User, env.ids["clerk_a"])
        assert user is not None
        token, _ = create_api_token(db, user, "日历")
        db.commit()
    feed = anonymous.get(f"/duties/calendar.ics?place={place}&token={token}")
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    cal = Calendar.from_ical(feed.content)
    summaries = [str(e["summary"]) for e in cal.walk("VEVENT")]
    assert any("控辍保学周报" in s for s in summaries)
    wrong = anonymous.get(f"/duties/calendar.ics?place=s{env.ids['school_c']}&token={token}")
    assert wrong.status_code == 404


def test_reconcile_for_inspectors_and_the_bureau(env: Env, tmp_path: Path) -> None:  # noqa: F811
    lists = write_township(tmp_path / "lists")

    def files() -> list[tuple[str, tuple[str, bytes, str]]]:
        return [(k, (p.name, p.read_bytes(), "application/octet-stream")) for k, p in lists.items()]

    clerk = env.login("clerk_a")
    assert clerk.get("/reconcile").status_code == 200
    refused = clerk.post(
        "/reconcile", data={"profile_id": "jiaotan-2025", "csrf_token": clerk.csrf}, files=files()
    )
    assert refused.status_code == 403
    inspector = env.login("inspector")
    one = inspector.post(
        "/reconcile",
        data={"profile_id": "jiaotan-2025", "csrf_token": inspector.csrf},
        files=files()[:1],
    )
    assert one.status_code == 422 and "至少上传两种名单" in one.text
    done = inspector.post(
        "/reconcile",
        data={
            "profile_id": "jiaotan-2025",
            "unit": "蛟潭镇",
            "on": "2026-03-09",
            "csrf_token": inspector.csrf,
        },
        files=files(),
    )
    assert done.status_code == 303, done.text
    page = inspector.get("/reconcile")
    assert "有户籍无学籍（疑似失学）" in page.text and "4人" in page.text
    xlsx = re.search(r'href="(/reconcile/\d+/xlsx)"', page.text)
    assert xlsx
    body = inspector.get(xlsx.group(1))
    assert body.status_code == 200 and body.content[:2] == b"PK"
    assert clerk.get(xlsx.group(1)).status_code == 404
    admin = env.login("admin")
    opened = admin.post(
        "/reconcile",
        data={
            "profile_id": "jiaotan-2025",
            "on": "2026-03-09",
            "open_cases": "1",
            "school_id": str(env.ids["school_b"]),
            "csrf_token": admin.csrf,
        },
        files=files(),
    )
    assert opened.status_code == 303, opened.text
    cases = admin.get("/api/cases").json()
    assert len(cases) == 4
    again = admin.post(
        "/reconcile",
        data={
            "profile_id": "jiaotan-2025",
            "on": "2026-03-09",
            "open_cases": "1",
            "school_id": str(env.ids["school_b"]),
            "csrf_token": admin.csrf,
        },
        files=files(),
    )
    assert again.status_code == 303
    assert len(admin.get("/api/cases").json()) == 4  # nothing opened twice
    assert "已有未销号的个案" in admin.get("/reconcile").text
