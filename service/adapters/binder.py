"""The 迎检资料 job: an uploaded package → audit.binder.make_binder (the CLI's path) → the PDF
and the zip in the file store, downloaded from the job page.

The package's own audit is used when it has one (with the inspector's final verdicts folded
in, as the exports have them), so the binder places files as the school's report does; the
period and checklist are the audit's. Progress runs 0–100 over the binder's steps.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from audit.binder import STEP_NAMES, BinderError, make_binder
from audit.evaluate import parse_period
from service.jobs import JobContext, JobFailed
from service.ops.files import register_blob
from service.tables import Audit, Package, School

FILES = ("迎检资料.pdf", "迎检资料.zip")
# share of the progress bar at the start of each step
_AT = {
    "stage": 0,
    "audit": 2,
    "place": 40,
    "convert": 42,
    "render": 80,
    "merge": 88,
    "zip": 96,
    "done": 100,
}


def run_binder_job(ctx: JobContext) -> dict[str, Any]:
    p = ctx.params
    package_path = ctx.work_dir / "package.zip"
    package_path.symlink_to(ctx.blobs.path(p["package"]))
    with ctx.db.session() as db:
        package = db.get(Package, int(p["package_id"]))
        if package is None or package.withdrawn_at is not None:
            raise JobFailed("上传已撤回，未生成迎检资料")
        school = db.get(School, ctx.school_id)
        school_name = school.name if school is not None else None
        audit = db.scalars(
            select(Audit).where(Audit.package_id == package.id).order_by(Audit.id.desc())
        ).first()
        result = None
        if audit is not None:
            from service.adapters.audit import reviewed_result

            result = reviewed_result(db, audit)

    def progress(step: str, done: int, total: int) -> None:
        start = _AT.get(step, 0)
        following = [v for v in _AT.values() if v > start]
        end = min(following) if following else 100
        share = done / total if total else 0.0
        label = STEP_NAMES.get(step, step) + (f" {done}/{total}" if total > 1 else "")
        ctx.progress(int(start + (end - start) * min(share, 1.0)), 100, label)

    outputs = [ctx.work_dir / name for name in FILES]
    try:
        made = make_binder(
            package_path,
            p["checklist_id"],
            parse_period(p["period"]),
            list(outputs),
            verdicts=bool(p.get("verdicts")),
            progress=progress,
            profile=p.get("profile_id"),
            result=result,
            school=school_name,
            work_dir=ctx.work_dir,
        )
    except (BinderError, ValueError) as exc:
        raise JobFailed(f"未能生成迎检资料：{exc}") from None
    files: dict[str, str] = {}
    with ctx.db.session() as db:
        row = db.get(Package, int(p["package_id"]))
        if row is None or row.withdrawn_at is not None:
            raise JobFailed("上传已撤回，未保存迎检资料")
        for path in outputs:
            with path.open("rb") as stream:
                files[path.name] = register_blob(db, ctx.blobs, ctx.blobs.put_file(stream))
    ctx.progress(100, 100, "完成", force=True)
    unconverted = made.unconverted
    summary = f"共{made.documents}个文件、{made.pages}页"
    if made.missing:
        summary += f"；缺材料的项目：{'、'.join(made.missing)}（已插入“缺”页）"
    if unconverted:
        summary += f"；{len(unconverted)}个文件未能转换为 PDF，已在目录中注明原因，原件在 zip 中"
    if made.damaged:
        summary += f"；{len(made.damaged)}页已损坏，以“本页无法读取”页代替"
    return {
        "summary": summary,
        "files": files,
        "pages": made.pages,
        "documents": made.documents,
        "missing": made.missing,
        "unconverted": [{"path": path, "reason": why} for path, why in unconverted],
        "audit_id": audit.id if audit is not None else None,
    }
