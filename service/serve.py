"""Running the web service: one process, or several sharing the port.

Python runs one request's code at a time per process, so on a 2-core server a single process
kept page views waiting behind upload handling (p95 ≈ 0.5–0.7 s under the load benchmark).
With several processes:
- the start-up chores — migrations, sweeping half-written uploads, resetting jobs a crash
  left running (in-process pool only: on the queue, other machines' workers may be running
  them, and dead workers are found by their heartbeats, `service.queue.recovery`) — run
  once, in a short-lived child of the parent, before the workers start; each worker only
  submits the queued jobs (a job is claimed by one worker only, see
  `service.jobs.execute_job`);
- each worker listens on its own SO_REUSEPORT socket, so the kernel spreads connections over
  the workers (with one shared socket, the first worker to wake accepted a whole burst of
  browser connections and the other idled);
- the parent restarts a worker that dies and stops them all on Ctrl-C or SIGTERM.

At rest the service is the parent, the resource tracker multiprocessing starts with the first
spawned process, and the web workers — nothing else (issue 23 §6, `benchmarks/serve_idle.py`).
The parent imports no web, storage or document code (the chores ran in the child), and job
workers (with the batch's renderers and the OCR process) start with a job, and the renderer of
documents with the first document a page asks for (`service.workers.IdlePool`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import logging
import multiprocessing
import os
import signal
import socket
import sys
import time
from multiprocessing import resource_tracker
from typing import Any

from service.config import ServiceConfig

log = logging.getLogger("baoxue.serve")

RESTARTS_PER_MINUTE = 5


class ServeError(Exception):
    """The service cannot start (message in Chinese, for the command line)."""


def default_workers() -> int:
    return max(1, min(2, os.cpu_count() or 1))


def run(config: ServiceConfig, host: str, port: int, workers: int) -> None:
    if workers <= 1 or not hasattr(socket, "SO_REUSEPORT"):
        import uvicorn

        from service.app import create_app

        app = create_app(config)
        settle_heap(app)
        uvicorn.run(app, host=host, port=port, log_level="warning")
        return
    _check_port_free(host, port)
    prepare_in_child(config)
    Supervisor(dataclasses.replace(config, primary=False), host, port).run(workers)


def prepare_in_child(config: ServiceConfig) -> None:
    """Run the start-up chores in a child process that then exits: the parent, which lives
    as long as the service, never imports the web, storage and document code they need
    (≈ 110 MB it would hold for nothing). The child ignores Ctrl-C, so a migration is never
    cut half-way; the parent waits for it either way."""
    context = multiprocessing.get_context("spawn")
    resource_tracker.ensure_running()  # started here, before SIGINT is blocked for the child
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})  # inherited
    try:
        child = context.Process(target=_prepare, args=(config,), name="baoxue-prepare")
        child.start()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    try:
        child.join()
    except KeyboardInterrupt:
        child.join()  # the chores finish; then the interruption goes on
        raise
    if child.exitcode != 0:
        raise ServeError("服务启动准备（数据库迁移、清理）失败，服务未启动；请查看上面的错误信息")


def _prepare(config: ServiceConfig) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    try:
        from service.app import build_context
        from service.jobs import reset_interrupted

        context = build_context(config, runner=_NoRunner())  # migrate and sweep, once
        if not config.uses_queue:  # the queue's workers may be running jobs: leave them
            reset_interrupted(context.db, config)
        context.db.dispose()
    except Exception as exc:  # one line for the user, not a traceback (the parent says the rest)
        log.debug("start-up chores failed", exc_info=True)
        sys.stderr.write(f"错误：{type(exc).__name__}: {exc}\n")
        sys.stderr.flush()
        os._exit(1)


def settle_heap(app: Any) -> None:
    """Do before serving what the first requests would otherwise do, then freeze the start-up
    heap out of the garbage collector.

    Each web process compiled its page templates, configured the ORM mappers and opened its
    database connections on the first requests: ≈ 0.3 s of CPU in which every request that
    arrived waited (they made most of the load benchmark's p99). A full collection walked the
    start-up heap's ≈ 150,000 objects (≈ 80 ms, longer under load) and stopped every request
    of the process while it ran.

    The evidence-reading code an upload's checks import (`service.adapters.audit`: pdfium,
    pdfplumber, openpyxl, the readers — ≈ 45 MB a process) is not imported here: a service
    at rest would hold it twice for nothing; the first upload a process takes imports it.
    """
    from sqlalchemy import text
    from sqlalchemy.orm import configure_mappers

    import service.ops.overview  # noqa: F401
    from service.web.render import TEMPLATES

    configure_mappers()
    for name in TEMPLATES.env.list_templates(extensions=["html"]):
        TEMPLATES.env.get_template(name)
    with app.state.ctx.db.session() as db:
        db.execute(text("SELECT 1"))
    gc.collect()
    gc.freeze()


def listening_socket(host: str, port: int, share: bool = True) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if share:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def _check_port_free(host: str, port: int) -> None:
    # Without SO_REUSEPORT: a second `baoxue serve` on the same port would otherwise join the
    # first one's sockets and the two would answer requests at random.
    try:
        listening_socket(host, port, share=False).close()
    except OSError as exc:
        raise ServeError(f"无法监听 {host}:{port}：{exc.strerror}（端口可能已被占用）") from exc


def serve_worker(config: ServiceConfig, host: str, port: int, supervisor: int) -> None:
    """One web process: its own app, job runner and listening socket.

    Ctrl-C in a terminal reaches every process of the group; the supervisor answers it by
    stopping the workers (SIGTERM), so a worker ignores SIGINT — it was started with SIGINT
    blocked, and ignores it before it unblocks it, so even a worker still starting up prints
    no KeyboardInterrupt.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    import uvicorn

    from service.app import create_app
    from service.workers import exit_with_parent

    exit_with_parent(supervisor)  # a killed supervisor must not leave workers holding the port
    sock = listening_socket(host, port)
    sock.listen(2048)
    web = create_app(config)
    app = RecycleConnections(web)
    settle_heap(web)
    # uvicorn installs its own SIGINT handler while serving and re-raises the signal at exit
    with contextlib.suppress(KeyboardInterrupt):
        uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[sock])


