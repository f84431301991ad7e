"""`make_binder`: the school's 迎检资料 — audit, place, convert, render, merge, zip.

The steps, each timed (`BinderResult.timings`) and reported to `progress(step, done, total)`:

1. stage: the package read one member at a time into a work folder (convert.stage);
2. convert, in a thread beside the audit (it needs nothing the audit finds): each file to PDF
   pages (convert.py: LibreOffice in worker processes, photos and texts laid out);
3. audit: `run_audit` on the package (or the result given, when the service already has it),
   then place: every file under the requirement it proves (placement.py);
4. render: the divider pages and the cover with the 目录, numbered — laid out again until the
   page counts they assumed are the ones they have (a 目录 that grows a page moves every number
   after it; two passes as a rule, since the page column has a fixed width);
5. merge: the PDF streamed to disk with bookmarks and page numbers (assemble.py);
6. zip: the files in the checklist's folder tree with the 目录 as DOCX and XLSX (archive.py).
"""

from __future__ import annotations

import datetime as dt
import math
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from audit.binder.archive import write_zip
from audit.binder.assemble import Assembler
from audit.binder.convert import Converter, stage
from audit.binder.model import BinderError, Plan
from audit.binder.office import free_cores
from audit.binder.pages import dividers_html, front_html, render_parts
from audit.binder.placement import make_plan
from audit.checklist import ChecklistError, resolve
from audit.package import PackageError, check_package
from audit.report.model import AuditResult
from audit.rules import Period
from audit.run import FACTS_SUFFIX, AuditError, run_audit

# progress(step, done, total): steps audit, place, convert, render, merge, zip, done
Progress = Callable[[str, int, int], None]
STEPS = ("stage", "audit", "place", "convert", "render", "merge", "zip")
STEP_NAMES = {
    "audit": "核查材料包",
    "place": "按清单归类",
    "convert": "转换为 PDF",
    "render": "排版封面、目录和分隔页",
    "merge": "合并 PDF",
    "zip": "打包 zip",
    "done": "完成",
}
MAX_LAYOUTS = 5


@dataclass
class BinderResult:
    plan: Plan
    outputs: list[Path]
    pages: int
    workers: int
    timings: dict[str, float] = field(default_factory=dict)
    zip_entries: list[str] = field(default_factory=list)
    damaged: list[tuple[str, int]] = field(default_factory=list)  # pages put as 本页无法读取

    @property
    def documents(self) -> int:
        return len(self.plan.docs())

    @property
    def unconverted(self) -> list[tuple[str, str]]:
        return [(d.path, d.failure or "") for d in self.plan.failures()]

    @property
    def missing(self) -> list[str]:
        return [s.id for s in self.plan.sections() if s.missing]


def _outputs(outputs: list[Path | str]) -> tuple[Path | None, Path | None]:
    pdf = zip_ = None
    for raw in outputs:
        path = Path(raw)
        suffix = path.suffix.lower()
        if suffix == ".pdf" and pdf is None:
            pdf = path
        elif suffix == ".zip" and zip_ is None:
            zip_ = path
        else:
            raise BinderError(f"输出文件“{path.name}”：迎检资料只写一个 .pdf 和一个 .zip")
    if pdf is None and zip_ is None:
        raise BinderError("请用 -o 指定输出文件（迎检资料.pdf、迎检资料.zip）")
    return pdf, zip_


def number_pages(plan: Plan, cover: int, toc: int, dividers: dict[str, int]) -> None:
    """Every section's and document's printed page numbers, from the page counts given."""
    plan.cover_pages, plan.toc_first, plan.toc_pages = cover, cover + 1, toc
    page = cover + toc + 1
    for section in plan.sections():
        section.first = page
        page += dividers[section.id]
        for doc in section.docs:
            doc.first = page if doc.pages else 0
            page += doc.pages
        section.last = page - 1
    plan.total_pages = page - 1


@dataclass
class Counts:
    """Pages of the cover, the 目录 and each divider, as last laid out (or guessed)."""

    cover: int
    toc: int
    dividers: dict[str, int]


def guess_counts(plan: Plan) -> Counts:
    rows = sum(2 + len(s.docs) + len(s.see_also) for s in plan.sections())
    return Counts(
        1, max(1, math.ceil(rows / 24)), {s.id: 1 + len(s.docs) // 20 for s in plan.sections()}
    )


def _render(
    plan: Plan, counts: Counts, work: Path | None
) -> tuple[Counts, dict[str, tuple[int, int]]]:
    number_pages(plan, counts.cover, counts.toc, counts.dividers)
    spans = render_parts(dividers_html(plan), work / "dividers.pdf" if work else None)
    found = {s.id: spans[f"d-{s.id}"][1] - spans[f"d-{s.id}"][0] for s in plan.sections()}
    front = render_parts(front_html(plan), work / "front.pdf" if work else None)
    return Counts(
        front["cover"][1] - front["cover"][0], front["toc"][1] - front["toc"][0], found
    ), spans


def count_pages(plan: Plan, guess: Counts | None = None) -> Counts:
    """Lay the dividers and the front out without writing them: their page counts (done while
    LibreOffice still converts, so the final layout is one pass as a rule)."""
    return _render(plan, guess or guess_counts(plan), None)[0]


def lay_out(plan: Plan, work: Path, guess: Counts | None = None) -> tuple[Path, Path]:
    """Render the dividers and the front (cover, 目录) until the page counts they were
    numbered with are the ones they have (the page column has a fixed width, so numbers never
    change the layout; a guess from `count_pages` holds unless a conversion failed since)."""
    counts = guess or guess_counts(plan)
    for passes in range(1, MAX_LAYOUTS + 1):
        found, spans = _render(plan, counts, work)
        plan.layouts = passes
        if found == counts:
            for s in plan.sections():
                s.divider = spans[f"d-{s.id}"]
            plan.unreadable_page = spans["unreadable"][0]
            return work / "front.pdf", work / "dividers.pdf"
        counts = found
    raise BinderError("目录排版未能稳定（页数反复变化），请联系维护人员")


class _Background:
    """The conversions, in a thread, while the audit runs in this one."""

    def __init__(self, converter: Converter) -> None:
        self.converter = converter
        self.seconds = 0.0
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="binder-convert")
        self.thread.start()

    def _run(self) -> None:
        start = time.perf_counter()
        try:
            self.converter.run()
        except BaseException as exc:  # re-raised in the caller's thread by join()
            self.error = exc
        self.seconds = time.perf_counter() - start

    def join(self, timeout: float | None = None) -> bool:
        """True once finished; re-raises what the conversions raised."""
        self.thread.join(timeout)
        if self.thread.is_alive():
            return False
        if self.error is not None:
            raise self.error
        return True

    def cancel(self) -> None:
        """Stop converting (the package could not be audited): LibreOffice is killed."""
        self.converter.cancel.set()
        self.thread.join()


