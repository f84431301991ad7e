"""Audit job and exports: package in the file store → audit.run.run_audit (the CLI's path) →
report JSON in the database; exports go through audit.report.render_report (in the web
process's renderer, service/rendering.py) with the
reviewer's final verdicts and on-site observations folded in."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audit.checklist import STATUS_NAMES as AUDIT_STATUS
from audit.evaluate import parse_period
from audit.report import load_result
from audit.report.model import AuditResult
from audit.run import AuditError, run_audit
from forms.viewcopy import mask_data
from service.blobs import BlobStore
from service.jobs import JobContext, JobFailed
from service.ops import ServiceError
from service.ops.files import register_blob
from service.ops.reviews import OBSERVATION_KINDS, observations, sync_findings
from service.rendering import render_audit_report
from service.scope import NotFound
from service.tables import Audit, Finding, Package, Review, School, User, utcnow

EXPORTS = {
    "docx": "导出督导工作情况表（DOCX）",
    "pdf": "导出核查报告（PDF）",
    "xlsx": "导出整改清单（XLSX）",
}
STAGES = {"read": "正在读取文件", "judge": "正在逐项核查", "done": "核查完成"}


def default_period(today: date | None = None) -> str:
    """The school year so far. reading: a school year starts on 1 September (DESIGN.md's
    default teaching months Sept–Jan, Mar–Jul); the clerk may type another period."""
    today = today or date.today()
    start = date(today.year if today.month >= 9 else today.year - 1, 9, 1)
    return f"{start.isoformat()}..{today.isoformat()}"


def check_period(text: str) -> str:
    try:
        parse_period(text)
    except ValueError as exc:
        raise ServiceError(str(exc)) from None
    return text


def run_audit_job(ctx: JobContext) -> dict[str, Any]:
    p = ctx.params
    package = ctx.work_dir / (str(p.get("filename") or "package.zip").replace("/", "_"))
    if not package.name.lower().endswith(".zip"):
        package = package.with_name(package.name + ".zip")
    package.symlink_to(ctx.blobs.path(p["package"]))
    files_total = 0

    def progress(stage: str, done: int, path: str) -> None:
        nonlocal files_total
        files_total = max(files_total, done)
        ctx.progress(done, max(files_total, done, 1), f"{STAGES.get(stage, stage)} {path}".strip())

    try:
        result = run_audit(
            package, p["checklist_id"], p.get("profile_id"), parse_period(p["period"]), progress
        )
    except (AuditError, ValueError) as exc:
        raise JobFailed(f"证据包无法核查：{exc}") from None
    with ctx.db.session() as db:
        package_row = db.get(Package, int(p["package_id"]))
        if package_row is None or package_row.withdrawn_at is not None:
            raise JobFailed("上传已撤回，核查结果未保存")
        # A run that stored its audit and died before it marked the job done: the retry
        # keeps that audit (a package has one) instead of storing a second
        stored = db.scalar(select(Audit).where(Audit.package_id == package_row.id).limit(1))
        if stored is not None:
            summary = stored.report.get("summary") or {}
            return {
                "audit_id": stored.id,
                "level": summary.get("level"),
                "percent": summary.get("percent"),
                "findings": db.scalar(
                    select(func.count()).select_from(Finding).where(Finding.audit_id == stored.id)
                ),
                "files": {},
            }
        audit = Audit(
            school_id=ctx.school_id,
            package_id=int(p["package_id"]),
            checklist_id=result.checklist.id,
            report=result.model_dump(mode="json", by_alias=True),
        )
        db.add(audit)
        db.flush()
        findings = sync_findings(db, audit)
        audit_id = audit.id
    ctx.progress(files_total, files_total, "核查完成", force=True)
    return {
        "audit_id": audit_id,
        "level": result.summary.level,
        "percent": result.summary.percent,
        "findings": findings,
        "files": {},
    }


def reviewed_result(db: Session, audit: Audit) -> AuditResult:
    """The stored report with each final verdict and observation written into its record."""
    result = load_result(_json(audit.report))
    reviews = list(db.scalars(select(Review).where(Review.audit_id == audit.id)))
    names = {
        u.id: u.display_name
        for u in db.scalars(select(User).where(User.id.in_({r.reviewer_id for r in reviews})))
    }
    for review in reviews:
        try:
            item = result.item(review.item_id)
        except KeyError:
            continue
        if review.status != item.status:
            automatic = AUDIT_STATUS.get(item.status, item.status)
            final = AUDIT_STATUS.get(review.status, review.status)
            item.detail = (
                f"督学复核：自动结论“{automatic}”改为“{final}”（{review.note}）。{item.detail}"
            )
            item.status = review.status  # type: ignore[assignment]
        elif review.note:
            item.detail = f"督学复核：{review.note}。{item.detail}"
    for obs in observations(db, audit):
        label = OBSERVATION_KINDS.get(obs.kind, (obs.kind, None))[0]
        line = f"现场记录：{label} {obs.value}" + (f"（{obs.note}）" if obs.note else "")
        target = obs.item_id or (result.items[0].id if result.items else None)
        if target:
            try:
                item = result.item(target)
                item.detail = f"{item.detail}\n{line}".strip()
            except KeyError:
                pass
    if reviews:
        latest = max(reviews, key=lambda r: r.reviewed_at)
        result.verdict.final.reviewer = names.get(latest.reviewer_id)
        result.verdict.final.time = latest.reviewed_at
        result.verdict.final.level = result.verdict.automatic.level
        result.verdict.final.note = f"已复核{len(reviews)}项"
    return result


def _json(report: dict[str, Any]) -> str:
    import json

    return json.dumps(report, ensure_ascii=False)


def export_audit(
    db: Session, blobs: BlobStore, audit: Audit, school: School, fmt: str, full_ids: bool = False
) -> tuple[str, str]:
    """The report in `fmt`; for a role without the right to full 身份证号, made from the
    report with every ID number masked (an evidence file's name or text may carry one)."""
    if fmt not in EXPORTS:
        raise NotFound("导出格式")
    result = reviewed_result(db, audit)
    if not full_ids:
        result = load_result(_json(mask_data(result.model_dump(mode="json", by_alias=True))))
    data = render_audit_report(result, fmt)  # in the web process's renderer
    sha = register_blob(db, blobs, blobs.put_bytes(data))
    stamp = utcnow().strftime("%Y%m%d")
    name = {"docx": "督导工作情况表", "pdf": "核查报告", "xlsx": "整改清单"}[fmt]
    return sha, f"{school.name}-{name}-{stamp}.{fmt}"
