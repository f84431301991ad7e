"""Batch printing job: roster in the file store → forms.batch.run_batch (the CLI's path) →
merged PDF, zip and errors.csv back into the file store."""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from datetime import date
from typing import Any

from forms.batch import BatchRequest, BatchSetupError, run_batch, write_errors_csv
from forms.profiles import ProfileError
from forms.registry import get_form
from forms.roster import RosterError
from forms.viewcopy import mask_text
from service.jobs import JobContext, JobFailed
from service.ops.files import register_blob
from service.tables import School

SCHOOL_FIELDS = ("name", "township", "address", "phone", "contact")


def _overrides(ctx: JobContext, form_id: str) -> list[tuple[str, str]]:
    """What the clerk should not type into every row: her school, the issue date."""
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
        out.append(("issue_date", str(ctx.params.get("issue_date") or date.today().isoformat())))
    return out


def run_batch_job(ctx: JobContext) -> dict[str, Any]:
    p = ctx.params
    inbox = ctx.work_dir / "in"
    inbox.mkdir(exist_ok=True)
    safe = re.sub(r"[\\/:*?\"<>|]+", "_", str(p["filename"])) or "roster.xlsx"
    roster = inbox / safe
    shutil.copyfile(ctx.blobs.path(p["roster"]), roster)
    out = ctx.work_dir / "out"
    request = BatchRequest(
        form_id=p["form_id"],
        roster=roster,
        profile_id=p["profile_id"],
        out_dir=out,
        overrides=_overrides(ctx, p["form_id"]),
        merged=out / "打印.pdf",
        formats=("pdf",),
        zip=True,
        duplex=bool(p.get("duplex")),
        start_number=int(p.get("start_number") or 1),
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
    summary = f"共{result.rows}行：已生成{result.printed}份"
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
