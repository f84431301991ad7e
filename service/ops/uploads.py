"""Uploads that start background jobs: a roster (batch printing), an evidence package (audit).

The file is stored first (content-addressed, atomic); the job row then names it, so a
restart can run the job again from the same bytes.
"""

from __future__ import annotations

import zipfile
from typing import Any, BinaryIO

from sqlalchemy.orm import Session

from forms.roster import ROSTER_SUFFIXES
from forms.sheets import sniff
from service.blobs import BlobStore
from service.context import ServiceContext
from service.ops import ServiceError
from service.ops.documents import kind_for
from service.ops.files import register_blob
from service.scope import Scope
from service.tables import Job, Package, School


def _store(db: Session, blobs: BlobStore, stream: BinaryIO, limit: int) -> tuple[str, int]:
    stored = blobs.put_file(stream, limit)
    if stored.size == 0:
        raise ServiceError("上传的文件是空的")
    return register_blob(db, blobs, stored), stored.size


def start_batch(
    db: Session,
    context: ServiceContext,
    scope: Scope,
    school: School,
    filename: str,
    stream: BinaryIO,
    form_id: str,
    options: dict[str, Any],
) -> Job:
    scope.require("rosters.upload")
    kind_for(school, form_id)  # the form must exist in the school's profile
    name = (filename or "").strip()
    if not name.lower().endswith(ROSTER_SUFFIXES):
        raise ServiceError("花名册应为 Excel（.xlsx、.xls）或 CSV 文件")
    sha, size = _store(db, context.blobs, stream, context.config.max_roster_bytes)
    with context.blobs.path(sha).open("rb") as stored:
        content = sniff(stored.read(4096))
    if content == "unknown" or (name.lower().endswith(".xlsx") and content == "text"):
        raise ServiceError(
            f"“{name}”不是有效的 .xlsx 文件，也不是 CSV 表格（可能已损坏），请用 Excel 另存为 .xlsx"
        )
    job = Job(
        kind="batch",
        school_id=school.id,
        params={
            "roster": sha,
            "filename": name,
            "size": size,
            "form_id": form_id,
            "profile_id": school.profile_id,
            **options,
            # Without the right to full 身份证号 the batch prints viewing copies.
            "viewing_copy": not scope.full_ids,
        },
        created_by=scope.user.id,
        message="排队中",
    )
    db.add(job)
    db.flush()
    return job


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
    sha, size = _store(db, context.blobs, stream, context.config.max_upload_bytes)
    if not zipfile.is_zipfile(context.blobs.path(sha)):
        raise ServiceError(
            f"“{name}”不是 zip 压缩包。请把迎检材料文件夹压缩成 .zip 后再上传（rar、7z 暂不支持）"
        )
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
