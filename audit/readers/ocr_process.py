"""The OCR engine in a child process, so that a page can be stopped at its time limit.

The engine (onnxruntime under RapidOCR) runs in C and cannot be interrupted from Python: a page
it chokes on would hold the audit for as long as it takes. Each page is therefore recognised in
a child process that holds the engine (`OcrProcess`):

- started only when a page or photo is to be recognised (a package without scans starts none),
  then reused for the following pages, so the models are loaded once;
- given `OcrLimits.page_seconds` a page: a page not done by then is `OcrTimeout`, and the child
  is killed (SIGKILL) and started afresh for the next page;
- `OcrLimits.start_seconds` to start (import and load the models): a child that cannot start is
  `OcrUnavailable` for the rest of the session, logged once, and pages stay scanned.

`audit.parallel.Reader` opens a `session()` for its package: the child ends with the read. A
read outside a session (`read_bytes` called directly, a worker process of audit/parallel.py)
uses the process's own child, which ends with the process. Children are daemonic, so
multiprocessing terminates them when their parent exits normally, and each watches its parent
and exits when the parent is gone (killed), so none is left behind.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from PIL import Image

from audit.readers.ocr import OcrLimits, Recognised

log = logging.getLogger(__name__)

# How often a child looks whether its parent is still there (seconds).
PARENT_WATCH_SECONDS = 1.0
# How long a killed or closed child is waited for before it is left to the system (seconds).
JOIN_SECONDS = 5.0


class OcrTimeout(Exception):
    """The page was not recognised within `page_seconds`; the child has been killed."""


class OcrUnavailable(Exception):
    """The child could not be started, or died on the page."""


class OcrProcess:
    """One child process holding the engine; pages are recognised one at a time."""

    def __init__(self) -> None:
        self._process: BaseProcess | None = None
        self._conn: Connection | None = None
        self._broken: str | None = None  # why the child cannot be started
        self._lock = threading.Lock()  # one page at a time, whatever the threads
        self.started = 0  # children started, restarts included
        self.killed = 0  # children killed at a page's time limit

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def recognise(self, image: Image.Image, limits: OcrLimits) -> Recognised:
        """The engine's reading of `image`, within `limits.page_seconds`."""
        with self._lock:
            conn = self._start(limits.start_seconds)
            try:
                conn.send(image)
                done = conn.poll(limits.page_seconds)
            except OSError as exc:  # the child died as the page was sent
                self._stop()
                raise OcrUnavailable(f"OCR process lost ({type(exc).__name__})") from exc
            if not done:
                self.killed += 1
                self._stop()
                raise OcrTimeout(f"page not recognised within {limits.page_seconds:g} s")
            try:
                status, value = conn.recv()
            except (EOFError, OSError) as exc:  # killed (memory) or crashed on the page
                self._stop()
                raise OcrUnavailable("OCR process died on the page") from exc
        if status != "ok":
            raise OcrUnavailable(str(value))
        found: Recognised = value
        return found

    def close(self) -> None:
        with self._lock:
            self._stop()

    def _start(self, seconds: float) -> Connection:
        if self._conn is not None and self._process is not None and self._process.is_alive():
            return self._conn
        self._stop()
        if self._broken is not None:
            raise OcrUnavailable(self._broken)
        context = multiprocessing.get_context("spawn")  # pdfium and onnxruntime are not fork-safe
        mine, theirs = context.Pipe()
        process = context.Process(
            target=_serve,
            args=(theirs, _threads(), os.getpid()),
            name="baoxue-ocr",
            daemon=True,
        )
        process.start()
        theirs.close()  # so the child's end closing is seen here as EOF
        self._process, self._conn = process, mine
        self.started += 1
        try:
            ready = mine.poll(seconds)
            status, value = mine.recv() if ready else ("error", f"not ready in {seconds:g} s")
        except (EOFError, OSError):
            status, value = "error", "exited while starting"
        if status != "ready":
            self._stop()
            self._broken = f"OCR process did not start: {value}"
            log.warning("%s; scanned pages are left for a person", self._broken)
            raise OcrUnavailable(self._broken)
        return mine

    def _stop(self) -> None:
        process, conn = self._process, self._conn
        self._process = self._conn = None
        if conn is not None:
            conn.close()  # a live child sees EOF and exits; a busy one is killed below
        if process is None:
            return
        if process.is_alive():
            process.kill()
        process.join(JOIN_SECONDS)
        if process.exitcode is None:
            log.warning("OCR process %s did not exit after SIGKILL", process.pid)
        else:
            process.close()


def _threads() -> int:
    """onnxruntime threads for the child: all cores (its default) for a child of the main
    process; one for a child of a worker process, where the workers are the parallelism."""
    return 1 if multiprocessing.parent_process() is not None else -1


_session: ContextVar[OcrProcess | None] = ContextVar("baoxue_ocr_process", default=None)
_own: OcrProcess | None = None
_own_lock = threading.Lock()


def current() -> OcrProcess:
    """The OCR process of the current session, else this process's own."""
    found = _session.get()
    if found is not None:
        return found
    global _own
    with _own_lock:
        if _own is None:
            _own = OcrProcess()
        return _own


@contextmanager
def session() -> Iterator[OcrProcess]:
    """An OCR process for the reads inside the block (one package), ended with it."""
    process = OcrProcess()
    token = _session.set(process)
    try:
        yield process
    finally:
        _session.reset(token)
        process.close()


def _serve(conn: Connection, threads: int, parent: int) -> None:
    """The child: load the engine, then recognise each image sent until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    threading.Thread(target=_watch, args=(parent,), name="baoxue-ocr-parent", daemon=True).start()
    try:
        from audit.readers.ocr import engine, recognise, use_threads

        use_threads(threads)
        engine()
    except Exception as exc:  # e.g. the engine's package cannot be imported
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", os.getpid()))
    while True:
        try:
            image = conn.recv()
        except (EOFError, OSError):
            return  # the parent closed the pipe, or is gone
        reply: tuple[str, Any]
        try:
            reply = ("ok", recognise(image))
        except Exception as exc:  # one page the engine fails on: say so, keep serving
            reply = ("error", f"{type(exc).__name__}: {exc}")
        try:
            conn.send(reply)
        except OSError:
            return


def _watch(parent: int) -> None:
    """Exit when the parent is gone (killed: it had no chance to end this process)."""
    while os.getppid() == parent:
        time.sleep(PARENT_WATCH_SECONDS)
    os._exit(1)
