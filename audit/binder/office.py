"""Office files (DOCX, DOC, XLSX, XLS, WPS, RTF, ODF) printed to PDF by LibreOffice, as a person
printing them would see them.

LibreOffice starts in ≈ 1–2 s with a warm profile and ≈ 3–8 s with a new one, then converts a
small document in ≈ 0.1–0.3 s, so each worker keeps one throwaway profile for the whole binder
and converts its files in batches (`soffice --convert-to pdf a b c …`; 43 files: ≈ 11 s in one
batch, 13 s in three). A batch converts its files
in order and prints `convert A -> …` on stdout as each one is loaded (or `Error: source file
could not be loaded` on stderr), which gives a per-file time limit: when no file reports within
`seconds`, the batch is killed (its whole process group), the file it was on is listed as timed
out, and the rest of the batch is converted by a new one. Several workers run side by side where
a core is free (`free_cores`).

LibreOffice parses untrusted files here, as in audit/readers/soffice.py: headless, its own
throwaway profile, no network asked of it, a time limit, in a new session killed as a whole;
should this process die first (a job worker killed), coreutils' `timeout` ends the batch once
it has had every file's limit.
"""

from __future__ import annotations

import math
import os
import queue
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from audit.readers.soffice import convert_command

BATCH_MAX = 100  # files a LibreOffice process converts before the next one starts
STARTUP_SECONDS = 45.0  # added to the first file's limit: a new profile on a busy machine
NOT_INSTALLED = (
    "未安装 LibreOffice（libreoffice-writer-nogui / libreoffice-calc-nogui），无法转换为 PDF"
)
NOT_LOADED = "LibreOffice 无法打开此文件（文件已损坏、加密或格式不受支持）"


