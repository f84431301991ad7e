"""The school's 迎检资料 of an uploaded package, queued as a job (service/adapters/binder.py).

Anyone who may upload a package may bind it, in the package's scope; the binder holds the
package's files as they are — full 身份证号 among them — so only a role with the right to full
ID numbers may start it or download it (service/ops/school_view.py `withheld_files`).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.changelog import record_change
from service.ops import ServiceError
from service.scope import Forbidden, Scope
from service.tables import Job, Package

FULL_IDS_ONLY = (
    "迎检资料含材料包原件（可能有完整身份证号），您的角色不能生成或下载；请由学校文员生成"
)


def start_binder(db: Session, scope: Scope, package: Package, verdicts: bool = False) -> Job:
    scope.require("packages.upload")
    if not scope.full_ids:
        raise Forbidden(FULL_IDS_ONLY)
    if package.withdrawn_at is not None:
        raise ServiceError(f"“{package.filename}”已经撤回，不能生成迎检资料")
    audit_job = db.get(Job, package.job_id) if package.job_id is not None else None
    if audit_job is None or audit_job.status != "done":
        raise ServiceError(f"“{package.filename}”的核查还没有完成，完成后才能生成迎检资料")
    params = dict(audit_job.params)
    job = Job(
        kind="binder",
        school_id=package.school_id,
        params={
            "package_id": package.id,
            "package": package.blob_sha256,
            "filename": package.filename,
            "checklist_id": params["checklist_id"],
            "profile_id": params.get("profile_id"),
            "period": params["period"],
            "verdicts": verdicts,
        },
        created_by=scope.user.id,
        message="排队中",
    )
    db.add(job)
    db.flush()
    record_change(
        db,
        scope.user,
        "package.binder",
        "package",
        package.id,
        package.school_id,
        file=package.filename,
        job=job.id,
        verdicts=verdicts,
    )
    return job


def binder_jobs(db: Session, package: Package) -> list[Job]:
    """The binder jobs of a package (newest first)."""
    jobs = db.scalars(
        select(Job)
        .where(Job.kind == "binder", Job.school_id == package.school_id)
        .order_by(Job.id.desc())
    )
    return [j for j in jobs if j.params.get("package_id") == package.id]
