"""The whole audit on a 1,000-page born-digital package, beside pdfplumber alone on the same files.

    .venv/bin/python benchmarks/audit.py [--pages 1000] [--out benchmarks/out]

Builds (once, cached in --out) a school's package: the compliant fixture school
(tests/fixtures/packages/build.py: meetings, plans, rosters, ledgers as DOCX/XLSX/PDF/photos)
plus PDF compilations of 20 pages each until the PDFs hold --pages pages — visit records written
as prose for the suspended student and home-teaching records one table per page for the
home-taught student, so every rule has real work. Then, each pass in its own process so that
its peak memory is its own:

1. baoxue end to end: `run_audit` (inventory, sha256, reading, classification, facts, every
   rule, scoring) and the JSON report — pages/s and peak RSS;
2. baseline: pdfplumber `extract_text` of every page of the same PDFs (no classification, no
   facts, no judging);
3. baoxue end to end on packages of a quarter and a half of the pages: memory must not grow
   with pages.

The HTML/PDF report is rendered once afterwards and timed apart: its cost depends on the number
of findings and students, not on the pages read.

Targets (issue 4): ≥ 100 pages/s end to end on this 2-core machine, peak ≤ 500 MB, flat in pages.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from measure import cpu_seconds, pdfplumber_pass, peak_mb, run_child  # noqa: E402

PAGES_PER_FILE = 20
PERIOD = "2025-09-01..2026-07-15"


def _visit_pages(index: int) -> list[object]:
    """Twenty pages of persuasion-visit records told as prose (the suspended 黄小明)."""
    from fixtures.packages.docs import PAGE_BREAK

    parts: list[object] = []
    start = date(2025, 12, 1)
    for page in range(PAGES_PER_FILE):
        if page:
            parts.append(PAGE_BREAK)
        day = start + timedelta(days=(index * PAGES_PER_FILE + page) % 200)
        parts.append(
            f"{day.year}年{day.month}月{day.day}日，东昌镇人民政府王明、新村村委会李强与班主任黄丽"
            "到黄小明家中开展劝返，向家长宣传《义务教育法》，了解学生思想动态。"
        )
        parts += ["家长表示支持学生返校，学校将继续跟踪帮扶，落实一生一案各项措施。" * 3] * 6
    return parts


def _session_pages(index: int) -> list[object]:
    """Twenty home-teaching records, one table a page (the home-taught 李小华)."""
    from fixtures.packages.docs import PAGE_BREAK

    parts: list[object] = []
    for page in range(PAGES_PER_FILE):
        if page:
            parts.append(PAGE_BREAK)
        month = (9, 10, 11, 12, 1, 3, 4, 5, 6, 7)[(index + page) % 10]
        year = 2025 if month >= 9 else 2026
        parts += [
            "送教上门记录表",
            [
                ["学生姓名", "李小华", "送教日期", f"{year}年{month}月{1 + page % 27}日"],
                ["起止时间", "9:00-11:00", "课时数", "3节"],
                ["每课时时长", "40分钟", "送教教师", "李老师、王老师"],
                ["送教内容", "生活语文、康复训练", "", ""],
            ],
        ]
    return parts


def build(out: Path, pages: int) -> Path:
    from fixtures.packages.build import PACKAGES
    from fixtures.packages.docs import pdf

    root = out / f"audit-package-{pages}"
    marker = root / ".complete"
    if marker.exists():
        return root
    files = PACKAGES["compliant"].files
    assert files is not None
    for path, data in files().items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    for i in range(pages // PAGES_PER_FILE):
        if i % 2:
            path = root / "四、送教上门" / "李小华" / f"送教上门记录汇编{i}.pdf"
            data = pdf("", _session_pages(i))  # type: ignore[arg-type]
        else:
            path = root / "三、政策性休学" / "黄小明" / f"劝返记录汇编{i}.pdf"
            data = pdf(f"劝返记录（第{i}册）", _visit_pages(i))  # type: ignore[arg-type]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        print(f"  built {i + 1}/{pages // PAGES_PER_FILE}", end="\r", file=sys.stderr)
    marker.write_text("ok")
    return root


def run_baoxue(root: str) -> dict[str, float]:
    """run_audit's stages timed apart: read the package, judge it, write the JSON report."""
    from audit.checklist import resolve
    from audit.evaluate import parse_period
    from audit.report import render_report
    from audit.run import judge, read_facts

    period = parse_period(PERIOD)
    start = time.perf_counter()
    checklist = resolve("liupu-supervision-2024")
    facts = read_facts(Path(root), period)
    read = time.perf_counter()
    result = judge(facts, checklist, period, Path(root).name)
    judged = time.perf_counter()
    render_report(result, "json")
    seconds = time.perf_counter() - start
    pages = sum(f.pages or 0 for f in result.package.files if f.path.endswith(".pdf"))
    return {
        "pages": pages,
        "seconds": seconds,
        "read_s": read - start,
        "judge_s": judged - read,
        "json_s": seconds - (judged - start),
        "cpu": cpu_seconds(),
        "peak_mb": peak_mb(),
        "files": len(result.package.files),
        "pass": result.summary.counts["pass"],
        "sessions": len(facts.sessions),
        "visits": len(facts.visits),
    }


