"""The whole audit on a 1,000-page born-digital package, beside pypdfium2 and pdfplumber alone
on the same files.

    .venv/bin/python benchmarks/audit.py [--pages 1000] [--out benchmarks/out]
    .venv/bin/python benchmarks/audit.py --layout two-forms [--pages 1000]

Builds (once, cached in --out) a school's package: the compliant fixture school
(tests/fixtures/packages/build.py: meetings, plans, rosters, ledgers as DOCX/XLSX/PDF/photos)
plus PDF compilations of 20 pages each until the PDFs hold --pages pages. The layout says what
those pages hold:

- `records` (default): visit records written as prose for the suspended student and
  home-teaching records one table per page for the home-taught student, so every rule has real
  work;
- `two-forms` (issue 10): every page two boxed 送教上门记录表 forms (a bordered table each:
  学生姓名, 送教日期, 送教时间 9:00-10:30, 课时数 3, 送教教师, 送教内容, 送教地点), written by
  the variant generator's `forms_files(..., mode="pdf_two_a_page")`, for four home-taught
  students on the package's 送教上门学生花名册 and 残疾儿童花名册 (李小华 of the fixture school
  and three added), one student a file, their visits spread over the school year's teaching
  days. Each form's visit is written to `<package>.expected.json` beside the package, and the
  audit's `HomeTeachingSession` facts are matched against it (file, page, student, date): visits
  expected against visits read, the forms missed, the fields read wrong.

Then, each pass in its own process so that its peak memory is its own:

1. baoxue end to end: `run_audit` (inventory, sha256, reading, classification, facts, every
   rule, scoring) and the JSON report — pages/s and peak RSS;
2. baselines: pypdfium2's text of every page of the same PDFs (the library the PDF reader is
   built on: the floor) and pdfplumber `extract_text` (no classification, no facts, no judging);
3. baoxue end to end on packages of a quarter and a half of the pages: memory must not grow
   with pages.

The HTML/PDF report is rendered once afterwards and timed apart: its cost depends on the number
of findings and students, not on the pages read.

Targets (issues 4 and 10): ≥ 100 pages/s end to end on this 2-core machine, at least half of
pypdfium2's text-only pages/s, peak ≤ 500 MB and flat in pages; with two-forms, every visit read.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from measure import cpu_seconds, pdfium_pass, pdfplumber_pass, peak_mb, run_child  # noqa: E402

PAGES_PER_FILE = 20
PERIOD = "2025-09-01..2026-07-15"
# Born-digital layouts drawn by another PDF library than baoxue's renderer (reportlab:
# tests/fixtures/packages/otherpdf.py), layout name → (generator layout, font).
OTHER = {
    "rect-forms": ("rect-forms", "cid"),
    "line-forms": ("line-forms", "cid"),
    "plain-table": ("plain-table", "cid"),
    "ruled-table": ("ruled-table", "cid"),
    "ttf-forms": ("rect-forms", "ttf"),
}
LAYOUTS = ("records", "two-forms", *OTHER)
TARGET_PAGES_S = 100
TARGET_MB = 500
TARGET_RATIO = 0.5  # of pypdfium2's text-only pages/s
HOME_TEACHING_ITEMS = ("4.4", "4.5", "4.6", "4.7")  # verdicts per student, printed


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


def _school(root: Path) -> None:
    """The compliant fixture school's files under root."""
    from fixtures.packages.build import PACKAGES

    files = PACKAGES["compliant"].files
    assert files is not None
    _write(root, files())


def _write(root: Path, files: dict[str, bytes]) -> None:
    for path, data in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def build(out: Path, pages: int, layout: str = "records") -> Path:
    if layout == "two-forms":
        return _build_two_forms(out, pages)
    if layout in OTHER:
        return _build_other(out, pages, layout)
    from fixtures.packages.docs import pdf

    root = out / f"audit-package-{pages}"
    marker = root / ".complete"
    if marker.exists():
        return root
    _school(root)
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
    print(file=sys.stderr)
    marker.write_text("ok")
    return root


# ------------------------------------------------------------------ two boxed forms a page

