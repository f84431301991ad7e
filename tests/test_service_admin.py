"""Bureau admin: users, schools and the 挂点 table imported from XLSX; CLI commands."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from service_helpers import PASSWORD, Env
from sqlalchemy import select

from service.ops.directory import split_names
from service.tables import ChangeLog

# 002 附件2, as the seed prints it (including "罗 燕" with a space)
GUADIAN = [
    ("东昌镇", "叶少华", "蒙绪伟 韦尉基 覃兴德 黎青彦 李福强"),
    ("修仁镇", "钟星子", "唐承刚 黄宝连 陈雪梅 黄慧芳 李然 庞银燕 卿秀玲"),
    ("茶城乡", "钟星子", "罗应娟"),
    ("荔城镇", "罗 燕", "陈春和 江华青 曾小菊"),
    ("新坪镇", "罗燕", "李义德 黄琳玲"),
]


def _xlsx(rows: list[tuple[Any, ...]], title: str | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    if title:
        ws.append([title])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[0]))
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_split_names_joins_a_name_written_with_a_space() -> None:
    assert split_names("罗 燕") == ["罗燕"]
    assert split_names("蒙绪伟 韦尉基、李然") == ["蒙绪伟", "韦尉基", "李然"]
    assert split_names("张 三 李 四") == ["张三", "李四"]


def test_import_the_guadian_table_then_inspectors_see_their_schools(env: Env) -> None:
    admin = env.login("admin")
    data = _xlsx(
        [("挂点乡镇", "责任领导", "责任人（责任督学）"), *GUADIAN],
        title="荔浦市控辍保学工作挂点联系一览表",
    )
    r = admin.post("/api/admin/import/assignments", files={"file": ("挂点.xlsx", data)})
    assert r.status_code == 200, r.text
    result = r.json()
    assert "罗燕" in result["new_users"] and "罗 燕" not in result["new_users"]
    assert "唐承刚" not in result["new_users"]  # already an inspector: reused, not duplicated
    towns = {t["name"]: t for t in admin.get("/api/admin/townships").json()}
    assert {"东昌镇", "修仁镇", "茶城乡", "荔城镇", "新坪镇"} <= set(towns)
    luo = {a["name"]: a["duty"] for a in towns["荔城镇"]["assignments"]}
    assert luo["罗燕"] == "leader" and luo["陈春和"] == "inspector"
    assert {a["name"] for a in towns["新坪镇"]["assignments"]} >= {"罗燕"}
    # a second import changes nothing
    again = admin.post("/api/admin/import/assignments", files={"file": ("挂点.xlsx", data)}).json()
    assert again["created"] == {} and again["new_users"] == []
    # the imported inspector gets a password from the admin and sees 东昌镇's school
    users = {u["username"]: u for u in admin.get("/api/admin/users").json()}
    assert users["蒙绪伟"]["has_password"] is False
    admin.patch(f"/api/admin/users/{users['蒙绪伟']['id']}", json={"password": PASSWORD})
    inspector = env.login("蒙绪伟")
    assert {s["name"] for s in inspector.get("/api/schools").json()} == {"东昌镇初级中学"}


def test_import_schools_with_a_title_row_and_report_bad_rows(env: Env) -> None:
    admin = env.login("admin")
    data = _xlsx(
        [
            ("学校名称", "所在乡镇", "联系电话", "联系人", "辖区规定"),
            ("马岭镇中学", "马岭镇", "0773-7300001", "黄老师", ""),
            ("", "马岭镇", "", "", ""),
            ("岫岩某校", "某镇", "", "", "no-such-profile"),
        ],
        title="学校名单",
    )
    r = admin.post(
        "/admin/import/schools",
        files={"file": ("学校.xlsx", data)},
        data={"csrf_token": admin.csrf},
    )  # type: ignore[attr-defined]
    # POST/redirect/GET (issue 23): the result is shown on the page the import redirects to
    assert r.status_code == 303 and r.headers["location"].startswith("/admin/schools?imported=")
    r = admin.get(r.headers["location"])
    assert (
        "新建学校 1" in r.text and "第4行：没有学校名称" in r.text and "第5行（岫岩某校）" in r.text
    )
    names = {s["name"] for s in admin.get("/api/schools").json()}
    assert "马岭镇中学" in names and "岫岩某校" not in names


def test_import_rejects_a_file_that_is_not_xlsx(env: Env) -> None:
    admin = env.login("admin")
    r = admin.post("/api/admin/import/schools", files={"file": ("学校.xlsx", b"name,town\n")})
    assert r.status_code == 400 and "不是有效的 XLSX 文件" in r.json()["detail"]


def test_user_management_is_logged_and_keeps_one_admin(env: Env) -> None:
    admin = env.login("admin")
    r = admin.post(
        "/api/admin/users",
        json={
            "username": "clerk_b",
            "display_name": "黄老师",
            "role": "clerk",
            "school_id": env.ids["school_b"],
            "password": "short",
        },
    )
    assert r.status_code == 400 and "至少8位" in r.json()["detail"]
    r = admin.post(
        "/api/admin/users", json={"username": "clerk_b", "role": "clerk", "password": PASSWORD}
    )
    assert r.status_code == 400 and "必须指定所属学校" in r.json()["detail"]
    r = admin.post(
        "/api/admin/users",
        json={
            "username": "clerk_b",
            "role": "clerk",
            "school_id": env.ids["school_b"],
            "password": PASSWORD,
        },
    )
    assert r.status_code == 201
    r = admin.patch(f"/api/admin/users/{env.ids['admin']}", json={"role": "inspector"})
    assert r.status_code == 400 and "至少要保留一名" in r.json()["detail"]
    with env.app.state.ctx.db.session() as db:
        row = db.scalar(
            select(ChangeLog).where(
                ChangeLog.action == "user.create",
                ChangeLog.detail["username"].as_string() == "clerk_b",
            )
        )
        assert row is not None and row.user_id == env.ids["admin"] and row.at is not None


def test_cli_create_admin_then_serve_get_answers_in_process(tmp_path: Path, cli: Any) -> None:
    from click.testing import CliRunner

    from cli import main

    data = tmp_path / "svc"
    runner = CliRunner()
    r = runner.invoke(
        main,
        ["users", "create-admin", "root", "--password-stdin", "--data", str(data)],
        input=f"{PASSWORD}\n",
    )
    assert r.exit_code == 0, r.output
    assert (data / "baoxue.sqlite3").is_file()
    r = runner.invoke(main, ["serve", "--data", str(data), "--get", "/api/me"])
    assert r.exit_code == 1 and "请先登录" in r.output
    r = runner.invoke(main, ["serve", "--data", str(data), "--get", "/api/me", "--as", "root"])
    assert r.exit_code == 0 and '"role": "admin"' in r.output
    r = runner.invoke(main, ["serve", "--data", str(data), "--get", "/api/forms", "--as", "root"])
    assert "return_notice" in r.output
    r = runner.invoke(main, ["backup", str(tmp_path / "bak"), "--data", str(data)])
    assert r.exit_code == 0, r.output
    import sqlite3

    copy = sqlite3.connect(tmp_path / "bak" / "baoxue.sqlite3")
    assert copy.execute("select username from users").fetchall() == [("root",)]
    copy.close()
    r = runner.invoke(
        main,
        ["users", "create-admin", "root2", "--password-stdin", "--data", str(data)],
        input="short\n",
    )
    assert r.exit_code == 1 and "至少8位" in r.output