def run_report(root: str) -> dict[str, float]:
    from audit.evaluate import parse_period
    from audit.report import render_report
    from audit.run import run_audit

    result = run_audit(Path(root), "liupu-supervision-2024", period=parse_period(PERIOD))
    start = time.perf_counter()
    size = len(render_report(result, "pdf"))
    return {"seconds": time.perf_counter() - start, "bytes": size, "peak_mb": peak_mb()}


def _child(what: str, root: Path) -> dict[str, float]:
    return run_child(__file__, "--child", what, "--root", str(root))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out")
    parser.add_argument("--child")
    parser.add_argument("--root")
    args = parser.parse_args()
    if args.child:
        run = {"baoxue": run_baoxue, "pdfplumber": pdfplumber_pass, "report": run_report}
        print(json.dumps(run[args.child](args.root)))
        return
    root = build(args.out, args.pages)
    print(f"package: {root} (compliant school + {args.pages} PDF pages, {PAGES_PER_FILE} a file)")
    load = os.getloadavg()[0]
    ours = _child("baoxue", root)
    base = _child("pdfplumber", root)
    print(
        f"load average before: {load:.1f} (other work on the machine slows wall time; CPU s does not)"
    )
    print(
        f"{'pass':<40}{'pages':>7}{'wall s':>8}{'pages/s':>9}{'CPU s':>8}{'pages/CPU s':>13}{'peak MB':>9}"
    )
    for name, r in (
        ("baoxue run_audit + JSON report", ours),
        ("pdfplumber extract_text only", base),
    ):
        print(
            f"{name:<40}{r['pages']:>7.0f}{r['seconds']:>8.2f}{r['pages'] / r['seconds']:>9.1f}"
            f"{r['cpu']:>8.2f}{r['pages'] / r['cpu']:>13.1f}{r['peak_mb']:>9.0f}"
        )
    print(
        f"end to end is {base['seconds'] / ours['seconds']:.1f}× the speed of pdfplumber's text alone; "
        f"{ours['files']:.0f} files, {ours['sessions']:.0f} sessions, {ours['visits']:.0f} visits, "
        f"{ours['pass']:.0f} requirements pass"
    )
    print(
        f"stages: read {ours['read_s']:.2f} s, judge {ours['judge_s']:.3f} s, "
        f"JSON report {ours['json_s']:.3f} s"
    )
    print("memory against pages (baoxue end to end):")
    for share in (4, 2, 1):
        r = ours if share == 1 else _child("baoxue", build(args.out, args.pages // share))
        print(
            f"  {r['pages']:>5.0f} pages: peak {r['peak_mb']:.0f} MB, {r['pages'] / r['seconds']:.1f} pages/s"
        )
    report = _child("report", root)
    print(
        f"PDF report (once, independent of pages): {report['seconds']:.1f} s, "
        f"{report['bytes'] / 1024:.0f} KB, peak {report['peak_mb']:.0f} MB"
    )


if __name__ == "__main__":
    main()
