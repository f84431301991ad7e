"""Fixtures for the service tests: a fresh service with schools, townships and users of each
role, logged-in clients, and a throwaway PostgreSQL cluster."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.app import create_app
from service.config import ServiceConfig
from service.ops import directory, users
from service.tables import School, User

PASSWORD = "correct-horse-1"
PG_BIN = Path("/usr/lib/postgresql")


@dataclass
class Env:
    app: FastAPI
    config: ServiceConfig
    ids: dict[str, int] = field(default_factory=dict)
    clients: list[TestClient] = field(default_factory=list)

    def client(self) -> TestClient:
        c = TestClient(self.app, base_url="https://testserver", follow_redirects=False)
        c.__enter__()
        self.clients.append(c)
        return c

    def login(self, username: str, password: str = PASSWORD) -> TestClient:
        c = self.client()
        form = c.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert token, form.text
        r = c.post(
            "/login",
            data={"username": username, "password": password, "csrf_token": token.group(1)},
        )
        assert r.status_code == 303, r.text
        me = c.get("/api/me").json()
        c.headers["x-csrf-token"] = me["csrf_token"]
        c.csrf = me["csrf_token"]  # type: ignore[attr-defined]
        return c

    def close(self) -> None:
        for c in self.clients:
            c.__exit__(None, None, None)


def seed(app: FastAPI) -> dict[str, int]:
    """Two townships; schools A, B in 修仁镇 and C in 东昌镇; one user of each kind."""
    ids: dict[str, int] = {}
    with app.state.ctx.db.session() as db:
        admin = users.create_admin(db, "admin", PASSWORD, "局管理员")
        a = directory.save_school(
            db,
            admin,
            "荔浦市第二初级中学",
            "修仁镇",
            "liupu-2026",
            phone="0773-7212345",
            contact="莫老师",
        )
        b = directory.save_school(db, admin, "修仁镇中心小学", "修仁镇", "liupu-2026")
        c = directory.save_school(db, admin, "东昌镇初级中学", "东昌镇", "liupu-2026")
        clerk_a = users.create_user(db, admin, "clerk_a", "韦老师", "clerk", PASSWORD, a.id)
        clerk_c = users.create_user(db, admin, "clerk_c", "蒙老师", "clerk", PASSWORD, c.id)
        inspector = users.create_user(db, admin, "inspector", "唐承刚", "inspector", PASSWORD)
        assert a.township is not None
        directory.assign(db, admin, inspector, a.township, "inspector")
        db.flush()
        for name, obj in [
            ("admin", admin),
            ("school_a", a),
            ("school_b", b),
            ("school_c", c),
            ("clerk_a", clerk_a),
            ("clerk_c", clerk_c),
            ("inspector", inspector),
        ]:
            assert isinstance(obj, User | School)
            ids[name] = obj.id
    return ids


def make_env(data_dir: Path, db_url: str | None = None, **config: Any) -> Env:
    config.setdefault("job_runner", "pool")  # jobs in this process (the queue: test_queue*.py)
    cfg = ServiceConfig(data_dir=data_dir, db_url=db_url, job_mode="thread", **config)
    app = create_app(cfg)
    return Env(app, cfg, seed(app))


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    e = make_env(tmp_path / "data")
    yield e
    e.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PgCluster:
    """A throwaway PostgreSQL cluster in a temp dir (Debian packages), on a unix socket."""

    def __init__(self) -> None:
        versions = sorted(PG_BIN.glob("*/bin/initdb"))
        if not versions:
            raise FileNotFoundError(
                "Debian postgresql is not installed (make setup-test installs it)"
            )
        self.bin = versions[-1].parent
        self.root = Path(tempfile.mkdtemp(prefix="baoxue-pg-"))
        self.port = free_port()
        self.as_postgres = os.geteuid() == 0  # initdb refuses to run as root
        if self.as_postgres:
            shutil.chown(self.root, "postgres")
        self._run(
            "initdb",
            "-D",
            str(self.root / "data"),
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
            "-E",
            "UTF8",
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.root / "data"),
            "-l",
            str(self.root / "log"),
            "-w",
            "-o",
            f"-k {self.root} -p {self.port} -c listen_addresses='' -c fsync=off",
            "start",
        )
        self.counter = 0

    def _run(self, tool: str, *args: str) -> None:
        cmd = [str(self.bin / tool), *args]
        if self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, cwd="/")

    def new_database(self) -> str:
        import psycopg

        self.counter += 1
        name = f"baoxue_{self.counter}"
        with psycopg.connect(
            host=str(self.root), port=self.port, user="postgres", dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return f"postgresql://postgres@/{name}?host={self.root}&port={self.port}"

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.root / "data"), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    try:
        cluster = PgCluster()
    except FileNotFoundError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(str(exc))
    yield cluster
    cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str | None:
    if request.param == "sqlite":
        return None
    cluster: PgCluster = request.getfixturevalue("pg_cluster")
    return cluster.new_database()


CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's chromium driven by Playwright, headless and quiet on the network (a browser
    suite's module-scoped `browser` fixture)."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is missing (make setup-test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def live_server(env: Env) -> Iterator[str]:
    """The app served by uvicorn on a free local port, in a thread, for a real browser: its
    base URL while the block runs."""
    import threading
    import time

    import uvicorn

    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(env.app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=10)
