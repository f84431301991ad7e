"""四查三对比 in the service, for the townships' inspectors and the bureau: the uploaded lists
compared (cases/reconcile.py), the XLSX and PDF kept as files, the run in the change log
(`reconcile.run`: who, when, the summary, the files); on request the 疑似失学 children open
cases at the school chosen (the bureau: `cases.manage`), never twice."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.lists import ListError, ListFile, list_kinds
from cases.reconcile import ReconcileError, categories, opening_of, reconcile
from cases.reconcile_output import summary_rows, write_pdf, write_xlsx
from forms.profiles import ProfileError, get_profile
from forms.roster import ROSTER_SUFFIXES
from service.blobs import BlobStore
from service.changelog import record_change
from service.ops import ServiceError
from service.ops.documents import school_values
from service.ops.files import register_blob
from service.ops.uploads import store_upload
from service.scope import Scope
from service.tables import ChangeLog, School

RUNNERS = ("inspector", "admin")


@dataclass(frozen=True)
class ListUpload:
    kind: str
    filename: str
    stream: BinaryIO


def run(
    db: Session,
    scope: Scope,
    blobs: BlobStore,
    uploads: list[ListUpload],
    profile_id: str,
    on: date,
    unit: str,
    limit: int,
    open_at: School | None = None,
) -> int:
    """Compare the lists; the change-log id of the run. `open_at`: open the 疑似失学 cases
    there (needs `cases.manage`)."""
    if scope.role not in RUNNERS:
        raise ServiceError("四查三对比由乡镇挂点督学和教育局进行", status=403)
    if open_at is not None:
        scope.require("cases.manage")
    try:
        profile = get_profile(profile_id)
    except ProfileError as exc:
        raise ServiceError(str(exc), status=422, fields={"profile_id": str(exc)}) from None
    given = [u for u in uploads if u.filename]
    if len({u.kind for u in given}) < 2:
        message = "至少上传两种名单（如户籍名单和学籍名单）"
        raise ServiceError(message, status=422, fields={"lists": message})
    work = Path(tempfile.mkdtemp(prefix="baoxue-reconcile-"))
    try:
        sources = []
        names: dict[str, list[str]] = {}
        for n, u in enumerate(given):
            suffix = Path(u.filename).suffix.lower()
            if suffix not in ROSTER_SUFFIXES:
                message = f"“{u.filename}”不是名单文件（可用 .xlsx、.xls、.csv）"
                raise ServiceError(message, status=422, fields={u.kind: message})
            sha, _ = store_upload(db, blobs, u.stream, limit)
            path = work / str(n) / Path(u.filename).name  # the name the summary shows
            path.parent.mkdir()
            shutil.copyfile(blobs.path(sha), path)
            sources.append(ListFile(u.kind, path))
            names.setdefault(u.kind, []).append(u.filename)
        try:
            result = reconcile(sources, profile, on, unit=unit.strip() or None)
        except (ListError, ReconcileError) as exc:
            raise ServiceError(str(exc), status=422) from None
        opened: list[str] = []
        refused: list[str] = []
        if open_at is not None:
            opened, refused = _open(db, scope, open_at, result)
        files: dict[str, str] = {}
        masked = not scope.full_ids
        for fmt, writer in (("xlsx", write_xlsx), ("pdf", write_pdf)):
            path = writer(result, work / f"四查三对比.{fmt}", masked)
            with path.open("rb") as handle:
                stored = blobs.put_file(handle, None)
            files[fmt] = register_blob(db, blobs, stored)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    record_change(
        db,
        scope.user,
        "reconcile.run",
        "reconcile",
        on.isoformat(),
        None,
        unit=unit.strip() or None,
        profile_id=profile.id,
        on=on.isoformat(),
        lists={list_kinds()[k]["title"]: v for k, v in names.items()},
        summary=[list(row) for row in summary_rows(result)],
        counts={c.title: len(result.children.get(c.id, [])) for c in categories()},
        files=files,
        opened=opened,
        refused=refused,
    )
    db.flush()
    row = db.scalars(
        select(ChangeLog)
        .where(ChangeLog.action == "reconcile.run", ChangeLog.user_id == scope.user.id)
        .order_by(ChangeLog.id.desc())
    ).first()
    assert row is not None
    return row.id


def _open(db: Session, scope: Scope, school: School, result: Any) -> tuple[list[str], list[str]]:
    from service.ops.cases import open_for

    opened: list[str] = []
    refused: list[str] = []
    for category in categories():
        if not category.opens_case:
            continue
        for child in result.children.get(category.id, []):
            data = opening_of(child, category, result.on, school_values(school))
            try:
                with db.begin_nested():
                    row = open_for(db, scope, school, data, result.on)
            except ServiceError as exc:
                refused.append(f"{child.person.name}：{exc}")
                continue
            child.case_id = row.case_no
            opened.append(f"{child.person.name}：{row.case_no}")
    return opened, refused


def runs(db: Session, scope: Scope, limit: int = 20) -> list[ChangeLog]:
    """The user's runs (the bureau: everyone's), newest first."""
    stmt = select(ChangeLog).where(ChangeLog.action == "reconcile.run")
    if scope.role != "admin":
        stmt = stmt.where(ChangeLog.user_id == scope.user.id)
    return list(db.scalars(stmt.order_by(ChangeLog.id.desc()).limit(limit)))


def run_file(db: Session, scope: Scope, run_id: int, fmt: str) -> tuple[str, str]:
    row = db.get(ChangeLog, run_id)
    if (
        row is None
        or row.action != "reconcile.run"
        or (scope.role != "admin" and row.user_id != scope.user.id)
        or fmt not in row.detail.get("files", {})
    ):
        raise ServiceError("找不到该比对结果，或您无权查看", status=404)
    unit = row.detail.get("unit") or ""
    return str(row.detail["files"][fmt]), f"{unit}四查三对比-{row.detail['on']}.{fmt}"
