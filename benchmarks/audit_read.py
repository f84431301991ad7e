"""Reading a 1,000-page born-digital evidence package end to end, beside pdfplumber alone.

    .venv/bin/python benchmarks/audit_read.py [--pages 1000] [--out benchmarks/out]

Builds (once, cached in --out) a package of PDFs the way a school's is made — meeting minutes,
plans and visit records as prose, home-teaching records compiled one table per page — then, each
in its own process so peak memory is its own:

1. baoxue: `read_package` (inventory, sha256, pypdfium2 text, classification, pdfplumber tables
   for table kinds only, facts) — pages/s and peak RSS;
2. baseline: pdfplumber `extract_text` of every page of the same files;
3. baoxue again on a quarter and a half of the package, to show memory does not grow with pages.

Targets (issue 4): ≥ 100 pages/s end to end, peak memory ≤ 500 MB, flat in the page count.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from measure import cpu_seconds, pdfplumber_pass, peak_mb, run_child  # noqa: E402

PAGES_PER_FILE = 20
TABLE_SHARE = 5  # every 5th file is a compiled table record


def _prose_pages(index: int) -> list[object]:
    from fixtures.packages.docs import PAGE_BREAK

    parts: list[object] = []
    for page in range(PAGES_PER_FILE):
        if page:
            parts.append(PAGE_BREAK)
        day = 1 + (index + page) % 28
        parts.append(
            f"2025年10月{day}日，东昌镇人民政府王明、新村村委会李强与班主任黄丽到学生家中开展劝返。"
        )
        parts += [
            "向家长宣传《义务教育法》和控辍保学政策，了解学生思想动态和家庭困难，"
            "制定一生一案帮扶措施，家长表示支持学生返校。" * 3
        ] * 6
    return parts


def _table_pages(index: int) -> list[object]:
    from fixtures.packages.docs import PAGE_BREAK

    parts: list[object] = []
    for page in range(PAGES_PER_FILE):
        if page:
            parts.append(PAGE_BREAK)
        day = 1 + page % 28
        parts += [
            "送教上门记录表",
            [
                ["学生姓名", f"学生{index}", "送教日期", f"2026年3月{day}日"],
                ["起止时间", "9:00-11:00", "课时数", "3节"],
                ["每课时时长", "40分钟", "送教教师", "李老师、王老师"],
                ["送教内容", "生活语文、康复训练", "", ""],
            ],
        ]
    return parts


def build(out: Path, pages: int) -> Path:
    from fixtures.packages.docs import pdf

    root = out / f"package-{pages}"
    marker = root / ".complete"
    if marker.exists():
        return root
    files = pages // PAGES_PER_FILE
    for i in range(files):
        if i % TABLE_SHARE == TABLE_SHARE - 1:
            path = root / "四、送教上门" / f"学生{i}" / "送教上门记录（汇编）.pdf"
            data = pdf("", _table_pages(i))  # type: ignore[arg-type]
        else:
            path = root / "三、政策性休学" / f"学生{i}" / f"劝返记录{i}.pdf"
            data = pdf(f"劝返记录（第{i}册）", _prose_pages(i))  # type: ignore[arg-type]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        print(f"  built {i + 1}/{files}", end="\r", file=sys.stderr)
    marker.write_text("ok")
    return root


def _subset(root: Path, share: float) -> list[Path]:
    files = sorted(p for p in root.rglob("*.pdf"))
    return files[: max(1, int(len(files) * share))]


def run_baoxue(root: str, share: float, workers: int) -> dict[str, float]:
    import shutil
    import tempfile

    from audit.ingest import read_package

    source = Path(root)
    if share < 1:
        tmp = Path(tempfile.mkdtemp())
        for path in _subset(source, share):
            target = tmp / path.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target)
        source = tmp
    start = time.perf_counter()
    facts = read_package(source, workers=workers)
    seconds = time.perf_counter() - start
    pages = sum(f.pages or 0 for f in facts.files)
    return {
        "pages": pages,
        "seconds": seconds,
        "sessions": len(facts.sessions),
        "visits": len(facts.visits),
        # the main process plus each worker at its own peak: an upper bound of the total
        "peak_mb": peak_mb(workers if workers > 1 else 0),
        "cpu": cpu_seconds(),
    }


def _child(what: str, root: Path, share: float = 1.0, workers: int = 1) -> dict[str, float]:
    args = ("--child", what, "--root", str(root), "--share", str(share), "--workers", str(workers))
    return run_child(__file__, *args)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out")
    parser.add_argument("--child")
    parser.add_argument("--root")
    parser.add_argument("--share", type=float, default=1.0)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    if args.child:
        if args.child == "baoxue":
            print(json.dumps(run_baoxue(args.root, args.share, args.workers)))
        else:
            print(json.dumps(pdfplumber_pass(args.root)))
        return
    root = build(args.out, args.pages)
    print(
        f"package: {root} ({args.pages} pages, {PAGES_PER_FILE} pages a file, every "
        f"{TABLE_SHARE}th file a compiled table record)"
    )
    load = os.getloadavg()[0]
    ours = _child("baoxue", root)
    pair = _child("baoxue", root, workers=2)
    base = _child("pdfplumber", root)
    print(
        f"load average before: {load:.1f} (other work on the machine slows wall time; CPU s does not)"
    )
    head = f"{'pass':<34}{'pages':>7}{'wall s':>8}{'pages/s':>9}{'CPU s':>8}{'pages/CPU s':>13}{'peak MB':>9}"
    print(head)
    passes = (
        ("baoxue read_package, 1 process", ours),
        ("baoxue read_package, 2 workers", pair),
        ("pdfplumber extract_text only", base),
    )
    for name, r in passes:
        rate, cpu_rate = r["pages"] / r["seconds"], r["pages"] / r["cpu"]
        print(
            f"{name:<34}{r['pages']:>7.0f}{r['seconds']:>8.2f}{rate:>9.1f}{r['cpu']:>8.2f}"
            f"{cpu_rate:>13.1f}{r['peak_mb']:>9.0f}"
        )
    print(
        f"speed-up over pdfplumber: {base['seconds'] / ours['seconds']:.1f}×; facts: "
        f"{ours['sessions']:.0f} sessions, {ours['visits']:.0f} visits"
    )
    print("memory against pages (baoxue, 1 process):")
    for share in (0.25, 0.5, 1.0):
        r = ours if share == 1.0 else _child("baoxue", root, share)
        print(
            f"  {r['pages']:>5.0f} pages: peak {r['peak_mb']:.0f} MB, {r['pages'] / r['seconds']:.1f} pages/s"
        )


if __name__ == "__main__":
    main()
