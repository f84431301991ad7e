"""Roles and scopes: each role sees its schools only; another school's object by id is 404."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from service_helpers import Env


def _document(client: TestClient, school_id: int, sample: dict[str, object]) -> int:
    record = json.loads(json.dumps({k: v for k, v in sample.items() if k != "school"}, default=str))
    r = client.post(
        f"/api/schools/{school_id}/documents", json={"form_id": "return_notice", "record": record}
    )
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


@pytest.fixture
def docs(env: Env, sample: object) -> dict[str, int]:
    data = sample("return_notice", "liupu-2026")  # type: ignore[operator]
    return {
        "a": _document(env.login("clerk_a"), env.ids["school_a"], data),
        "c": _document(env.login("clerk_c"), env.ids["school_c"], data),
    }


def test_clerk_sees_only_her_school(env: Env, docs: dict[str, int]) -> None:
    c = env.login("clerk_a")
    assert [s["id"] for s in c.get("/api/schools").json()] == [env.ids["school_a"]]
    a, other = env.ids["school_a"], env.ids["school_c"]
    assert c.get(f"/api/schools/{a}").status_code == 200
    for path in (
        f"/api/schools/{other}",
        f"/api/schools/{other}/students",
        f"/api/schools/{other}/documents",
        f"/api/documents/{docs['c']}",
        f"/api/documents/{docs['c']}/pdf",
        f"/schools/{other}",
        f"/documents/{docs['c']}",
        f"/documents/{docs['c']}/download.pdf",
        f"/documents/{docs['c']}/pages/1.png",
        f"/schools/{other}/forms/return_notice",
        "/api/schools/999999",
        "/api/documents/999999",
    ):
        r = c.get(path)
        assert r.status_code == 404, path
        assert "找不到" in r.text
    # the same answer for "exists elsewhere" and "does not exist": ids cannot be probed
    assert c.get(f"/api/documents/{docs['c']}").json() == c.get("/api/documents/999999").json()


def test_clerk_cannot_post_into_another_school(env: Env, sample: object) -> None:
    c = env.login("clerk_a")
    data = json.loads(json.dumps(sample("return_notice", "liupu-2026"), default=str))  # type: ignore[operator]
    r = c.post(
        f"/api/schools/{env.ids['school_c']}/documents",
        json={"form_id": "return_notice", "record": data},
    )
    assert r.status_code == 404
    r = c.post(f"/api/schools/{env.ids['school_c']}/packages", files={"file": ("p.zip", b"PK")})
    assert r.status_code == 404


def test_inspector_sees_the_schools_of_his_townships(env: Env, docs: dict[str, int]) -> None:
    c = env.login("inspector")
    seen = {s["id"] for s in c.get("/api/schools").json()}
    assert seen == {env.ids["school_a"], env.ids["school_b"]}
    assert c.get(f"/api/documents/{docs['a']}").status_code == 200
    assert c.get(f"/api/documents/{docs['c']}").status_code == 404
    assert c.get(f"/schools/{env.ids['school_c']}").status_code == 404
    # he reviews; he does not write a school's documents
    data = {"form_id": "return_notice", "record": {}}
    assert c.post(f"/api/schools/{env.ids['school_a']}/documents", json=data).status_code == 403
    assert c.get("/api/admin/users").status_code == 403
    assert c.get("/admin/overview").status_code == 403


def test_inspector_scope_follows_assignments(env: Env) -> None:
    admin = env.login("admin")
    towns = {t["name"]: t for t in admin.get("/api/admin/townships").json()}
    r = admin.post(
        "/api/admin/assignments",
        json={"user_id": env.ids["inspector"], "township_id": towns["东昌镇"]["id"]},
    )
    assert r.status_code == 201
    c = env.login("inspector")
    assert env.ids["school_c"] in {s["id"] for s in c.get("/api/schools").json()}
    assignment = next(a for a in admin.get("/api/admin/townships").json() if a["name"] == "东昌镇")[
        "assignments"
    ][0]
    admin.delete(f"/api/admin/assignments/{assignment['assignment_id']}")
    assert c.get(f"/api/schools/{env.ids['school_c']}").status_code == 404


def test_admin_sees_everything(env: Env, docs: dict[str, int]) -> None:
    c = env.login("admin")
    assert len(c.get("/api/schools").json()) == 3
    assert c.get(f"/api/documents/{docs['c']}").status_code == 200
    assert c.get("/admin/overview").status_code == 200
    assert c.get("/api/admin/log").status_code == 200


def test_clerk_cannot_reach_admin(env: Env) -> None:
    c = env.login("clerk_a")
    for path in ("/api/admin/users", "/api/admin/overview", "/admin/users", "/admin/schools"):
        assert c.get(path).status_code == 403, path
    r = c.post(
        "/api/admin/users", json={"username": "x", "role": "admin", "password": "12345678abc"}
    )
    assert r.status_code == 403


def test_id_numbers_are_masked_except_for_the_clerk(env: Env, docs: dict[str, int]) -> None:
    full = "450331201203150013"
    clerk = env.login("clerk_a")
    assert clerk.get(f"/api/schools/{env.ids['school_a']}/students").json()[0]["id_number"] == full
    page = clerk.get(f"/schools/{env.ids['school_a']}").text
    assert full not in page and "450331********0013" in page  # lists are masked even for her
    for who in ("inspector", "admin"):
        c = env.login(who)
        students = c.get(f"/api/schools/{env.ids['school_a']}/students").json()
        assert students[0]["id_number"] == "450331********0013"
        assert full not in c.get(f"/api/documents/{docs['a']}").text
        assert full not in c.get(f"/documents/{docs['a']}").text
