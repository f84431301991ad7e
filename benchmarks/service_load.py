"""Load on the web service: 50 concurrent readers and 5 concurrent uploaders, on loopback.

    .venv/bin/python benchmarks/service_load.py [--seconds 30] [--readers 50] [--uploaders 5]

Starts `baoxue serve` (SQLite, default job runner) on 127.0.0.1 with a fresh data folder,
seeds a school, a clerk and a few documents, then for a bounded time:
- readers GET the school page, a document page and /api/schools/{id}/documents in turn,
  waiting --think seconds between pages as a person reading does
  (one browser session shared by all readers);
- uploaders POST a small evidence package (zip) with an API token, which stores it and
  queues an audit job in the background worker.
Prints requests/s, p50/p95/p99 latency and errors for page views and uploads. Traffic goes
to 127.0.0.1 only, and every loop stops at the deadline.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import random
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password-1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def seed(data: Path) -> dict[str, int]:
    sys.path.insert(0, str(ROOT))
    import yaml

    from service.app import build_context
    from service.config import ServiceConfig
    from service.ops import directory, users
    from service.ops.documents import create_document
    from service.scope import Scope

    config = ServiceConfig(data_dir=data, job_mode="thread")
    ctx = build_context(config)
    sample = yaml.safe_load(
        (ROOT / "forms/samples/return_notice-liupu-2026.yaml").read_text(encoding="utf-8")
    )
    with ctx.db.session() as db:
        admin = users.create_admin(db, "admin", PASSWORD)
        school = directory.save_school(db, admin, "荔浦市第二初级中学", "修仁镇", "liupu-2026")
        clerk = users.create_user(db, admin, "clerk", "韦老师", "clerk", PASSWORD, school.id)
        scope = Scope.of(db, clerk)
        doc_id = 0
        for i in range(5):
            sample["number"] = f"荔浦二中劝返〔2026〕第{i + 1:03d}号"
            doc_id = create_document(db, ctx.blobs, scope, school, "return_notice", sample).id
        ids = {"school": school.id, "document": doc_id}
    ctx.runner.shutdown()
    ctx.db.dispose()
    return ids


def job_counts(data: Path) -> dict[str, int]:
    with sqlite3.connect(data / "baoxue.sqlite3") as db:
        return dict(db.execute("SELECT status, count(*) FROM jobs GROUP BY status").fetchall())


def package(n: int) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("一、部署/控辍保学工作方案.txt", f"控辍保学工作方案 第{n}版\n" * 50)
        z.writestr(
            "一、部署/会议签到表.csv",
            "姓名,职务,签名\n" + "".join(f"教师{i},班主任,已签\n" for i in range(40)),
        )
        z.writestr("二、监测/重点监测学生名单.csv", "姓名,班级,原因\n韦某,八年级3班,厌学\n")
    return buf.getvalue()


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def cpu_steal_seconds() -> float:
    """Steal time of all CPUs so far (/proc/stat; 0 where there is none)."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = stat.readline().split()
        return int(fields[8]) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


