"""Evidence uploads: a package stored and its audit queued, or refused when it is no package
(an Office file, nothing to check); a package withdrawn with its audits. (A roster for batch
printing: service/ops/batches.py.)

The file is stored first (content-addressed, atomic); the job row then names it, so a
restart can run the job again from the same bytes.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from typing import Any, BinaryIO

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from audit.package import PackageError, check_package
from service.blobs import BlobStore
from service.changelog import record_change
from service.context import ServiceContext
from service.jobs import fail_job
from service.ops import ServiceError
from service.ops.files import register_blob
from service.scope import Scope
from service.tables import Audit, Finding, Job, Package, School, utcnow


def store_upload(db: Session, blobs: BlobStore, stream: BinaryIO, limit: int) -> tuple[str, int]:
    stored = blobs.put_file(stream, limit)
    if stored.size == 0:
        raise ServiceError("上传的文件是空的")
    return register_blob(db, blobs, stored), stored.size


def start_audit(
    db: Session,
    context: ServiceContext,
    scope: Scope,
    school: School,
    filename: str,
    stream: BinaryIO,
    options: dict[str, Any],
) -> tuple[Package, Job]:
    scope.require("packages.upload")
    from service.adapters.audit import check_period, default_period

    checklist_id = str(options.get("checklist_id") or context.config.default_checklist)
    period = check_period((options.get("period") or "").strip() or default_period())
    name = (filename or "").strip() or "证据包.zip"
    sha, size = store_upload(db, context.blobs, stream, context.config.max_upload_bytes)
    if not zipfile.is_zipfile(context.blobs.path(sha)):
        raise ServiceError(
            f"“{name}”不是 zip 压缩包。请把迎检材料文件夹压缩成 .zip 后再上传（rar、7z 暂不支持）"
        )
    try:  # an Office file is a zip too; an empty zip, or one of litter, has nothing to check
        check_package(context.blobs.path(sha), name)
    except PackageError as exc:
        raise ServiceError(str(exc)) from None
    package = Package(
        school_id=school.id, filename=name, blob_sha256=sha, uploaded_by=scope.user.id
    )
    db.add(package)
    db.flush()
    job = Job(
        kind="audit",
        school_id=school.id,
        params={
            "package_id": package.id,
            "package": sha,
            "filename": name,
            "size": size,
            "profile_id": _audit_profile(school.profile_id, checklist_id),
            "checklist_id": checklist_id,
            "period": period,
        },
        created_by=scope.user.id,
        message="排队中",
    )
    db.add(job)
    db.flush()
    package.job_id = job.id
    return package, job


def _audit_profile(profile_id: str, checklist_id: str) -> str | None:
    """The school's jurisdiction fills the checklist's values only where it names that
    checklist; otherwise the checklist's own default profile applies."""
    from forms.profiles import get_profile

    return profile_id if get_profile(profile_id).checklist == checklist_id else None


@dataclass(frozen=True)
class Withdrawn:
    package: Package
    audits: list[int]
    findings: int


def withdraw_package(db: Session, scope: Scope, package: Package) -> Withdrawn:
    """Take back an upload: its audit job stops counting (a queued one never runs, a running
    one keeps no result), its audits go and their findings, reviews, observations and
    remediation evidence with them, so the overview and the remediation list count only
    what stands. The package row stays, marked withdrawn, and the change log says who."""
    scope.require("packages.withdraw")
    if package.withdrawn_at is not None:
        raise ServiceError(f"“{package.filename}”已经撤回")
    if package.job_id is not None:
        fail_job(db, package.job_id, "上传已撤回，核查结果未保存")
    from service.ops.binders import binder_jobs

    for job in binder_jobs(db, package):  # its 迎检资料 hold its files: they go with it
        fail_job(db, job.id, "上传已撤回，未生成迎检资料")
        if job.result and job.result.get("files"):
            job.result = {**job.result, "files": {}, "summary": "上传已撤回，迎检资料已删除"}
    audits = list(db.scalars(select(Audit.id).where(Audit.package_id == package.id)))
    findings = 0
    if audits:
        findings = (
            db.scalar(select(func.count()).select_from(Finding).where(Finding.audit_id.in_(audits)))
            or 0
        )
        # reviews, observations, findings and their evidence cascade in the database
        db.execute(delete(Audit).where(Audit.id.in_(audits)))
    package.withdrawn_at = utcnow()
    package.withdrawn_by = scope.user.id
    record_change(
        db,
        scope.user,
        "package.withdraw",
        "package",
        package.id,
        package.school_id,
        file=package.filename,
        audits=audits,
        findings=findings,
    )
    db.flush()
    return Withdrawn(package, audits, findings)
