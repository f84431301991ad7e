"""Batch printing benchmark: 1,000 one-page return notices into one merged PDF.

    .venv/bin/python benchmarks/batch.py [--rows 1000] [--workers 2] [--chunk-size 100]
                                         [--baseline-rows 100] [--individual]

Prints, in one run, for baoxue (`forms.batch.run_batch`, chunked, worker processes, pypdf
merge) and for the naive baseline (one WeasyPrint call per record — `render_record` — measured
on the first `--baseline-rows` records and scaled to `--rows`): pages per second, total
seconds, PDF size, and peak memory (RSS of the whole process tree, workers included, sampled
every 50 ms with psutil), and the ratio. `--individual` also times individual PDFs cut out of
the chunk renders against one render per record. Targets (issue 3, 2-core machine): 1,000
notices in ≤ 12 s and ≥ 10× the baseline, PDF ≤ 4 MB, peak memory ≤ 800 MB.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from fixtures.rosters import plain_xlsx  # noqa: E402

from forms.batch import BatchRequest, run_batch  # noqa: E402

DEFAULTS = """\
number_pattern: "荔浦二中劝返〔2026〕第{n:04d}号"
issue_date: 2026-03-13
学校:
  学校名称: 荔浦市第二初级中学
  所在乡镇: 修仁镇
  联系人: 莫老师
  联系电话: 0773-7212345
"""


class PeakRss:
    """Peak resident memory of this process plus all its children, sampled."""

    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval
        self.peak = 0
        self.child_cpu: dict[int, float] = {}  # last CPU seconds seen for each worker
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> int:
        me = psutil.Process()
        total = me.memory_info().rss
        for child in me.children(recursive=True):
            with contextlib.suppress(psutil.NoSuchProcess):
                total += child.memory_info().rss
                times = child.cpu_times()
                self.child_cpu[child.pid] = times.user + times.system
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._sample())
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakRss:
        self.peak = self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._sample())


CPU: dict[str, tuple[float, float]] = {}


def measure(fn: Callable[[], Any], label: str = "") -> tuple[float, int, Any]:
    """Wall seconds, peak RSS of the process tree, result; CPU seconds (this process,
    workers) go to CPU[label] — workers may be fork-server children, so psutil, not rusage."""
    with PeakRss() as peak:
        before = time.thread_time()  # this (main) thread only, not the sampler
        start = time.perf_counter()
        value = fn()
        seconds = time.perf_counter() - start
        own = time.thread_time() - before
    CPU[label] = (own, sum(peak.child_cpu.values()))
    return seconds, peak.peak, value


def baseline(roster: Path, defaults: Path, rows: int) -> tuple[int, int]:
    """One WeasyPrint call per record (what a script around `baoxue render` does)."""
    from forms.batch_plan import load_defaults, make_plan, model_columns, prepare
    from forms.profiles import get_profile
    from forms.registry import get_form
    from forms.render.document import render_record, validate_record
    from forms.roster import read_roster

    kind, profile = get_form("return_notice"), get_profile("liupu-2026")
    plan = make_plan(
        kind, read_roster(roster, None, model_columns(kind)), load_defaults(kind, defaults)
    )
    jobs, _ = prepare(plan)
    size = pages = 0
    for job in jobs[:rows]:
        pdf = render_record(kind, validate_record(kind, job.data), profile, ("pdf",))["pdf"]
        size += len(pdf)
        pages += 1
    return pages, size


def mb(n: float) -> str:
    return f"{n / 1e6:.1f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--chunk-size", type=int, default=100)
    parser.add_argument("--baseline-rows", type=int, default=100)
    parser.add_argument("--individual", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        roster = work / "roster.xlsx"
        plain_xlsx(roster, args.rows)
        defaults = work / "defaults.yaml"
        defaults.write_text(DEFAULTS, encoding="utf-8")
        print(
            f"{args.rows} return notices, {args.workers} worker(s), chunks of {args.chunk_size}, "
            f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}"
        )

        merged = work / "out" / "print.pdf"
        request = BatchRequest(
            "return_notice",
            roster,
            "liupu-2026",
            work / "out",
            defaults=defaults,
            merged=merged,
            workers=args.workers,
            chunk_size=args.chunk_size,
        )
        seconds, peak, result = measure(lambda: run_batch(request), "baoxue")
        assert result.printed == args.rows, result.errors[:3]
        pages, size = result.merged_pages, merged.stat().st_size

        b_seconds, b_peak, (b_pages, b_size) = measure(
            lambda: baseline(roster, defaults, args.baseline_rows), "baseline"
        )
        scale = args.rows / b_pages
        b_total, b_size_total = b_seconds * scale, b_size * scale

        print()
        print(f"{'':34}{'pages/s':>9}{'total s':>10}{'PDF size':>11}{'peak RSS':>11}")
        print(
            f"{'baoxue batch (merged PDF)':34}{pages / seconds:9.1f}{seconds:10.1f}"
            f"{mb(size):>11}{mb(peak):>11}"
        )
        print(
            f"{f'one call per record (x{scale:g})':34}{b_pages / b_seconds:9.1f}{b_total:10.1f}"
            f"{mb(b_size_total):>11}{mb(b_peak):>11}"
        )
        print(
            f"{'ratio (baseline / baoxue)':34}{'':9}{b_total / seconds:9.1f}x"
            f"{b_size_total / size:10.1f}x"
        )
        main_cpu, worker_cpu = CPU["baoxue"]
        b_cpu = sum(CPU["baseline"]) * scale
        print(
            f"CPU seconds: baoxue {main_cpu:.1f} main + {worker_cpu:.1f} workers "
            f"({(main_cpu + worker_cpu) / pages * 1000:.0f} ms a page); baseline {b_cpu:.1f} "
            f"({b_cpu / args.rows * 1000:.0f} ms a page); load average now {os.getloadavg()[0]:.1f}"
        )
        print()
        verdict = {
            "≤ 12 s": seconds <= 12,
            "≥ 10× baseline": b_total / seconds >= 10,
            "PDF ≤ 4 MB": size <= 4e6,
            "peak ≤ 800 MB": peak <= 800e6,
        }
        print(
            "targets: "
            + ", ".join(f"{k} {'met' if ok else 'NOT met'}" for k, ok in verdict.items())
        )

        if args.individual:
            out = work / "single"
            request = BatchRequest(
                "return_notice",
                roster,
                "liupu-2026",
                out,
                defaults=defaults,
                formats=("pdf",),
                workers=args.workers,
                chunk_size=args.chunk_size,
            )
            i_seconds, i_peak, i_result = measure(lambda: run_batch(request))
            i_size = sum(p.stat().st_size for p in i_result.files)
            print()
            print(
                f"individual PDFs cut from chunk renders: {len(i_result.files)} files in "
                f"{i_seconds:.1f} s, {mb(i_size)}, peak {mb(i_peak)}; one call per record "
                f"(1 process): ≈{b_total:.1f} s, {mb(b_size_total)}"
            )


if __name__ == "__main__":
    main()