@dataclass
class OfficeJob:
    source: Path  # its stem is unique among the jobs (the work folder names it)
    target: Path  # where the PDF goes
    failure: str | None = None


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def free_cores() -> int:
    """Cores not busy with other work now (1-minute load average), at least 1."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    try:
        load = os.getloadavg()[0]
    except OSError:
        return 1
    return max(1, min(cores, math.floor(cores - load + 0.5)))


def pdf_complete(path: Path) -> bool:
    """A PDF written to its end (LibreOffice writes %%EOF last)."""
    try:
        size = path.stat().st_size
        if size < 64:
            return False
        with path.open("rb") as fh:
            fh.seek(max(0, size - 1024))
            return b"%%EOF" in fh.read()
    except OSError:
        return False


def convert_office(
    jobs: list[OfficeJob],
    work: Path,
    *,
    workers: int = 1,
    seconds: float = 60.0,
    done: Callable[[OfficeJob], None] | None = None,
    cancel: threading.Event | None = None,
) -> None:
    """Convert every job's source to its target PDF, or set its `failure` (Chinese).
    `cancel` set: LibreOffice is killed and the jobs left are not converted."""
    if not jobs:
        return
    program = soffice()
    if program is None:
        for job in jobs:
            job.failure = NOT_INSTALLED
            if done:
                done(job)
        return
    count = max(1, min(workers, len(jobs)))
    # One worker: one batch (LibreOffice starts once). Several: two batches each, so a worker
    # that finishes early takes over the rest of the work.
    size = min(BATCH_MAX, math.ceil(len(jobs) / (1 if count == 1 else count * 2)))
    chunks: list[list[OfficeJob]] = [jobs[i : i + size] for i in range(0, len(jobs), size)]
    lock = threading.Lock()

    stop = cancel or threading.Event()

    def take() -> list[OfficeJob] | None:
        with lock:
            return chunks.pop(0) if chunks and not stop.is_set() else None

    def give_back(rest: list[OfficeJob]) -> None:
        with lock:
            chunks.insert(0, rest)

    def report(job: OfficeJob) -> None:
        if done:
            with lock:
                done(job)

    threads = [
        threading.Thread(
            target=_Worker(program, work / f"office-{i}", seconds, stop).run,
            args=(take, give_back, report),
            name=f"binder-office-{i}",
        )
        for i in range(count)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


class _Worker:
    def __init__(self, program: str, home: Path, seconds: float, stop: threading.Event) -> None:
        self.stop = stop
        self.program = program
        self.home = home
        self.seconds = seconds
        self.started = False  # the profile exists: later batches start faster

    def run(
        self,
        take: Callable[[], list[OfficeJob] | None],
        give_back: Callable[[list[OfficeJob]], None],
        report: Callable[[OfficeJob], None],
    ) -> None:
        while (chunk := take()) is not None:
            finished, rest = self.batch(chunk)
            if rest:
                give_back(rest)
            for job in finished:
                report(job)

    def batch(self, chunk: list[OfficeJob]) -> tuple[list[OfficeJob], list[OfficeJob]]:
        """Convert a batch; returns the jobs finished and those to convert again."""
        out = self.home / "out"
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        # A backstop for a LibreOffice whose parent died (a job worker killed): coreutils'
        # timeout runs it in its own process group and kills that group when the whole batch
        # has had every file's limit. While this process lives, the per-file limit below acts.
        backstop = shutil.which("timeout")
        whole = self.seconds * len(chunk) + STARTUP_SECONDS
        wrapper = [backstop, "-s", "KILL", f"{whole:.0f}"] if backstop else []
        sources = [j.source for j in chunk]
        command = [
            *wrapper,
            *convert_command(
                self.program, self.home / "profile", "pdf", out, sources, "--nodefault"
            ),
        ]
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        events: queue.Queue[tuple[str, str | None]] = queue.Queue()
        readers = [
            threading.Thread(target=_pump, args=(name, stream, events), daemon=True)
            for name, stream in (("out", process.stdout), ("err", process.stderr))
        ]
        for r in readers:
            r.start()
        index = {j.source.name: i for i, j in enumerate(chunk)}
        position = 0  # files that have reported (loaded, or failed to load)
        converting: int | None = None  # the file reported as loaded last, being written
        closed = 0
        limit = self.seconds + (0 if self.started else STARTUP_SECONDS)
        deadline = time.monotonic() + limit
        timed_out = False
        while closed < 2:
            try:
                wait = min(0.5, max(0.0, deadline - time.monotonic()))
                stream, line = events.get(timeout=wait)
            except queue.Empty:
                if self.stop.is_set():
                    _kill(process)
                    return [], []
                if time.monotonic() < deadline:
                    continue
                timed_out = True
                break
            if line is None:
                closed += 1
                continue
            if stream == "out" and line.startswith("convert "):
                parts = line.split()
                found = index.get(Path(parts[1]).name) if len(parts) > 1 else None
                if found is not None:
                    position, converting = found + 1, found
            elif stream == "err" and line.startswith("Error:"):
                position, converting = position + 1, None
            else:
                continue
            deadline = time.monotonic() + self.seconds
        if timed_out:
            _kill(process)
        else:
            try:
                process.wait(timeout=self.seconds)
            except subprocess.TimeoutExpired:
                _kill(process)
        self.started = True
        culprit: int | None = None
        if timed_out:
            culprit = position if position < len(chunk) else None
            writing = converting is not None and converting == position - 1
            if writing and not pdf_complete(out / f"{chunk[position - 1].source.stem}.pdf"):
                culprit = position - 1
        stop = len(chunk) if culprit is None else culprit
        finished = [self._collect(job, out) for job in chunk[:stop]]
        if culprit is None:
            return finished, []
        late = chunk[culprit]
        late.failure = f"转换超时（超过 {self.seconds:g} 秒），未能转换为 PDF"
        return [*finished, late], chunk[culprit + 1 :]

    @staticmethod
    def _collect(job: OfficeJob, out: Path) -> OfficeJob:
        produced = out / f"{job.source.stem}.pdf"
        if pdf_complete(produced):
            shutil.move(produced, job.target)
        else:
            job.failure = NOT_LOADED
        return job


def _pump(name: str, stream: IO[bytes] | None, events: queue.Queue[tuple[str, str | None]]) -> None:
    if stream is not None:
        for raw in stream:
            events.put((name, raw.decode("utf-8", "replace").strip()))
    events.put((name, None))


def _kill(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()
    process.wait()
