"""What the `baoxue serve | users | backup` commands do; cli.py only parses options.

`baoxue serve` imports this module in the process that stays for the life of the service:
what each command needs (SQLAlchemy, the app) is imported inside it.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from service.config import ServiceConfig


@dataclass(frozen=True)
class GetResult:
    status: int
    content_type: str
    body: bytes

    def text(self) -> str:
        if self.content_type.startswith("application/json"):
            return json.dumps(json.loads(self.body), ensure_ascii=False, indent=2)
        return self.body.decode("utf-8", errors="replace")


def get_once(
    config: ServiceConfig, path: str, as_user: str | None = None, token: str | None = None
) -> GetResult:
    """Answer one GET in-process, without a server and without starting background jobs."""
    from fastapi.testclient import TestClient
    from sqlalchemy import select

    from service import rendering
    from service.app import create_app
    from service.auth import Auth
    from service.ops import ServiceError
    from service.tables import User
    from service.web.deps import optional_auth

    app = create_app(config)
    context = app.state.ctx
    try:
        if as_user:
            with context.db.session() as db:
                user = db.scalar(select(User).where(User.username == as_user))
                if user is None or not user.active:
                    raise ServiceError(f"没有名为“{as_user}”的启用用户")
                db.expunge(user)
            app.dependency_overrides[optional_auth] = lambda: Auth(user, None)
        headers = {"authorization": f"Bearer {token}"} if token else {}
        client = TestClient(
            app, base_url="https://localhost"
        )  # no `with`: lifespan (job recovery) not run
        response = client.get(path, headers=headers, follow_redirects=False)
        return GetResult(
            response.status_code, response.headers.get("content-type", ""), response.content
        )
    finally:
        context.runner.shutdown(wait=False)
        rendering.shutdown()  # a viewing copy asked for may have started the renderer
        context.db.dispose()


def create_admin(
    config: ServiceConfig, username: str, password: str, display_name: str = ""
) -> int:
    from service.app import build_context
    from service.ops.users import create_admin as create

    context = build_context(config)
    try:
        with context.db.session() as db:
            return create(db, username, password, display_name).id
    finally:
        context.runner.shutdown(wait=False)
        context.db.dispose()


def backup(config: ServiceConfig, dest: Path, stamp: str = "") -> dict[str, Any]:
    """Online backup of the database and the stored files, safe while the service runs:
    SQLite through its backup API, PostgreSQL through `pg_dump` (custom format, for
    `pg_restore`; `stamp` names the dump, so nightly dumps are kept side by side). Files are
    content-addressed and never change, so only new ones are copied.
    """
    from sqlalchemy.engine import make_url

    url = make_url(config.database_url)
    dest.mkdir(parents=True, exist_ok=True)
    if url.drivername.startswith("postgres"):
        target = _pg_dump(config, dest / f"baoxue{stamp}.pgdump")
    else:
        target = _sqlite_backup(Path(url.database or ""), dest)
    return {
        "database": str(target),
        "files_copied": copy_files(config.blob_dir, dest),
        "dest": str(dest),
    }


def _sqlite_backup(source: Path, dest: Path) -> Path:
    if not source.is_file():
        raise FileNotFoundError(f"找不到数据库文件 {source}")
    target = dest / source.name
    tmp = target.with_suffix(".partial")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    out = sqlite3.connect(tmp)
    try:
        src.backup(out)
    finally:
        out.close()
        src.close()
    tmp.replace(target)
    return target


def pg_dump_path() -> str:
    """`pg_dump` on the PATH, else the newest of Debian's /usr/lib/postgresql/*/bin."""
    found = shutil.which("pg_dump") or next(
        (str(p) for p in sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_dump"), reverse=True)),
        None,
    )
    if found is None:
        raise FileNotFoundError(
            "找不到 pg_dump：请安装 postgresql-client（与数据库同一主版本或更新）"
        )
    return found


def _pg_dump(config: ServiceConfig, target: Path) -> Path:
    from service.queue.app import conninfo

    tmp = target.with_suffix(".partial")
    done = subprocess.run(
        [
            pg_dump_path(),
            "--format=custom",
            "--file",
            str(tmp),
            "--dbname",
            conninfo(config.database_url),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        tmp.unlink(missing_ok=True)
        raise ValueError(f"pg_dump 失败：{done.stderr.strip()[-500:]}")
    tmp.replace(target)
    return target


def copy_files(blob_root: Path, dest: Path) -> int:
    """Copy the stored files not yet in `dest/files` (never the temp folder)."""
    copied = 0
    for path in blob_root.rglob("*"):
        if path.is_file() and "tmp" not in path.relative_to(blob_root).parts[:1]:
            copy = dest / "files" / path.relative_to(blob_root)
            if not copy.exists():
                copy.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, copy)
                copied += 1
    return copied
