"""Batch printing: one form for every row of a roster — the CLI and the web service call this.

    result = run_batch(BatchRequest(form_id="return_notice", roster=Path("花名册.xlsx"),
                                    profile_id="liupu-2026", out_dir=Path("out"),
                                    merged=Path("out/print.pdf")), progress=callback)

Bad rows go to out/errors.csv (row, column, value, reason in Chinese) and are left out; the
good rows still print. Rendering runs in chunks (one WeasyPrint HTML per chunk) on
`workers` processes, and the chunks are merged as they arrive, so memory stays bounded by
the chunk size rather than the roster size. Workers come from a fork server, so a script
that calls run_batch with workers > 1 needs the `if __name__ == "__main__":` guard.
"""

from __future__ import annotations

import csv
import math
import multiprocessing
import os
import re
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from forms.batch_output import Outputs
from forms.batch_plan import (
    BatchSetupError,
    EmptyRosterError,
    Job,
    RowError,
    load_defaults,
    make_plan,
    model_columns,
    prepare,
    row_errors,
    validate,
)
from forms.batch_render import ChunkResult, render_chunk, warm_up
from forms.profiles import get_profile
from forms.registry import get_form
from forms.roster import read_roster

ProgressCallback = Callable[[int, int], None]
ERRORS_CSV = "errors.csv"
ERROR_COLUMNS = ("行号", "列", "列名", "值", "原因", "字段", "姓名")
BATCH_FORMATS = ("pdf", "docx")
DEFAULT_CHUNK = 100
# Individual PDFs only: each file carries its chunk's font subset, so smaller chunks give
# smaller files (≈25 documents: little slower a page than 100, files ≈⅔ the size).
INDIVIDUAL_CHUNK = 25
MIN_CHUNK = 10

__all__ = ["BatchRequest", "BatchResult", "BatchSetupError", "RowError", "run_batch"]


@dataclass
class BatchRequest:
    form_id: str
    roster: Path
    profile_id: str
    out_dir: Path
    defaults: Path | None = None
    overrides: list[tuple[str, str]] = field(default_factory=list)
    merged: Path | None = None  # one print-ready PDF of every document
    formats: tuple[str, ...] | None = None  # individual files; default pdf unless merged
    zip: bool = False  # individual files into one zip instead of loose files
    duplex: bool = False  # merged: every document starts on an odd page
    start_number: int | None = None
    number_pattern: str | None = None
    workers: int = 1
    chunk_size: int = DEFAULT_CHUNK
    sheet: str | None = None
    check_only: bool = False  # validate and write errors.csv, print nothing
    viewing_copy: bool = False  # 身份证号 masked, each document marked 仅供查看 (forms.viewcopy)

    def individual_formats(self) -> tuple[str, ...]:
        if self.check_only:
            return ()
        formats = self.formats if self.formats is not None else (() if self.merged else ("pdf",))
        unknown = [f for f in formats if f not in BATCH_FORMATS]
        if unknown:
            raise BatchSetupError(f"不支持的输出格式“{'、'.join(unknown)}”（可用 pdf、docx）")
        return tuple(dict.fromkeys(formats))


@dataclass
class BatchResult:
    form_id: str
    profile_id: str
    rows: int  # data rows in the roster
    printed: int  # documents produced (valid rows)
    errors: list[RowError]
    files: list[Path] = field(default_factory=list)
    merged: Path | None = None
    merged_pages: int = 0
    zip_path: Path | None = None
    errors_csv: Path | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return len({e.line for e in self.errors})

    def summary(self) -> str:
        verb = "通过检查" if not self.files and not self.merged and not self.zip_path else "已生成"
        text = f"共{self.rows}行：{verb}{self.printed}份，失败{self.failed}行"
        if self.errors_csv:
            text += f"（原因见 {self.errors_csv}）"
        return text