FORMS_PER_PAGE = 2
# (name, gender): 李小华 is the fixture school's home-taught student; the others are added to
# the rosters of this package only, so that visits of a 1,000-page package need not pile up on
# one child (a visit a slot of a teaching day, three slots a day).
HOME_TAUGHT = [("李小华", "女"), ("莫小芳", "女"), ("梁小燕", "女"), ("陈小军", "男")]
SLOTS = (("9:00", "10:30"), ("10:40", "12:10"), ("15:00", "16:30"))  # 3 课时 × 30 min
TEACHERS = ("李春梅", "王海")
CONTENT = "生活语文：认识常用汉字；康复训练"


def _teaching_days() -> list[date]:
    """Weekdays of the school year's teaching months (no February, no August)."""
    from fixtures.packages.school import PERIOD as SPAN
    from fixtures.packages.school import teaching_months

    days = []
    for y, m in teaching_months(*SPAN):
        day = date(y, m, 1)
        while day.month == m and day <= SPAN[1]:
            if day.weekday() < 5:
                days.append(day)
            day += timedelta(days=1)
    return days


def two_form_visits(pages: int) -> list[dict[str, Any]]:
    """Every form of the two-forms layout: file, page, student and the visit it records.

    File i is the (i // 4 + 1)th compilation of student i % 4; each student's visits are spread
    evenly over the (teaching day, slot) grid of the year, so dates run from September to July
    whatever the size (they repeat only past 3 × teaching days visits a student)."""
    files = pages // PAGES_PER_FILE
    per_file = PAGES_PER_FILE * FORMS_PER_PAGE
    grid = [(day, slot) for day in _teaching_days() for slot in SLOTS]
    found = []
    for i in range(files):
        n = len(HOME_TAUGHT)
        name, nth = HOME_TAUGHT[i % n][0], i // n
        total = per_file * len(range(i % n, files, n))  # the student's visits in the package
        for k in range(per_file):
            v = nth * per_file + k
            day, (start, end) = grid[
                (v * len(grid) // total) if total <= len(grid) else v % len(grid)
            ]
            found.append(
                {
                    "file": f"四、送教上门/{name}/送教上门记录汇编{nth + 1:02d}.pdf",
                    "page": k // FORMS_PER_PAGE + 1,
                    "student": name,
                    "date": day.isoformat(),
                    "start": start,
                    "end": end,
                    "periods": 3,
                    "teachers": list(TEACHERS),
                }
            )
    return found


def _form(visit: dict[str, Any]) -> list[tuple[str, str]]:
    day = date.fromisoformat(visit["date"])
    return [
        ("学生姓名", visit["student"]),
        ("送教日期", f"{day.year}年{day.month}月{day.day}日"),
        ("送教时间", f"{visit['start']}-{visit['end']}"),
        ("课时数", str(visit["periods"])),
        ("送教教师", "、".join(visit["teachers"])),
        ("送教地点", "学生家中"),
        ("送教内容", CONTENT),
    ]


def _rosters() -> dict[str, bytes]:
    """Both rosters with the four home-taught students, and the documents of the added ones."""
    from fixtures.packages import school as s
    from fixtures.packages.docs import jpeg

    since = date(2025, 9, 1)
    files = s.disabled_roster(
        [(n, g, "肢体残疾") for n, g in HOME_TAUGHT] + [("韦小兵", "男", "听力残疾")]
    )
    files |= s.home_teaching_roster([(n, since) for n, _ in HOME_TAUGHT])
    for name, _ in HOME_TAUGHT[1:]:
        files |= s.home_teaching_files(name, since, [])
        files[f"四、送教上门/{name}/送教照片/送教1.jpg"] = jpeg("2025:09:01 09:40:00")
    return files


def expected_path(root: Path) -> Path:
    return root.with_name(root.name + ".expected.json")


def _build_two_forms(out: Path, pages: int) -> Path:
    import pypdfium2
    from fixtures.variants.present import forms_files

    root = out / f"audit-two-forms-{pages}"
    marker = root / ".complete"
    if marker.exists():
        return root
    _school(root)
    _write(root, _rosters())
    visits = two_form_visits(pages)
    by_file: dict[str, list[dict[str, Any]]] = {}
    for visit in visits:
        by_file.setdefault(visit["file"], []).append(visit)
    for i, (path, forms) in enumerate(by_file.items()):
        base = path.removesuffix(".pdf")
        written = forms_files(
            random.Random(i),  # the table's width (2 or 4 columns) by seed
            base,
            "送教上门记录表",
            [_form(v) for v in forms],
            [f"{v['date']}送教记录" for v in forms],
            modes=("pdf_two_a_page",),
        )
        data = written[path]
        doc = pypdfium2.PdfDocument(data)
        assert len(doc) == PAGES_PER_FILE, f"{path}: {len(doc)} pages, not {PAGES_PER_FILE}"
        doc.close()
        _write(root, {path: data})
        print(f"  built {i + 1}/{len(by_file)}", end="\r", file=sys.stderr)
    print(file=sys.stderr)
    expected_path(root).write_text(json.dumps(visits, ensure_ascii=False), encoding="utf-8")
    marker.write_text("ok")
    return root


# ------------------------------------------------- layouts drawn by another PDF library


def other_visits(layout: str, pages: int) -> list[tuple[str, list[Any]]]:
    """(student, visits) of each file of an `OTHER` layout: one file a student holding the
    school year's visits (two a month of 3 课时: the 8th and 22nd, 9:00–10:30 or 9:00–11:00 by
    student), as many students as make `pages` pages (10 pages of forms, 2 of table a file)."""
    from fixtures.packages.otherpdf import FORM_LAYOUTS, ROWS_PER_PAGE, Visit
    from fixtures.packages.otherpdf import FORMS_PER_PAGE as PER_PAGE
    from fixtures.packages.school import PERIOD as SPAN
    from fixtures.packages.school import sessions_for
    from fixtures.rosters import varied_name

    drawn, _font = OTHER[layout]
    per_file = []
    for n in range(pages):  # enough students; cut below
        minutes = (30, 40)[n % 2]
        found = []
        for day, span, periods, per in sessions_for(*SPAN, minutes=minutes):
            start, end = (datetime.strptime(t, "%H:%M").time() for t in span.split("-"))
            assert per == minutes
            found.append(Visit(varied_name(n), day, start, end, periods))
        per_file.append((varied_name(n), found))
        rows = PER_PAGE if drawn in FORM_LAYOUTS else ROWS_PER_PAGE
        file_pages = sum(-(-len(v) // rows) for _, v in per_file)
        if file_pages >= pages:
            break
    return per_file


def _build_other(out: Path, pages: int, layout: str) -> Path:
    from fixtures.packages import school as s
    from fixtures.packages.otherpdf import draw

    root = out / f"audit-{layout}-{pages}"
    marker = root / ".complete"
    if marker.exists():
        return root
    _school(root)
    drawn, font = OTHER[layout]
    students = other_visits(layout, pages)
    names = [name for name, _ in students]
    chars = "".join(sorted(set("".join(names))))  # one TrueType font for every file
    since = date(2025, 9, 1)
    files = s.disabled_roster(
        [(n, "女", "肢体残疾") for n in names] + [("韦小兵", "男", "听力残疾")]
    )
    files |= s.home_teaching_roster([(n, since) for n in names])
    _write(root, files)
    expected: list[dict[str, Any]] = []
    for i, (name, visits) in enumerate(students):
        path = f"四、送教上门/{name}/送教上门记录表.pdf"
        result = draw(drawn, visits, seed=i, font=font, chars=chars)
        _write(root, {path: result.data})
        expected += [
            {
                "file": path,
                "page": page,
                "student": name,
                "date": v.day.isoformat(),
                "start": f"{v.start.hour}:{v.start.minute:02d}",
                "end": f"{v.end.hour}:{v.end.minute:02d}",
                "periods": v.periods,
                "teachers": list(v.teachers),
                "minutes": v.minutes,
            }
            for v, page in zip(visits, result.pages, strict=True)
        ]
        print(f"  built {i + 1}/{len(students)}", end="\r", file=sys.stderr)
    print(file=sys.stderr)
    expected_path(root).write_text(json.dumps(expected, ensure_ascii=False), encoding="utf-8")
    marker.write_text("ok")
    return root


def check_visits(facts: Any, expected: list[dict[str, Any]]) -> dict[str, Any]:
    """The audit's HomeTeachingSession facts of the generated PDFs against the forms written:
    a form is read when a session of its file, page, student and date exists; a read form is
    right when its times, 课时 and teachers are too."""
    files = {v["file"] for v in expected}
    read = [s for s in facts.sessions if s.prov.file in files]

    def key(file: str, page: int | None, student: str, day: str) -> tuple[Any, ...]:
        return (file, page, student, day)

    pool = Counter(key(s.prov.file, s.prov.page, s.student, s.date.isoformat()) for s in read)
    by_key: dict[tuple[Any, ...], list[Any]] = {}
    for s in read:
        by_key.setdefault(key(s.prov.file, s.prov.page, s.student, s.date.isoformat()), []).append(
            s
        )
    missed, wrong = [], []
    for v in expected:
        k = key(v["file"], v["page"], v["student"], v["date"])
        if pool[k] <= 0:
            missed.append(v)
            continue
        pool[k] -= 1
        # two forms of one student and day on one page: compare with the one of the same start
        wrote = v["start"]
        s = next(
            (c for c in by_key[k] if (c.start.strftime("%-H:%M") if c.start else None) == wrote),
            by_key[k][0],
        )
        by_key[k].remove(s)
        got = {
            "start": s.start.strftime("%-H:%M") if s.start else None,
            "end": s.end.strftime("%-H:%M") if s.end else None,
            "periods": s.periods,
            "teachers": s.teachers,
            "minutes": s.minutes_per_period,
        }
        bad = {f: got[f] for f in got if f in v and got[f] != v[f]}
        if bad:
            wrong.append((v, bad))
    extra = [k for k, n in pool.items() for _ in range(n) if n > 0]
    on_page = {}
    for s in read:
        on_page.setdefault((s.prov.file, s.prov.page), []).append(f"{s.student} {s.date}")

    def show(v: dict[str, Any]) -> str:
        return (
            f"{v['file']} p.{v['page']}: {v['student']} {v['date']} {v['start']}-{v['end']} "
            f"(read on that page: {on_page.get((v['file'], v['page']), []) or 'nothing'})"
        )

    fields = Counter(f for _, bad in wrong for f in bad)
    return {
        "expected": len(expected),
        "read": len(read),
        "matched": len(expected) - len(missed),
        "missed": len(missed),
        "extra": len(extra),
        "right": len(expected) - len(missed) - len(wrong),
        "wrong_fields": dict(fields),
        "missed_sample": [show(v) for v in missed[:5]],
        "wrong_sample": [
            f"{v['file']} p.{v['page']}: {v['student']} {v['date']} wrote "
            + ", ".join(f"{f}={v[f]}" for f in bad)
            + "; read "
            + ", ".join(f"{f}={bad[f]}" for f in bad)
            for v, bad in _two_of_each(wrong)
        ],
    }


def _two_of_each(
    wrong: list[tuple[dict[str, Any], dict[str, Any]]],
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Two examples of each set of fields read wrong."""
    seen: Counter[tuple[str, ...]] = Counter()
    shown = []
    for v, bad in wrong:
        kind = tuple(sorted(bad))
        seen[kind] += 1
        if seen[kind] <= 2:
            shown.append((v, bad))
    return shown


def run_baoxue(root: str) -> dict[str, Any]:
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
    measured = {
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
        "verdicts": {
            item.id: dict(Counter(subject.status for subject in item.subjects))
            for item in result.items
            if item.id in HOME_TEACHING_ITEMS
        },
    }
    expected = expected_path(Path(root))
    if expected.exists():  # after the clock stopped: checking costs nothing measured
        measured["check"] = check_visits(facts, json.loads(expected.read_text(encoding="utf-8")))
    return measured


def run_report(root: str) -> dict[str, float]:
    from audit.evaluate import parse_period
    from audit.report import render_report
    from audit.run import run_audit

    result = run_audit(Path(root), "liupu-supervision-2024", period=parse_period(PERIOD))
    start = time.perf_counter()
    size = len(render_report(result, "pdf"))
    return {"seconds": time.perf_counter() - start, "bytes": size, "peak_mb": peak_mb()}


def _child(what: str, root: Path) -> dict[str, Any]:
    return run_child(__file__, "--child", what, "--root", str(root))


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out")
    parser.add_argument("--layout", choices=LAYOUTS, default="records")
    parser.add_argument("--child")
    parser.add_argument("--root")
    args = parser.parse_args()
    if args.child:
        run = {
            "baoxue": run_baoxue,
            "pdfium": pdfium_pass,
            "pdfplumber": pdfplumber_pass,
            "report": run_report,
        }
        print(json.dumps(run[args.child](args.root), ensure_ascii=False))
        return
    root = build(args.out, args.pages, args.layout)
    what = {
        "records": f"{PAGES_PER_FILE} a file: visit records as prose, home-teaching records one "
        "table a page",
        "two-forms": f"{PAGES_PER_FILE} a file: two boxed 送教上门 forms a page, "
        f"{len(HOME_TAUGHT)} home-taught students",
        "rect-forms": "drawn by reportlab: two 送教上门 forms a page, boxes as rectangles, labels "
        "and values as free text (STSong-Light, not embedded)",
        "line-forms": "drawn by reportlab: two 送教上门 forms a page, boxes as single lines",
        "plain-table": "drawn by reportlab: a 送教 record table a student, no rules, columns by "
        "position",
        "ruled-table": "drawn by reportlab: a 送教 record table a student, full rules as lines",
        "ttf-forms": "drawn by reportlab: rect-forms in an embedded TrueType font",
    }[args.layout]
    print(f"package: {root} (compliant school + {args.pages} PDF pages: {what})")
    load = os.getloadavg()[0]
    ours = _child("baoxue", root)
    floor = _child("pdfium", root)
    base = _child("pdfplumber", root)
    print(
        f"load average before: {load:.1f} (other work on the machine slows wall time; CPU s does not)"
    )
    print(
        f"{'pass':<40}{'pages':>7}{'wall s':>8}{'pages/s':>9}{'CPU s':>8}{'pages/CPU s':>13}{'peak MB':>9}"
    )
    for name, r in (
        ("baoxue run_audit + JSON report", ours),
        ("pypdfium2 get_text_range only", floor),
        ("pdfplumber extract_text only", base),
    ):
        print(
            f"{name:<40}{r['pages']:>7.0f}{r['seconds']:>8.2f}{r['pages'] / r['seconds']:>9.1f}"
            f"{r['cpu']:>8.2f}{r['pages'] / r['cpu']:>13.1f}{r['peak_mb']:>9.0f}"
        )
    speed = ours["pages"] / ours["seconds"]
    ratio = speed / (floor["pages"] / floor["seconds"])
    print(
        f"baoxue/pypdfium2 {ratio:.2f} (pages/s; CPU {floor['cpu'] / ours['cpu']:.2f}), "
        f"baoxue/pdfplumber {base['seconds'] / ours['seconds']:.1f}; "
        f"{ours['files']:.0f} files, {ours['sessions']:.0f} sessions, {ours['visits']:.0f} visits, "
        f"{ours['pass']:.0f} requirements pass"
    )
    print(
        f"stages: read {ours['read_s']:.2f} s, judge {ours['judge_s']:.3f} s, "
        f"JSON report {ours['json_s']:.3f} s"
    )
    check = ours.get("check")
    if check:
        print(
            f"visits (送教 records): expected {check['expected']}, read {check['matched']} "
            f"({check['read']} sessions from these PDFs, {check['extra']} not written), "
            f"missed {check['missed']}, read with every field right {check['right']}"
        )
        if check["wrong_fields"]:
            print(f"  fields read wrong: {check['wrong_fields']}")
        for line in check["missed_sample"]:
            print(f"  missed: {line}")
        for line in check["wrong_sample"]:
            print(f"  wrong: {line}")
    verdicts = ours.get("verdicts") or {}
    print(
        "home-teaching verdicts per student: "
        + "; ".join(
            f"{rid} " + ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
            for rid, counts in verdicts.items()
        )
    )
    print("targets:")
    print(f"  ≥ {TARGET_PAGES_S} pages/s end to end: {speed:.1f} — {_met(speed >= TARGET_PAGES_S)}")
    print(f"  ≥ {TARGET_RATIO} × pypdfium2's pages/s: {ratio:.2f} — {_met(ratio >= TARGET_RATIO)}")
    print(f"  ≤ {TARGET_MB} MB peak: {ours['peak_mb']:.0f} — {_met(ours['peak_mb'] <= TARGET_MB)}")
    if check:
        ok = check["missed"] == 0
        print(f"  all visits read: {check['matched']}/{check['expected']} — {_met(ok)}")
    print("memory against pages (baoxue end to end):")
    for share in (4, 2, 1):
        r = (
            ours
            if share == 1
            else _child("baoxue", build(args.out, args.pages // share, args.layout))
        )
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