@contextmanager
def _timed(timings: dict[str, float], step: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[step] = timings.get(step, 0.0) + time.perf_counter() - start


def make_binder(
    package: Path | str,
    checklist: str,
    period: tuple[dt.date, dt.date] | Period | None,
    outputs: list[Path | str],
    *,
    verdicts: bool = False,
    progress: Progress | None = None,
    profile: str | None = None,
    result: AuditResult | None = None,
    school: str | None = None,
    workers: int | None = None,
    file_seconds: float = 60.0,
    made: dt.date | None = None,
    work_dir: Path | None = None,
) -> BinderResult:
    """The 迎检资料 of one evidence package: a PDF and/or a zip (by the suffix of each output).

    `result` is the package's audit when the caller has it (the service); else the package is
    audited here. `workers` LibreOffice processes convert side by side (default: the cores
    free now). `file_seconds` is the time limit of one file's conversion. Raises
    `BinderError` (Chinese) when nothing can be made; a file that cannot be converted is no
    error — it is listed in the 目录 with the reason and kept in the zip.
    """
    pdf_target, zip_target = _outputs(outputs)
    path = Path(package)
    if path.name.endswith(FACTS_SUFFIX):
        raise BinderError("迎检资料需要材料包本身（文件夹或 zip），不能只用核查事实文件")
    timings: dict[str, float] = {}

    def report(step: str, done: int, total: int) -> None:
        if progress:
            progress(step, done, total)

    try:
        effective = resolve(checklist, profile)
    except ChecklistError as exc:
        raise BinderError(str(exc)) from None
    if result is not None and result.checklist.id != effective.id:
        raise BinderError(f"核查结果用的是督导清单“{result.checklist.id}”，不是“{checklist}”")
    if not path.exists():
        raise BinderError(f"找不到材料包“{path}”")
    try:
        check_package(path)  # an Office file, an empty zip: refused before anything is read
    except PackageError as exc:
        raise BinderError(str(exc)) from None
    count = workers if workers is not None else free_cores()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="baoxue-binder-", dir=work_dir) as folder:
        work = Path(folder)
        with _timed(timings, "stage"):
            staged = stage(path, work)
        converter = Converter(list(staged.values()), work, workers=count, seconds=file_seconds)
        converting = _Background(converter)
        with _timed(timings, "audit"):
            if result is None:
                try:
                    result = run_audit(
                        path,
                        checklist,
                        profile,
                        period,
                        progress=lambda _stage, done, _path: report("audit", done, 0),
                    )
                except AuditError as exc:
                    converting.cancel()
                    raise BinderError(str(exc)) from None
        with _timed(timings, "place"):
            plan = make_plan(
                result, effective, path, school=school, made=made, verdicts=verdicts, staged=staged
            )
        report("place", 1, 1)
        guess = None
        if not converting.join(0):  # LibreOffice still at work: count the pages meanwhile
            with _timed(timings, "prelayout"):
                guess = count_pages(plan)
        while not converting.join(0.5):
            report("convert", converter.done, len(staged))
        report("convert", len(staged), len(staged))
        timings["convert"] = converting.seconds  # beside the audit, not after it
        report("render", 0, 1)
        with _timed(timings, "render"):
            front, dividers = lay_out(plan, work, guess)
        report("render", 1, 1)
        written: list[Path] = []
        pages = plan.total_pages
        damaged: list[tuple[str, int]] = []
        if pdf_target is not None:
            report("merge", 0, pages)
            with _timed(timings, "merge"):
                pdf_target.parent.mkdir(parents=True, exist_ok=True)
                assembler = Assembler(plan, front, dividers, pdf_target)
                pages = assembler.run()  # written whole
                damaged = assembler.damaged
            if pages != plan.total_pages:
                raise AssertionError(f"binder has {pages} pages, numbered {plan.total_pages}")
            written.append(pdf_target)
            report("merge", pages, pages)
        entries: list[str] = []
        if zip_target is not None:
            report("zip", 0, 1)
            with _timed(timings, "zip"):
                zip_target.parent.mkdir(parents=True, exist_ok=True)
                entries = write_zip(plan, zip_target)
            written.append(zip_target)
            report("zip", 1, 1)
    timings["total"] = time.perf_counter() - started
    report("done", 1, 1)
    return BinderResult(
        plan=plan,
        outputs=written,
        pages=pages,
        workers=count,
        timings=timings,
        zip_entries=entries,
        damaged=damaged,
    )
