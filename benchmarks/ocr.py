"""Scanned pages read by OCR, beside the born-digital read of the same pages.

    .venv/bin/python benchmarks/ocr.py [--pages 100] [--out benchmarks/out]

Builds (once, cached in --out) N pages of 送教上门记录表 (one session a page, the fixture
school's `home_teaching_files(style="pdf-compiled")`, 20 pages a file) born digital, and the same
files printed and scanned back (tests/fixtures/packages/docs.py `scanned_copy`: 150 dpi, 1–3°
skew, noise, JPEG quality 60, image-only PDF). Then, each pass in its own process so its peak
memory (VmHWM) is its own:

1. born digital: `read_package` of the text-layer PDFs — the baseline;
2. scanned, one process: `read_package` with OCR (render at 200 dpi, RapidOCR, grid rebuilt);
3. scanned, 2 worker processes (`workers=2`: OCR where a core is free);
4. scanned, a quarter of the pages, one process: memory must not grow with pages;
5. photos, one process: --photos phone photos (JPEG, EXIF date; `photo_of`) of a baoxue-generated
   送教上门记录表, one a file, against that form born digital;
6. photos, `workers=2`.

Each pass prints pages, wall seconds, pages/s, CPU seconds, the main process's peak (VmHWM) and
the process tree's (worker and OCR processes included, sampled every 0.2 s); the OCR passes also
how many sessions they read and how many equal the born-digital ones (student, date, times,
课时, minutes). `--only pdf` or `--only photos` runs the born-digital baseline and those passes.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from measure import TreePeak, cpu_seconds, peak_mb, run_child  # noqa: E402

PAGES_PER_FILE = 20
STUDENT = "李小华"


def _sessions(pages: int) -> list[tuple[date, str, int, int]]:
    start = date(2025, 9, 1)
    days = [
        start + timedelta(days=d) for d in range(320) if (start + timedelta(days=d)).weekday() < 5
    ]
    return [(days[i % len(days)], "9:00-11:00", 3, 40) for i in range(pages)]


def build(out: Path, pages: int) -> tuple[Path, Path]:
    """born/ and scanned/ packages of `pages` pages (cached)."""
    from fixtures.packages import school
    from fixtures.packages.docs import scanned_copy

    born, scanned = out / f"ocr-born-{pages}", out / f"ocr-scanned-{pages}"
    if (scanned / ".done").exists():
        return born, scanned
    sessions = _sessions(pages)
    for index in range(0, pages, PAGES_PER_FILE):
        files = school.home_teaching_files(
            STUDENT, date(2025, 9, 1), sessions[index : index + PAGES_PER_FILE],
            documents=(), style="pdf-compiled",
        )  # fmt: skip
        (data,) = files.values()
        name = f"送教上门记录{index // PAGES_PER_FILE + 1:02d}.pdf"
        for root, content in ((born, data), (scanned, scanned_copy(data, seed=index))):
            root.mkdir(parents=True, exist_ok=True)
            (root / name).write_bytes(content)
    (scanned / ".done").write_text("")
    return born, scanned


def build_photos(out: Path, photos: int) -> tuple[Path, Path]:
    """A baoxue-generated 送教上门记录表 (born digital, in its own folder) and `photos` phone
    photos of it, one a file, each turned by another angle (cached). The fixture school's
    compiled pages hold four lines each, under the six a photo needs to count as a paper."""
    from fixtures.packages.docs import photo_of

    form, root = out / "ocr-photo-form", out / f"ocr-photos-{photos}"
    if (root / ".done").exists():
        return form, root
    import yaml

    from forms.paths import SAMPLES_DIR
    from forms.profiles import get_profile
    from forms.registry import get_form
    from forms.render.document import render_record, validate_record

    kind = get_form("home_teaching_record")
    data = yaml.safe_load((SAMPLES_DIR / "home_teaching_record.yaml").read_text("utf-8"))
    record = validate_record(kind, data)
    pdf: bytes = render_record(kind, record, get_profile("liupu-2026"), ("pdf",))["pdf"]
    form.mkdir(parents=True, exist_ok=True)
    (form / "送教上门记录表.pdf").write_bytes(pdf)
    root.mkdir(parents=True, exist_ok=True)
    for index in range(photos):
        angle = (3.0, -2.0, 1.5, -1.0)[index % 4]
        shot = photo_of(pdf, "2025:10:15 11:20:00", angle=angle)
        (root / f"IMG_{index + 1:04d}.jpg").write_bytes(shot)
    (root / ".done").write_text("")
    return form, root


def run_read(root: str, workers: int) -> dict[str, Any]:
    from audit.ingest import read_package

    with TreePeak() as tree:
        start = time.perf_counter()
        facts = read_package(
            Path(root), period=(date(2025, 9, 1), date(2026, 7, 15)), workers=workers
        )
        seconds = time.perf_counter() - start
    return {
        "pages": sum(f.pages or f.path.endswith(".jpg") for f in facts.files),
        "seconds": seconds,
        "cpu": cpu_seconds(),
        "peak_mb": peak_mb(0),
        "tree_mb": tree.mb,
        "scanned_left": sum(len(f.scanned_pages) for f in facts.files),
        "sessions": sorted(_session(s) for s in facts.sessions),
    }


def _session(s: Any) -> list[Any]:
    times = [str(s.date), str(s.start), str(s.end), s.periods, s.minutes_per_period]
    return [s.prov.file, s.prov.page, s.student, *times]


def _child(root: Path, workers: int = 1) -> dict[str, Any]:
    return run_child(__file__, "--child", str(root), "--workers", str(workers))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out")
    parser.add_argument("--child")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--photos", type=int, default=20)
    parser.add_argument("--only", choices=("pdf", "photos"))
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_read(args.child, args.workers), ensure_ascii=False))
        return
    born, scanned = build(args.out, args.pages)
    quarter = build(args.out, max(PAGES_PER_FILE, args.pages // 4))[1]
    form, photos = build_photos(args.out, args.photos)
    print(f"packages: {born} / {scanned} ({args.pages} pages of 送教上门记录表, one a page)")
    print(f"load average before: {os.getloadavg()[0]:.1f}; {os.cpu_count()} cores")
    base = _child(born)
    passes = [("born digital, read_package", base)]
    form_base = _child(form) if args.only != "pdf" else base
    if args.only != "photos":
        passes += [
            ("scanned + OCR, 1 process", _child(scanned)),
            ("scanned + OCR, workers=2", _child(scanned, 2)),
            ("scanned + OCR, 1/4 of pages", _child(quarter)),
        ]
    if args.only != "pdf":
        passes += [
            ("photos + OCR, 1 process", _child(photos)),
            ("photos + OCR, workers=2", _child(photos, 2)),
        ]
    print(
        f"{'pass':<30}{'pages':>6}{'wall s':>9}{'pages/s':>9}{'s/page':>8}{'CPU s':>8}"
        f"{'own MB':>8}{'tree MB':>9}{'sessions':>10}{'= born':>8}{'left':>6}"
    )
    for name, r in passes:
        want = {tuple(s[2:]) for s in (form_base if "photos" in name else base)["sessions"]}
        same = sum(tuple(s[2:]) in want for s in r["sessions"])
        print(
            f"{name:<30}{r['pages']:>6.0f}{r['seconds']:>9.2f}{r['pages'] / r['seconds']:>9.2f}"
            f"{r['seconds'] / r['pages']:>8.2f}{r['cpu']:>8.1f}{r['peak_mb']:>8.0f}"
            f"{r['tree_mb']:>9.0f}{len(r['sessions']):>10}{same:>8}{r['scanned_left']:>6}"
        )
    named = dict(passes)
    for kind in ("scanned", "photos"):
        one, two = named.get(f"{kind} + OCR, 1 process"), named.get(f"{kind} + OCR, workers=2")
        if one and two:
            print(
                f"{kind}: OCR / born digital "
                f"{base['pages'] / base['seconds'] / (one['pages'] / one['seconds']):.0f}× slower; "
                f"workers=2 / 1 process: {one['seconds'] / two['seconds']:.2f}× faster"
            )


if __name__ == "__main__":
    main()
