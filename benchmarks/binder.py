"""The school's 迎检资料 (audit/binder) of a 300-file package: the time of each step.

    .venv/bin/python benchmarks/binder.py [--files 300] [--out benchmarks/out] [--workers N]
    .venv/bin/python benchmarks/binder.py --files 300 --also 100     # memory against files

Builds (once, cached in --out) a school's package as schools hand them in: the compliant fixture
school (tests/fixtures/packages/build.py, 36 files) and, until --files, what a year adds — per
pupil home-visit records and leave notes (DOCX), weekly attendance sheets (XLSX), study
materials (text PDFs of 1–3 pages), phone photos of home visits (4032 × 3024 JPEG, ≈ 1–2 MB,
EXIF dates), a few CSV exports, TXT notes, Word 97 .doc (written by LibreOffice) and Excel 97
.xls (xlwt). Then, in a child process so that its peak memory is its own, `make_binder` writes
the PDF and the zip, and the script prints the time of each step (audit, place, convert,
render, merge, zip) and the total, the LibreOffice workers used, pages, sizes, CPU seconds, the
peak RSS of the Python process (VmHWM) and of the whole process tree (LibreOffice included,
sampled), and the load average before and after — on a shared machine, judge the wall-clock
time beside the load.

Target (issue 21): ≤ 60 s for 300 files on this 2-core machine.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # before benchmarks/, whose audit.py is no package
sys.path.insert(0, str(ROOT / "tests"))

from measure import TreePeak, cpu_seconds, peak_mb, run_child  # noqa: E402

PERIOD = (date(2025, 9, 1), date(2026, 7, 15))
CHECKLIST = "liupu-supervision-2024"
MIX = (  # share of the generated files by kind (the fixture school comes first)
    ("docx", 0.34),
    ("xlsx", 0.18),
    ("pdf", 0.15),
    ("jpg", 0.22),
    ("csv", 0.03),
    ("txt", 0.02),
    ("doc", 0.03),
    ("xls", 0.03),
)


def _photo(rng: random.Random, taken: str) -> bytes:
    import numpy as np
    from PIL import Image

    w, h = 4032, 3024
    y, x = np.mgrid[0:h:4, 0:w:4]
    base = np.stack(
        [
            # saturated colours, as a photo of people in a room is (not a paper: no OCR)
            (rng.randint(110, 170) + 40 * np.sin(x / 97 + rng.random() * 6)).astype(np.uint8),
            (rng.randint(50, 90) + 30 * np.cos(y / 131)).astype(np.uint8),
            (rng.randint(20, 50) + 15 * np.sin((x + y) / 211)).astype(np.uint8),
        ],
        axis=-1,
    )
    noise = np.random.default_rng(rng.randint(0, 1 << 30)).integers(0, 24, base.shape)
    img = Image.fromarray((base + noise).astype(np.uint8)).resize((w, h))
    exif = Image.Exif()
    exif[0x0132] = taken
    exif.get_ifd(0x8769)[0x9003] = taken
    out = io.BytesIO()
    img.save(out, "JPEG", quality=85, exif=exif)
    return out.getvalue()


def _word97(docx_bytes: list[bytes], work: Path) -> list[bytes]:
    """Word 97 .doc files, written by LibreOffice from DOCX (as a clerk's old Word saves them)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None or not docx_bytes:
        return []
    for i, data in enumerate(docx_bytes):
        (work / f"d{i}.docx").write_bytes(data)
    subprocess.run(
        [
            soffice, "--headless", "--norestore",
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--convert-to", "doc:MS Word 97", "--outdir", str(work / "out"),
            *[str(work / f"d{i}.docx") for i in range(len(docx_bytes))],
        ],
        capture_output=True, timeout=600, check=False,
    )  # fmt: skip
    return [(work / "out" / f"d{i}.doc").read_bytes() for i in range(len(docx_bytes))]


def build(out: Path, files: int) -> Path:
    """The package folder (cached: a second run with the same --files reuses it)."""
    root = out / f"binder-{files}"
    done = out / f"binder-{files}.built"
    if done.is_file():
        return root
    shutil.rmtree(root, ignore_errors=True)
    import xlwt
    from fixtures.packages import school as s
    from fixtures.packages.build import compliant
    from fixtures.packages.docs import Grid, csv_bytes, docx, pdf, xlsx

    rng = random.Random(21)
    package: dict[str, bytes] = dict(compliant())
    names = [n for n, _ in s.pupils(60)]
    extra = max(0, files - len(package))
    counts = {kind: int(extra * share) for kind, share in MIX}
    counts["docx"] += extra - sum(counts.values())
    day = date(2025, 9, 8)
    word97_sources: list[bytes] = []
    for i in range(counts["docx"]):
        name, when = names[i % len(names)], day + timedelta(days=i * 2)
        if i % 3 == 2:
            title = f"学生请假条（{name}）"
            body = [title, f"因病请假{1 + i % 3}天，自{s.cn(when)}起。", "班主任：韦老师"]
            package[f"二、防辍学/请假条/请假条-{name}-{i}.docx"] = docx(body)
            continue
        grid = [
            ["学生姓名", name, "家访时间", s.cn(when)],
            ["家访教师", "李老师、韦老师", "家长", "父亲"],
        ]
        grid += [["家访内容", "了解学生在家学习生活情况，宣传控辍保学政策。" * 3, "", ""]]
        body: list[Any] = [f"{name}家访记录", Grid(grid), "家长签名：" + name[0] + "某"]
        data = docx(body)
        package[f"二、防辍学/家访记录/家访记录-{name}-{i}.docx"] = data
        if len(word97_sources) < counts["doc"]:
            word97_sources.append(data)
    for i in range(counts["xlsx"]):
        week = day + timedelta(weeks=i)
        rows: list[list[object]] = [
            [f"第{i + 1}周学生考勤表（{s.cn(week)}起）"],
            ["班级", "姓名", "周一", "周二", "周三", "周四", "周五"],
        ]
        for j, n in enumerate(names[:40]):
            rows.append([f"{7 + j % 3}年级{1 + j % 2}班", n, "√", "√", "√", "√", "√"])
        package[f"二、防辍学/考勤表/第{i + 1:02d}周考勤表.xlsx"] = xlsx({"考勤": rows})
    for i in range(counts["pdf"]):
        text = f"控辍保学政策学习材料第{i + 1}篇：义务教育法规定，适龄儿童少年应当按时入学。"
        paragraphs = [text * 4] * (4 + 8 * (i % 3))
        package[f"一、部署/学习材料/学习材料{i + 1:02d}.pdf"] = pdf(f"学习材料{i + 1}", paragraphs)
    for i in range(counts["jpg"]):
        when = day + timedelta(days=i * 3)
        stamp = when.strftime("%Y:%m:%d") + " 10:30:00"
        package[f"四、送教上门/李小华/送教照片/送教{i + 1:02d}.jpg"] = _photo(rng, stamp)
    for i in range(counts["csv"]):
        rows = [["姓名", "班级", "联系电话"]] + [[n, "7年级1班", "13800000000"] for n in names]
        package[f"二、防辍学/导出名单/名单{i + 1}.csv"] = csv_bytes(rows)
    for i in range(counts["txt"]):
        package[f"五、其他/说明{i + 1}.txt"] = ("本文件为学校控辍保学工作说明。\n" * 30).encode()
    for i in range(counts["xls"]):
        book = xlwt.Workbook()
        sheet = book.add_sheet("名单")
        for r, n in enumerate(names[:30]):
            sheet.write(r, 0, n)
            sheet.write(r, 1, "7年级1班")
        buf = io.BytesIO()
        book.save(buf)
        package[f"二、防辍学/旧名单/名单{i + 1}.xls"] = buf.getvalue()
    with tempfile.TemporaryDirectory() as folder:
        for i, data in enumerate(_word97(word97_sources, Path(folder))):
            package[f"二、防辍学/家访记录/旧格式-家访记录{i + 1}.doc"] = data
    for path, data in package.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    done.write_text(str(len(package)))
    return root


def _rss() -> tuple[float, float]:
    """This process's RSS and peak RSS now (MB)."""
    values = {}
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(("VmRSS:", "VmHWM:")):
                values[line.split(":")[0]] = int(line.split()[1]) / 1024
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


def pypdf_child(pdf: str) -> dict[str, Any]:
    """The reference: pypdf's PdfWriter holding the same pages (every page of the binder
    added, then written), as a merge with PdfWriter would hold them before writing."""
    from pypdf import PdfReader, PdfWriter

    before = _rss()[0]
    start = time.perf_counter()
    writer = PdfWriter()
    for page in PdfReader(pdf).pages:
        writer.add_page(page)
    with open(os.devnull, "wb") as sink:
        writer.write(sink)
    return {"seconds": time.perf_counter() - start, "grew_mb": _rss()[1] - before}


def child(package: str, out: str, workers: int | None) -> dict[str, Any]:
    from audit.binder import make_binder

    load = os.getloadavg()
    target = Path(out)
    steps: list[tuple[str, float]] = []
    start = time.perf_counter()

    memory: dict[str, tuple[float, float]] = {}  # step → (RSS, peak RSS) as it starts, MB

    def progress(step: str, done: int, total: int) -> None:
        if not steps or steps[-1][0] != step:
            steps.append((step, time.perf_counter() - start))
            memory.setdefault(step, _rss())

    with TreePeak() as tree:
        result = make_binder(
            Path(package),
            CHECKLIST,
            PERIOD,
            [target / "迎检资料.pdf", target / "迎检资料.zip"],
            progress=progress,
            workers=workers,
        )
    kinds: dict[str, int] = {}
    for doc in result.plan.docs():
        suffix = Path(doc.name).suffix.lower()
        kinds[suffix] = kinds.get(suffix, 0) + 1
    return {
        "files": result.documents,
        "kinds": kinds,
        "pages": result.pages,
        "unconverted": result.unconverted,
        "workers": result.workers,
        "layouts": result.plan.layouts,
        "timings": result.timings,
        "pdf_mb": (target / "迎检资料.pdf").stat().st_size / 2**20,
        "zip_mb": (target / "迎检资料.zip").stat().st_size / 2**20,
        "cpu": cpu_seconds(),
        "peak_mb": peak_mb(workers=0),
        "tree_peak_mb": tree.mb,
        "memory": memory,
        "load_before": load,
        "load_after": os.getloadavg(),
    }


def report(r: dict[str, Any]) -> None:
    t = r["timings"]
    print(f"files {r['files']} ({', '.join(f'{k} {v}' for k, v in sorted(r['kinds'].items()))})")
    sizes = f"PDF {r['pdf_mb']:.1f} MB, zip {r['zip_mb']:.1f} MB"
    print(f"pages {r['pages']}, {sizes}, unconverted {len(r['unconverted'])}")
    for path, why in r["unconverted"]:
        print(f"  unconverted: {path}: {why}")
    print(f"LibreOffice workers {r['workers']}; final layout passes {r['layouts']}")
    notes = {
        "convert": "(in a thread beside the audit)",
        "prelayout": "(目录 and dividers counted while LibreOffice still converts)",
        "total": "(wall clock, start to end)",
    }
    steps = ("stage", "audit", "place", "convert", "prelayout", "render", "merge", "zip", "total")
    for step in steps:
        print(f"  {step:8s} {t.get(step, 0.0):7.2f} s {notes.get(step, '')}")
    print(f"CPU {r['cpu']:.1f} s (this process and its children)")
    print(f"peak RSS {r['peak_mb']:.0f} MB (Python, VmHWM), {r['tree_peak_mb']:.0f} MB (tree)")
    m = r["memory"]
    if "merge" in m and "zip" in m:
        print(
            f"merge: RSS {m['merge'][0]:.0f} MB as it starts, peak {m['merge'][1]:.0f} → "
            f"{m['zip'][1]:.0f} MB by its end (the PDF is streamed: no growth with pages)"
        )
    if "pypdf" in r:
        p = r["pypdf"]
        print(
            f"reference: pypdf PdfWriter holding the same {r['pages']} pages grows by "
            f"{p['grew_mb']:.0f} MB ({p['seconds']:.1f} s)"
        )
    lb, la = r["load_before"], r["load_after"]
    print(f"load average before {lb[0]:.2f} {lb[1]:.2f}, after {la[0]:.2f} {la[1]:.2f}")
    target = 60.0
    verdict = "met" if t["total"] <= target else "NOT met"
    print(
        f"target ≤ {target:g} s for 300 files: {verdict} ({t['total']:.1f} s for {r['files']} files)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--also", type=int, default=0, help="a second, smaller package")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "out"))
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--child", nargs=2, metavar=("PACKAGE", "OUT"))
    parser.add_argument("--pypdf-child", metavar="PDF")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], args.child[1], args.workers)))
        return
    if args.pypdf_child:
        print(json.dumps(pypdf_child(args.pypdf_child)))
        return
    out = Path(args.out)
    for files in [args.files] + ([args.also] if args.also else []):
        package = build(out, files)
        print(f"== {package} ==")
        extra = ["--workers", str(args.workers)] if args.workers else []
        target = out / f"binder-{files}-out"
        result = run_child(__file__, *extra, "--child", str(package), str(target))
        result["pypdf"] = run_child(__file__, "--pypdf-child", str(target / "迎检资料.pdf"))
        report(result)


if __name__ == "__main__":
    main()
