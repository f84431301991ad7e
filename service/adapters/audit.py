"""Audit job and exports: package in the file store → audit.run → report stored in the DB."""

from __future__ import annotations

import importlib.util
from typing import Any

from sqlalchemy.orm import Session

from service.blobs import BlobStore
from service.jobs import JobContext, JobFailed
from service.ops import ServiceError
from service.tables import Audit, School

EXPORTS = {
    "docx": "导出督导工作情况表（DOCX）",
    "pdf": "导出核查报告（PDF）",
    "xlsx": "导出整改清单（XLSX）",
}


def run_audit_job(ctx: JobContext) -> dict[str, Any]:
    if importlib.util.find_spec("audit.run") is None:
        raise JobFailed("核查模块尚未安装，请联系管理员")
    raise JobFailed("核查模块尚未接入")


def export_audit(
    db: Session, blobs: BlobStore, audit: Audit, school: School, fmt: str
) -> tuple[str, str]:
    raise ServiceError("核查报告导出尚未接入", status=503)
