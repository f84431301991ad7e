"""What the audit benchmarks share: CPU and peak memory of a run, the pdfplumber and pypdfium2
baselines, and running one pass in a child process so each pass is measured on its own."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any


def cpu_seconds() -> float:
    """CPU seconds of this process and of any worker processes it waited for."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _own_peak_kb() -> int:
    """This process's peak RSS since it started its program (kB).

    Linux's ru_maxrss survives exec: a pass started by a parent holding 300 MB reports 300 MB
    whatever it used itself (the benchmark's parent builds packages with WeasyPrint). VmHWM is
    the peak of this program's own address space."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def peak_mb(workers: int = 1) -> float:
    """Peak RSS of this process plus `workers` × the largest child's peak (an upper bound
    of the tree when workers ran; the child term is 0 when none did)."""
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (_own_peak_kb() + workers * kids) / 1024


class TreePeak:
    """The peak of the summed RSS of this process and all its descendants, sampled every
    `every` seconds in a thread: worker processes and the OCR child included, at their
    real size (peak_mb's `workers` × largest child is an upper bound only)."""

    def __init__(self, every: float = 0.2) -> None:
        self.every = every
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreePeak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def mb(self) -> float:
        return self.peak_kb / 1024

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.peak_kb = max(self.peak_kb, _tree_rss_kb(os.getpid()))


def _tree_rss_kb(root: int) -> int:
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            status = (entry / "status").read_text()
        except OSError:
            continue
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
        rss[int(entry.name)] = next(
            (int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")),
            0,
        )
    tree, grown = {root}, True
    while grown:
        more = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= more
        grown = bool(more)
    return sum(rss.get(pid, 0) for pid in tree)


def pdfplumber_pass(root: str) -> dict[str, float]:
    """The baseline: pdfplumber's extract_text over every PDF page under root."""
    import pdfplumber

    start = time.perf_counter()
    pages = 0
    for path in sorted(Path(root).rglob("*.pdf")):
        with pdfplumber.open(path) as doc:
            for page in doc.pages:
                page.extract_text()
                page.close()
                pages += 1
    return {
        "pages": pages,
        "seconds": time.perf_counter() - start,
        "cpu": cpu_seconds(),
        "peak_mb": peak_mb(),
    }


def pdfium_pass(root: str) -> dict[str, float]:
    """The floor: pypdfium2's text of every PDF page under root, nothing else (the library the
    audit's PDF reader is built on, so no reader of these files can be much faster)."""
    import pypdfium2

    start = time.perf_counter()
    pages = 0
    for path in sorted(Path(root).rglob("*.pdf")):
        doc = pypdfium2.PdfDocument(path)
        try:
            for i in range(len(doc)):
                page = doc[i]
                textpage = page.get_textpage()
                textpage.get_text_range()
                textpage.close()
                page.close()
                pages += 1
        finally:
            doc.close()
    return {
        "pages": pages,
        "seconds": time.perf_counter() - start,
        "cpu": cpu_seconds(),
        "peak_mb": peak_mb(),
    }


def run_child(script: str, *args: str) -> dict[str, Any]:
    """Run `script --child …` in a fresh interpreter; its last stdout line is the JSON result."""
    out = subprocess.run(
        [sys.executable, script, *args], check=True, capture_output=True, text=True
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result
