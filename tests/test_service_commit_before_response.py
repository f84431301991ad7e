"""Writes are committed before the response goes out (regression: the commit ran after the
response was sent, so a client following the login redirect at once was still logged out)."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from service_helpers import PASSWORD, Env
from sqlalchemy import func, select

from service.tables import LoginSession


def test_login_session_is_committed_when_the_response_starts(env: Env) -> None:
    seen_at_response_start: list[int] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        async def watching_send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start" and scope.get("method") == "POST":
                # a fresh connection sees only committed rows
                with env.app.state.ctx.db.session() as db:
                    seen_at_response_start.append(
                        db.scalar(select(func.count()).select_from(LoginSession)) or 0
                    )
            await send(message)

        await env.app(scope, receive, watching_send)

    with TestClient(app, base_url="https://testserver", follow_redirects=False) as c:
        page = c.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        r = c.post(
            "/login", data={"username": "clerk_a", "password": PASSWORD, "csrf_token": token}
        )
        assert r.status_code == 303
    assert seen_at_response_start == [1]


def test_every_route_commits_before_responding() -> None:
    import importlib
    import pkgutil

    from fastapi import APIRouter
    from fastapi.dependencies.models import Dependant
    from fastapi.routing import APIRoute

    import service.web
    from service.web.deps import get_db

    def late(dep: Dependant) -> bool:
        return (dep.call is get_db and dep.scope != "function") or any(
            late(sub) for sub in dep.dependencies
        )

    routes = [
        route
        for info in pkgutil.iter_modules(service.web.__path__)
        for router in vars(importlib.import_module(f"service.web.{info.name}")).values()
        if isinstance(router, APIRouter)
        for route in router.routes
        if isinstance(route, APIRoute)
    ]
    assert len(routes) > 50
    assert [f"{sorted(r.methods)} {r.path}" for r in routes if late(r.dependant)] == []
