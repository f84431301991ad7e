"""Login, sessions, CSRF, API tokens."""

from __future__ import annotations

import re

from service_helpers import PASSWORD, Env
from sqlalchemy import select

from service.tables import ChangeLog, User


def test_login_sets_secure_http_only_cookie_and_home_redirects_by_role(env: Env) -> None:
    c = env.client()
    page = c.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    r = c.post(
        "/login",
        data={"username": "clerk_a", "password": PASSWORD, "csrf_token": token, "next": "/"},
    )
    assert r.status_code == 303
    cookie = r.headers["set-cookie"]
    assert (
        "bx_session=" in cookie
        and "HttpOnly" in cookie
        and "Secure" in cookie
        and "samesite=lax" in cookie.lower()
    )
    home = c.get("/")
    assert home.status_code == 303 and home.headers["location"] == f"/schools/{env.ids['school_a']}"


def test_wrong_password_is_refused_in_chinese(env: Env) -> None:
    c = env.client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)  # type: ignore[union-attr]
    r = c.post(
        "/login", data={"username": "clerk_a", "password": "wrong-password", "csrf_token": token}
    )
    assert r.status_code == 401
    assert "用户名或密码不对" in r.text
    assert c.get("/api/me").status_code == 401


def test_passwords_are_argon2_hashes(env: Env) -> None:
    with env.app.state.ctx.db.session() as db:
        stored = db.scalar(select(User.password_hash).where(User.username == "clerk_a"))
    assert stored is not None and stored.startswith("$argon2id$") and PASSWORD not in stored


def test_login_form_without_csrf_token_is_rejected(env: Env) -> None:
    c = env.client()
    c.get("/login")
    r = c.post("/login", data={"username": "clerk_a", "password": PASSWORD})
    assert r.status_code == 403
    assert "CSRF" in r.text


def test_every_form_post_needs_the_session_csrf_token(env: Env) -> None:
    c = env.login("admin")
    del c.headers["x-csrf-token"]
    forged = c.post("/tokens", data={"name": "偷来的"})
    assert forged.status_code == 403 and "CSRF 校验失败" in forged.text
    wrong = c.post("/admin/townships", data={"name": "假乡", "csrf_token": "not-the-token"})
    assert wrong.status_code == 403
    ok = c.post("/admin/townships", data={"name": "新坪镇", "csrf_token": c.csrf})  # type: ignore[attr-defined]
    assert ok.status_code == 303
    api_forged = c.post("/api/admin/townships", json={"name": "杜莫镇"})
    assert api_forged.status_code == 403
    api_ok = c.post(
        "/api/admin/townships", json={"name": "杜莫镇"}, headers={"x-csrf-token": c.csrf}
    )  # type: ignore[attr-defined]
    assert api_ok.status_code == 201


def test_api_token_works_without_cookies_and_can_be_revoked(env: Env) -> None:
    browser = env.login("inspector")
    page = browser.post("/tokens", data={"name": "脚本", "csrf_token": browser.csrf})  # type: ignore[attr-defined]
    token = re.search(r'<code id="new-token">([^<]+)</code>', page.text).group(1)  # type: ignore[union-attr]
    script = env.client()
    me = script.get("/api/me", headers={"authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["username"] == "inspector"
    # a POST with a token needs no CSRF token: no cookie is involved
    r = script.post(
        f"/api/schools/{env.ids['school_a']}/packages",
        files={"file": ("x.txt", b"hello")},
        headers={"authorization": f"Bearer {token}"},
    )
    assert r.status_code == 400 and "不是 zip" in r.json()["detail"]
    token_id = re.search(r"/tokens/(\d+)/revoke", page.text).group(1)  # type: ignore[union-attr]
    browser.post(f"/tokens/{token_id}/revoke", data={"csrf_token": browser.csrf})  # type: ignore[attr-defined]
    assert script.get("/api/me", headers={"authorization": f"Bearer {token}"}).status_code == 401


def test_logout_ends_the_session(env: Env) -> None:
    c = env.login("clerk_a")
    cookie = c.cookies.get("bx_session")
    c.post("/logout", data={"csrf_token": c.csrf})  # type: ignore[attr-defined]
    other = env.client()
    other.cookies.set("bx_session", cookie or "", domain="testserver")
    assert other.get("/api/me").status_code == 401


def test_deactivating_a_user_ends_her_sessions_and_is_logged(env: Env) -> None:
    clerk = env.login("clerk_a")
    admin = env.login("admin")
    r = admin.patch(f"/api/admin/users/{env.ids['clerk_a']}", json={"active": False})
    assert r.status_code == 200 and r.json()["active"] is False
    assert clerk.get("/api/me").status_code == 401
    with env.app.state.ctx.db.session() as db:
        row = db.scalar(
            select(ChangeLog).where(ChangeLog.action == "user.update").order_by(ChangeLog.id.desc())
        )
        assert (
            row is not None and row.user_id == env.ids["admin"] and row.detail == {"active": False}
        )


def test_pages_redirect_to_login_and_api_answers_401(env: Env) -> None:
    c = env.client()
    r = c.get(f"/schools/{env.ids['school_a']}")
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=/schools/")
    assert c.get("/api/schools").json()["detail"].startswith("请先登录")


def test_next_parameter_cannot_redirect_off_site(env: Env) -> None:
    c = env.client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)  # type: ignore[union-attr]
    r = c.post(
        "/login",
        data={
            "username": "clerk_a",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "//evil.example/",
        },
    )
    assert r.headers["location"] == "/"
