"""Worker processes that exist only while there is work for them.

`IdlePool` wraps an executor that is made by the first task and shut down once no task has
been running for `idle_seconds`: the job workers (batch printing, audits) and the renderer
of one document for a web request hold what their work imports — WeasyPrint and the fonts
(≈ 110 MB once a document is rendered), pdfium, openpyxl, the audit's readers, and while
they work the batch's renderers and the OCR process — so a service at rest holds none of
it (issue 23 §6; `benchmarks/serve_idle.py`). The next task after a pause waits for its
process to start and import (≈ 1–2 s).
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import BrokenExecutor, Executor, Future
from typing import Any

log = logging.getLogger("baoxue.workers")


def exit_with_parent(parent: int | None = None) -> None:
    """End this process when its parent goes (killed services must not leave workers behind:
    a spawned worker holds both ends of its task pipe and would wait for work forever).
    Pass the parent's pid when known: a parent killed while this process was starting has
    already been replaced by the reaper."""
    parent = parent or os.getppid()

    def watch_parent() -> None:
        while os.getppid() == parent:
            time.sleep(2)
        os._exit(1)

    threading.Thread(target=watch_parent, name="baoxue-parent-watch", daemon=True).start()


def init_worker(service: int | None = None, nice: int = 0) -> None:
    """A worker process of the service: Ctrl-C is the service's to handle (the terminal
    signals the whole process group), and the worker ends with the service."""
    if nice:
        os.nice(nice)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    exit_with_parent(service)


class IdlePool:
    """An executor made on the first `submit` and shut down after `idle_seconds` without a
    task (None: kept until `shutdown`). A pool broken by a dead worker is dropped, so the
    next task gets a fresh one."""

    def __init__(self, make: Callable[[], Executor], idle_seconds: float | None, name: str) -> None:
        self._make = make
        self.idle_seconds = idle_seconds
        self.name = name
        self._lock = threading.Lock()
        self._executor: Executor | None = None
        self._running = 0  # tasks submitted and not finished
        self._idle: threading.Timer | None = None
        self.started = 0  # executors made (a test and the benchmark read it)

    @property
    def alive(self) -> bool:
        return self._executor is not None

    def submit(self, fn: Callable[..., Any], /, *args: Any) -> Future[Any]:
        with self._lock:
            self._cancel_idle()
            if self._executor is None:
                self._executor = self._make()
                self.started += 1
            executor = self._executor
            self._running += 1  # counted at once: the pool is not retired under this task
        try:
            future = executor.submit(fn, *args)
        except Exception:
            with self._lock:
                self._running -= 1
                self._drop(executor)  # shut down or broken: a fresh one for the next task
            raise
        future.add_done_callback(lambda f: self._done(executor, f))
        return future

    def _done(self, executor: Executor, future: Future[Any]) -> None:
        broken = not future.cancelled() and isinstance(future.exception(), BrokenExecutor)
        with self._lock:
            self._running -= 1
            if broken:
                self._drop(executor)
            if self._running == 0 and self._executor is not None and self.idle_seconds is not None:
                self._idle = threading.Timer(self.idle_seconds, self._retire)
                self._idle.daemon = True
                self._idle.start()

    def _drop(self, executor: Executor) -> None:
        if self._executor is executor:
            self._executor = None
            executor.shutdown(wait=False)

    def _cancel_idle(self) -> None:
        if self._idle is not None:
            self._idle.cancel()
            self._idle = None

    def _retire(self) -> None:
        with self._lock:
            if self._running or self._executor is None:
                return
            executor, self._executor, self._idle = self._executor, None, None
        log.info("%s idle for %s s: stopped", self.name, self.idle_seconds)
        executor.shutdown(wait=False)

    def shutdown(self, wait: bool = True) -> None:
        with self._lock:
            self._cancel_idle()
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=wait, cancel_futures=True)