async def main(
    seconds: float, readers: int, uploaders: int, think: float, web_workers: int | None
) -> int:
    data = Path(tempfile.mkdtemp(prefix="baoxue-load-"))
    ids = seed(data)
    port = free_port()
    server_log = (data / "server-stderr.txt").open("wb")
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/baoxue"), "serve", "--data", str(data), "--port", str(port)]
        + (["--workers", str(web_workers)] if web_workers else []),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=server_log,  # a file: an unread pipe would block the server once full
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        async with httpx.AsyncClient(
            base_url=base, timeout=30, limits=httpx.Limits(max_connections=readers + uploaders + 5)
        ) as client:
            started = time.monotonic() + 120  # a loaded 2-core machine took over 20 s once
            while time.monotonic() < started:
                try:
                    if (await client.get("/login")).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.2)
            page = await client.get("/login")
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
            login = await client.post(
                "/login",
                data={"username": "clerk", "password": PASSWORD, "csrf_token": csrf},
                headers={"cookie": f"bx_csrf={csrf}"},
            )
            session = re.search(r"bx_session=([^;]+)", login.headers["set-cookie"]).group(1)  # type: ignore[union-attr]
            cookie = {"cookie": f"bx_session={session}"}
            me_response = await client.get("/api/me", headers=cookie)
            if me_response.status_code != 200:
                raise SystemExit(f"登录后 /api/me 答 {me_response.status_code}: {me_response.text}")
            me = me_response.json()
            token_page = await client.post(
                "/tokens", data={"name": "bench", "csrf_token": me["csrf_token"]}, headers=cookie
            )
            token = re.search(r'<code id="new-token">([^<]+)</code>', token_page.text).group(1)  # type: ignore[union-attr]
            bearer = {"authorization": f"Bearer {token}"}
            paths = [
                f"/schools/{ids['school']}",
                f"/documents/{ids['document']}",
                f"/api/schools/{ids['school']}/documents",
            ]
            views: list[float] = []
            by_path: dict[str, list[float]] = {path: [] for path in paths}
            uploads: list[float] = []
            errors: dict[str, int] = {"views": 0, "uploads": 0}
            error_kinds: Counter[str] = Counter()
            deadline = time.monotonic() + seconds

            async def reader(n: int) -> None:
                i = n
                # People do not click in lockstep: start at a random moment of the first
                # think time and vary each pause (uniform 0.5–1.5 × think), otherwise all
                # readers arrive in one burst every second.
                await asyncio.sleep(random.uniform(0, think))
                while time.monotonic() < deadline:
                    path = paths[i % len(paths)]
                    i += 1
                    t0 = time.perf_counter()
                    try:
                        r = await client.get(path, headers=cookie)
                        ok = r.status_code == 200
                        why = f"HTTP {r.status_code}"
                    except httpx.HTTPError as exc:
                        ok, why = False, type(exc).__name__
                    if not ok:
                        error_kinds[f"{path} {why}"] += 1
                    views.append(time.perf_counter() - t0)
                    by_path[path].append(views[-1])
                    errors["views"] += not ok
                    await asyncio.sleep(think * random.uniform(0.5, 1.5))  # reading the page

            async def uploader(n: int) -> None:
                k = 0
                while time.monotonic() < deadline:
                    k += 1
                    body = package(n * 100000 + k)
                    t0 = time.perf_counter()
                    try:
                        r = await client.post(
                            f"/api/schools/{ids['school']}/packages",
                            files={"file": (f"包{n}-{k}.zip", body)},
                            headers=bearer,
                        )
                        ok = r.status_code == 202
                        why = f"HTTP {r.status_code}"
                    except httpx.HTTPError as exc:
                        ok, why = False, type(exc).__name__
                    if not ok:
                        error_kinds[f"upload {why}"] += 1
                    uploads.append(time.perf_counter() - t0)
                    errors["uploads"] += not ok
                    await asyncio.sleep(0.2)

            lags: list[float] = []

            async def loop_lag() -> None:
                # How late this load generator's own event loop wakes up: a request is timed
                # here, so a starved client inflates every latency it measures.
                while time.monotonic() < deadline:
                    t0 = time.perf_counter()
                    await asyncio.sleep(0.01)
                    lags.append(time.perf_counter() - t0 - 0.01)

            started = time.monotonic()
            stolen = cpu_steal_seconds()
            await asyncio.gather(
                *(reader(i) for i in range(readers)),
                *(uploader(i) for i in range(uploaders)),
                loop_lag(),
            )
            elapsed = time.monotonic() - started
            stolen = cpu_steal_seconds() - stolen
            final_status = (await client.get("/api/schools", headers=bearer)).status_code
        report = {
            "seconds": round(elapsed, 1),
            "readers": readers,
            "think_seconds": think,
            "uploaders": uploaders,
            "page_views": {
                "requests": len(views),
                "per_second": round(len(views) / elapsed, 1),
                "p50_ms": round(pct(views, 0.5) * 1000, 1),
                "p95_ms": round(pct(views, 0.95) * 1000, 1),
                "p99_ms": round(pct(views, 0.99) * 1000, 1),
                "errors": errors["views"],
                "p95_ms_by_page": {
                    path: round(pct(times, 0.95) * 1000, 1) for path, times in by_path.items()
                },
            },
            "uploads": {
                "requests": len(uploads),
                "per_second": round(len(uploads) / elapsed, 1),
                "p50_ms": round(pct(uploads, 0.5) * 1000, 1),
                "p95_ms": round(pct(uploads, 0.95) * 1000, 1),
                "p99_ms": round(pct(uploads, 0.99) * 1000, 1),
                "errors": errors["uploads"],
            },
            "error_kinds": dict(error_kinds),
            "server_stderr": (data / "server-stderr.txt").read_text("utf-8", "replace")[-2000:],
            "mean_view_ms": round(statistics.fmean(views) * 1000, 1) if views else None,
            "final_status": final_status,
            "audit_jobs": job_counts(data),  # background audits of the uploads, by status
            # CPU time the hypervisor gave to other guests while this run wanted it, and the
            # load generator's own lateness: both inflate the latencies above.
            "cpu_steal_seconds": round(stolen, 2),
            "client_loop_lag_p95_ms": round(pct(lags, 0.95) * 1000, 1) if lags else None,
        }
        print(json.dumps(report, ensure_ascii=False, indent=2))
        ok = not errors["views"] and not errors["uploads"]
        print(
            f"目标：页面无错误且 p95 < 200 ms —— {'达到' if ok and report['page_views']['p95_ms'] < 200 else '未达到'}"
        )
        return 0 if ok else 1
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        server_log.close()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--readers", type=int, default=50)
    parser.add_argument("--uploaders", type=int, default=5)
    parser.add_argument(
        "--think",
        type=float,
        default=1.0,
        help="seconds a reader waits between pages (0: closed loop)",
    )
    parser.add_argument(
        "--workers", type=int, default=None, help="web processes (default: baoxue serve's)"
    )
    args = parser.parse_args()
    sys.exit(
        asyncio.run(main(args.seconds, args.readers, args.uploaders, args.think, args.workers))
    )
