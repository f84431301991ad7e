"""Batch printing job: roster (and defaults file) in the file store → forms.batch.run_batch
(the CLI's path, with `--defaults`, `--number-pattern`, the issue date) → merged PDF, zip and
errors.csv back into the file store. Document numbers are reserved from the school's counter
first (service/ops/numbering.py), so no two batches print the same number."""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from forms.batch import BatchRequest, BatchSetupError, run_batch, write_errors_csv
from forms.batch_plan import BatchDefaults, load_defaults, make_plan, model_columns
from forms.profiles import ProfileError
from forms.record_fields import get_path
from forms.registry import get_form
from forms.roster import RosterError, read_roster
from forms.viewcopy import mask_text
from service.jobs import JobContext, JobFailed
from service.ops.batches import issue_day
from service.ops.files import register_blob
from service.ops.numbering import NumberTaken, next_number, reserve_numbers
from service.tables import Job, School

SCHOOL_FIELDS = ("name", "township", "address", "phone", "contact")


def _overrides(
    ctx: JobContext, form_id: str, defaults: BatchDefaults | None
) -> list[tuple[str, str]]:
    """What the clerk should not type into every row: her school, and the issue date (the
    form's; else the defaults file's; else today)."""
    fields = get_form(form_id).model.model_fields
    out: list[tuple[str, str]] = []
    with ctx.db.session() as db:
        school = db.get(School, ctx.school_id)
        assert school is not None
        values = {
            "name": school.name,
            "township": school.township.name if school.township else None,
            "address": school.address,
            "phone": school.phone,
            "contact": school.contact,
        }
    if "school" in fields:
        out += [(f"school.{k}", v) for k, v in values.items() if v]
    if "issue_date" in fields:
        given = ctx.params.get("issue_date")
        from_file = defaults is not None and get_path(defaults.values, "issue_date") not in (
            None,
            "",
        )
        if given or not from_file:
            out.append(("issue_date", str(given or date.today().isoformat())))
    return out


def _reserve(
    ctx: JobContext, roster: Path, defaults_path: Path | None, overrides: list[tuple[str, str]]
) -> tuple[int | None, str]:
    """Numbers for every roster row from the school's counter: (first number, note); None
    when the roster writes its own numbers or the form has none."""
    p = ctx.params
    kind = get_form(p["form_id"])
    if "number" not in kind.model.model_fields:
        return None, ""
    defaults = load_defaults(kind, defaults_path, overrides)
    rows = read_roster(roster, None, model_columns(kind))
    plan = make_plan(kind, rows, defaults, p.get("start_number"), p.get("number_pattern"))
    if plan.numbering is None or "number" in plan.key_paths or not rows.rows:
        return None, ""
    day = issue_day(get_path(defaults.values, "issue_date")) or date.today()
    pattern, count = plan.numbering.pattern, len(rows.rows)
    asked = p.get("start_number") or defaults.start_number
    if p.get("viewing_copy"):  # copies for viewing are not issued: they take no number
        with ctx.db.session() as db:
            first = asked or next_number(db, ctx.school_id, day.year, pattern)
        return first, f"查看版，编号不占用：{pattern.format(n=first)}起"
    with ctx.db.session() as db:
        # The reservation is kept with the job in the same transaction: a run retried after
        # its worker died prints the numbers the first run took, not new ones
        job = db.get(Job, ctx.job_id)
        assert job is not None
        if "reserved_first" in job.params:
            first = int(job.params["reserved_first"])
        else:
            try:
                first = reserve_numbers(db, ctx.school_id, day.year, pattern, count, asked)
            except NumberTaken as exc:
                raise JobFailed(f"花名册无法批量打印：{exc}") from None
            job.params = {**job.params, "reserved_first": first}
    last = pattern.format(n=first + count - 1)
    return first, f"编号{pattern.format(n=first)}至{last}"


def run_batch_job(ctx: JobContext) -> dict[str, Any]:
    p = ctx.params
    inbox = ctx.work_dir / "in"
    inbox.mkdir(exist_ok=True)
    safe = re.sub(r"[\\/:*?\"<>|]+", "_", str(p["filename"])) or "roster.xlsx"
    roster = inbox / safe
    shutil.copyfile(ctx.blobs.path(p["roster"]), roster)
    defaults_path: Path | None = None
    if p.get("defaults"):
        defaults_path = inbox / ("defaults" + Path(str(p.get("defaults_filename"))).suffix.lower())
        shutil.copyfile(ctx.blobs.path(p["defaults"]), defaults_path)
    kind = get_form(p["form_id"])
    try:
        file_defaults = load_defaults(kind, defaults_path) if defaults_path else None
        overrides = _overrides(ctx, p["form_id"], file_defaults)
        start, numbers = _reserve(ctx, roster, defaults_path, overrides)
    except (BatchSetupError, RosterError, ProfileError) as exc:
        raise JobFailed(f"花名册无法批量打印：{exc}") from None
    out = ctx.work_dir / "out"
    request = BatchRequest(
        form_id=p["form_id"],
        roster=roster,
        profile_id=p["profile_id"],
        out_dir=out,
        defaults=defaults_path,
        overrides=overrides,
        merged=out / "打印.pdf",
        formats=("pdf",),
        zip=True,
        duplex=bool(p.get("duplex")),
        start_number=start if start is not None else p.get("start_number"),
        number_pattern=p.get("number_pattern") or None,
        workers=1,
        viewing_copy=bool(p.get("viewing_copy")),
    )
    try:
        result = run_batch(
            request,
            progress=lambda done, total: ctx.progress(done, total, f"已处理 {done}/{total} 行"),
        )
    except (BatchSetupError, RosterError, ProfileError) as exc:
        raise JobFailed(f"花名册无法批量打印：{exc}") from None
    if request.viewing_copy:  # its submitter may not see full ID numbers: nor in the errors
        result.errors = [
            replace(e, value=mask_text(e.value), reason=mask_text(e.reason)) for e in result.errors
        ]
        if result.errors_csv is not None:
            write_errors_csv(result.errors_csv, result.errors)
    files: dict[str, str] = {}
    with ctx.db.session() as db:
        for label, path in (
            ("打印.pdf", result.merged),
            (f"{roster.stem}-{result.form_id}.zip", result.zip_path),
            ("errors.csv", result.errors_csv),
        ):
            if path is not None and path.is_file():
                with path.open("rb") as stream:
                    files[label] = register_blob(db, ctx.blobs, ctx.blobs.put_file(stream))
    summary = f"共{result.rows}行：已生成{result.printed}份" + (f"（{numbers}）" if numbers else "")
    if result.failed:
        summary += f"，{result.failed}行未能生成（见下表或 errors.csv）"
    return {
        "summary": summary,
        "rows": result.rows,
        "printed": result.printed,
        "failed": result.failed,
        "pages": result.merged_pages,
        "files": files,
        "errors": [
            {
                "row": e.line,
                "column": f"{e.column} {e.header}".strip(),
                "value": e.value,
                "reason": e.reason,
                "name": e.name,
            }
            for e in result.errors
        ],
        "notes": result.notes,
    }