def _context() -> multiprocessing.context.BaseContext:
    """Workers come from a fork server that has imported WeasyPrint once: they start fast,
    inherit no roster data from this process (which would count against their memory), and
    a process with other threads (the web service) never forks itself."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["forms.batch_render"])
    return context


def _start_workers_early(workers: int) -> None:
    # The fork server imports WeasyPrint (≈1.5 s) while this process reads the roster.
    if workers > 1 and "forkserver" in multiprocessing.get_all_start_methods():
        from multiprocessing import forkserver

        _context()
        forkserver.ensure_running()


def _chunks(jobs: list[Job], size: int, workers: int) -> list[list[Job]]:
    if not jobs:
        return []
    # Small batches are split so that every worker has something to render.
    size = max(MIN_CHUNK, min(size, math.ceil(len(jobs) / max(workers, 1))))
    return [jobs[i : i + size] for i in range(0, len(jobs), size)]


def _render_all(
    form_id: str,
    profile_id: str,
    chunks: list[list[Job]],
    workers: int,
    want_pdf: bool,
    want_docx: bool,
    viewing_copy: bool = False,
) -> Iterator[ChunkResult]:
    if workers <= 1 or len(chunks) <= 1:
        for index, chunk in enumerate(chunks):
            yield render_chunk(form_id, profile_id, index, chunk, want_pdf, want_docx, viewing_copy)
        return
    workers = min(workers, len(chunks))
    with ProcessPoolExecutor(workers, mp_context=_context(), initializer=warm_up) as pool:
        pending: dict[int, Future[ChunkResult]] = {}
        submitted = 0
        for index in range(len(chunks)):
            # A bounded window: at most two chunks a worker in flight, results in order.
            while submitted < len(chunks) and submitted < index + 2 * workers:
                pending[submitted] = pool.submit(
                    render_chunk,
                    form_id,
                    profile_id,
                    submitted,
                    chunks[submitted],
                    want_pdf,
                    want_docx,
                    viewing_copy,
                )
                submitted += 1
            yield pending.pop(index).result()


def write_errors_csv(path: Path, errors: list[RowError]) -> None:
    """UTF-8 with BOM so that Excel opens the Chinese text correctly."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(ERROR_COLUMNS)
        for e in sorted(errors, key=lambda e: (e.line, e.column)):
            writer.writerow([e.line, e.column, e.header, e.value, e.reason, e.field, e.name])


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def run_batch(request: BatchRequest, progress: ProgressCallback | None = None) -> BatchResult:
    """Print one form for every valid roster row; report the others. See the module doc."""
    kind = get_form(request.form_id)
    profile = get_profile(request.profile_id)
    profile.document(kind.id)  # ProfileError when this jurisdiction has no such document
    formats = request.individual_formats()
    if not request.check_only:
        _start_workers_early(request.workers)
    defaults = load_defaults(kind, request.defaults, request.overrides)
    roster = read_roster(request.roster, request.sheet, model_columns(kind))
    plan = make_plan(kind, roster, defaults, request.start_number, request.number_pattern)
    if not roster.rows:
        raise EmptyRosterError(f"{request.roster.name} 的表头下没有数据行")
    jobs, errors = prepare(plan)
    cells = {row.ordinal: row.cells for row in roster.rows}
    total = len(roster.rows)
    done = len(roster.rows) - len(jobs)
    if progress:
        progress(done, total)
    request.out_dir.mkdir(parents=True, exist_ok=True)
    result = BatchResult(kind.id, profile.id, total, 0, errors, notes=list(plan.notes))
    if request.check_only:
        for job in jobs:
            _, problems = validate(kind, job.data, profile)
            if problems:
                errors.extend(row_errors(plan, job.line, job.data, cells[job.ordinal], problems))
            else:
                result.printed += 1
            done += 1
            if progress and done % 100 == 0:
                progress(done, total)
    else:
        stem = re.sub(r"[\\/:*?\"<>|\s]+", "_", request.roster.stem)
        outputs = Outputs(
            out_dir=request.out_dir,
            formats=formats,
            merged=request.merged,
            zip_path=request.out_dir / f"{stem}-{kind.id}.zip" if request.zip and formats else None,
            duplex=request.duplex,
            width=max(3, len(str(max((j.n for j in jobs), default=1)))),
            title=str(profile.wording(kind.id).get("title", kind.name)),
        )
        size = request.chunk_size
        if request.merged is None and "pdf" in formats:
            size = min(size, INDIVIDUAL_CHUNK)
        chunks = _chunks(jobs, size, request.workers)
        want_pdf = "pdf" in formats or request.merged is not None
        complete = False
        try:
            rendered = _render_all(
                kind.id,
                profile.id,
                chunks,
                request.workers,
                want_pdf,
                "docx" in formats,
                request.viewing_copy,
            )
            for chunk in rendered:
                outputs.add(chunk)
                for job, problems in chunk.failures:
                    errors.extend(
                        row_errors(plan, job.line, job.data, cells[job.ordinal], problems)
                    )
                result.printed += len(chunk.docs)
                done += len(chunk.docs) + len(chunk.failures)
                if progress:
                    progress(done, total)
            complete = True
        finally:
            outputs.close(complete)
        result.files = outputs.files
        result.merged = outputs.merged_path
        result.merged_pages = outputs.merged_pages
        result.zip_path = outputs.zip_path
    if progress:
        progress(total, total)
    errors_path = request.out_dir / ERRORS_CSV
    if errors:
        write_errors_csv(errors_path, errors)
        result.errors_csv = errors_path
    elif errors_path.exists():
        errors_path.unlink()  # a stale list from an earlier run would mislead
    return result