class RecycleConnections:
    """Ask the client to reconnect after `every` requests on one keep-alive connection.

    The kernel assigns a connection to a worker once, by a hash of its addresses; a browser
    or proxy that keeps its connections open would stay on one worker however busy it is
    (measured: 75 % / 25 % CPU between the workers and p95 ≈ 0.3–0.5 s against ≈ 0.1 s when
    balanced). A fresh connection is hashed afresh, so the load evens out; on a LAN the
    extra handshake every few requests costs well under a millisecond.
    """

    def __init__(self, app: Any, every: int = 8) -> None:
        self.app = app
        self.every = every
        self.served: dict[tuple[str, int], int] = {}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        client = scope.get("client") if scope["type"] == "http" else None
        if not client:
            await self.app(scope, receive, send)
            return
        key = (client[0], client[1])
        count = self.served.get(key, 0) + 1
        if len(self.served) > 10_000:  # connections closed by the client leave entries
            self.served.clear()
        if count < self.every:
            self.served[key] = count
            await self.app(scope, receive, send)
            return
        self.served.pop(key, None)

        async def send_closing(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", []) if h[0].lower() != b"connection"]
                message = {**message, "headers": [*headers, (b"connection", b"close")]}
            await send(message)

        await self.app(scope, receive, send_closing)


class Supervisor:
    def __init__(self, config: ServiceConfig, host: str, port: int) -> None:
        self.args = (config, host, port, os.getpid())  # pickled to each spawned worker
        self.context = multiprocessing.get_context("spawn")
        self.stopping = False
        self.restarts: list[float] = []

    def _start(self, index: int) -> multiprocessing.process.BaseProcess:
        process = self.context.Process(
            target=serve_worker, args=self.args, name=f"baoxue-web-{index}"
        )
        # Start the resource tracker first: starting it unblocks SIGINT again on its way out.
        resource_tracker.ensure_running()
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})  # inherited
        try:
            process.start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        return process

    def _stop(self, signum: int, _frame: Any) -> None:
        self.stopping = True

    def run(self, workers: int) -> None:
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        processes = [self._start(i) for i in range(workers)]
        try:
            while not self.stopping:
                time.sleep(0.5)
                for i, process in enumerate(processes):
                    if process.is_alive() or self.stopping:
                        continue
                    self._count_restart(process.exitcode)
                    processes[i] = self._start(i)
        finally:
            for process in processes:
                if process.is_alive():
                    process.terminate()  # SIGTERM: uvicorn finishes the requests under way
            for process in processes:
                process.join(timeout=15)
                if process.is_alive():
                    process.kill()

    def _count_restart(self, exitcode: int | None) -> None:
        now = time.monotonic()
        self.restarts = [t for t in self.restarts if now - t < 60] + [now]
        log.warning("web worker exited (code %s); restarting", exitcode)
        if len(self.restarts) > RESTARTS_PER_MINUTE:
            raise ServeError("网页服务进程反复退出，服务已停止；请查看上面的错误信息")


class _NoRunner:
    """The parent runs no jobs; its workers do."""

    def submit(self, job_id: int) -> None:
        raise RuntimeError("the supervisor process runs no jobs")

    def shutdown(self, wait: bool = True) -> None:
        pass
