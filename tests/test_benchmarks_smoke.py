"""The benchmarks still run (tiny sizes; figures are not checked — CI never asserts times).

Regression: benchmarks/audit.py broke silently when the reader's worker default went away.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def _run(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_audit_benchmark_runs(tmp_path: Path) -> None:
    out = _run("benchmarks/audit.py", "--pages", "40", "--out", str(tmp_path))
    assert "baoxue run_audit + JSON report" in out and "pdfplumber extract_text only" in out


def test_audit_benchmark_two_forms_a_page_runs(tmp_path: Path) -> None:
    """20 pages of two boxed 送教 forms each: the passes are named and every visit is read with
    every field right (the lower form of a page lost a column before pdf_grid merged its rules
    by position)."""
    out = _run(
        "benchmarks/audit.py", "--layout", "two-forms", "--pages", "20", "--out", str(tmp_path)
    )
    for name in (
        "baoxue run_audit + JSON report",
        "pypdfium2 get_text_range only",
        "pdfplumber extract_text only",
        "baoxue/pypdfium2",
        "visits (送教 records): expected 40, read 40 ",
        "missed 0, read with every field right 40",
        "all visits read: ",
        "≤ 500 MB peak: ",
    ):
        assert name in out, out
    expected = json.loads((tmp_path / "audit-two-forms-20.expected.json").read_text("utf-8"))
    assert len(expected) == 40 and {v["page"] for v in expected} == set(range(1, 21))
    assert len({v["date"] for v in expected}) == 40  # spread over the year, one a slot


@pytest.mark.parametrize(
    ("layout", "pages", "visits"), [("rect-forms", 20, 40), ("plain-table", 4, 40)]
)
def test_audit_benchmark_layouts_drawn_by_another_program_run(
    tmp_path: Path, layout: str, pages: int, visits: int
) -> None:
    """Layouts drawn by reportlab (issue 20 §7): every visit drawn is read with every field
    right, and each home-taught student's 4.4–4.7 verdict printed (all pass)."""
    out = _run(
        "benchmarks/audit.py", "--layout", layout, "--pages", str(pages), "--out", str(tmp_path)
    )
    for name in (
        "drawn by reportlab",
        "baoxue/pypdfium2",
        f"visits (送教 records): expected {visits}, read {visits} ",
        f"missed 0, read with every field right {visits}",
        "home-teaching verdicts per student: 4.4 3 pass; 4.5 3 pass; 4.6 3 pass; 4.7 3 pass",
    ):
        assert name in out, out


def test_audit_read_benchmark_runs(tmp_path: Path) -> None:
    out = _run("benchmarks/audit_read.py", "--pages", "40", "--out", str(tmp_path))
    assert "pdfplumber" in out and "pages/s" in out


def test_batch_benchmark_runs() -> None:
    out = _run("benchmarks/batch.py", "--rows", "8", "--baseline-rows", "2")
    assert "baoxue batch (merged PDF)" in out and "one call per record" in out


def test_reconcile_benchmark_runs() -> None:
    import json

    figures = json.loads(_run("benchmarks/reconcile.py", "--rows", "400"))
    # 户籍: every 50th pupil left out (8), a child without 学籍 added after every 40th (10, but
    # not where the pupil was left out: 0 and 200) — 400 − 8 + 8
    assert figures["rows"] == {"household": 400, "enrolment": 400}
    assert figures["categories"]["out_of_school"] == 8 and figures["peak_mb"] > 0


def test_service_load_benchmark_runs() -> None:
    out = _run("benchmarks/service_load.py", "--seconds", "3", "--readers", "3", "--uploaders", "1")
    assert '"page_views"' in out and '"errors": 0' in out


def test_peak_memory_of_a_pass_is_its_own(tmp_path: Path) -> None:
    """Regression: a pass started by a parent holding much memory reported the parent's peak
    (ru_maxrss survives exec), so every pass of audit.py after a fresh build read ≈ 215 MB."""
    child = tmp_path / "child.py"
    child.write_text(
        "import json, sys\n"
        f"sys.path.insert(0, {str(ROOT / 'benchmarks')!r})\n"
        "from measure import peak_mb\n"
        "print(json.dumps({'peak_mb': peak_mb()}))\n"
    )
    parent = (
        "import sys\n"
        f"sys.path.insert(0, {str(ROOT / 'benchmarks')!r})\n"
        "from measure import run_child\n"
        "held = bytearray(300 * 2**20)\n"
        "for i in range(0, len(held), 4096):\n"
        "    held[i] = 1\n"
        f"print(run_child({str(child)!r})['peak_mb'])\n"
    )
    peak = float(_run("-c", parent).strip())
    assert peak < 150


def test_binder_benchmark_runs(tmp_path: Path) -> None:
    out = _run("benchmarks/binder.py", "--files", "45", "--out", str(tmp_path))
    for line in (
        "stage",
        "audit",
        "convert",
        "render",
        "merge",
        "zip",
        "total",
        "reference: pypdf",
    ):
        assert line in out, out
    assert "unconverted 0" in out, out


def test_queue_benchmark_runs() -> None:
    out = _run(
        "benchmarks/job_queue.py",
        *("--audits", "1", "--batches", "1", "--rows", "3", "--workers", "1", "--readers", "1"),
    )
    assert (
        "| workers | jobs | minutes | jobs/min | worker CPU s/job |" in out
        and "| 1 | 2 (0 failed) |" in out
    ), out
