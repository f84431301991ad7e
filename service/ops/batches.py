"""Batch printing from the web, as `baoxue batch` prints: a roster, the form, the issue date,
the numbering pattern (`--number-pattern`), the defaults file (`--defaults`), the start
number and duplex. Everything is checked before the job is queued, each problem named with
its field, so the form can show it beside the field with what was typed kept.

Numbers go on from the school's counter (service/ops/numbering.py) unless a start is given,
and a start that would print a number twice is refused.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy.orm import Session

from forms.batch_plan import DEFAULT_PATTERN, BatchDefaults, BatchSetupError, check_pattern
from forms.dates import DateParseError, parse_date
from forms.record_fields import get_path
from forms.roster import ROSTER_SUFFIXES
from forms.sheets import sniff
from service.context import ServiceContext
from service.ops import ServiceError
from service.ops.documents import kind_for
from service.ops.numbering import next_number, taken_message
from service.ops.uploads import store_upload
from service.scope import Scope
from service.tables import Job, School

DEFAULTS_SUFFIXES = (".yaml", ".yml", ".json")
FIELD_NAMES = {
    "file": "花名册",
    "issue_date": "发文日期",
    "number_pattern": "编号格式",
    "start_number": "起始编号",
    "defaults": "默认值文件",
}
MAX_DEFAULTS_BYTES = 256 * 1024


@dataclass(frozen=True)
class BatchSettings:
    """What the batch form posts, as typed (the page shows it again when something is wrong)."""

    form_id: str = "return_notice"
    issue_date: str = ""
    number_pattern: str = ""
    start_number: str = ""  # blank: go on from the school's last number
    duplex: bool = False


@dataclass(frozen=True)
class Upload:
    filename: str
    stream: BinaryIO


def read_defaults(kind: Any, path: Path, filename: str) -> BatchDefaults:
    """The defaults file read as the CLI reads `--defaults` (its suffix decides YAML/JSON)."""
    from forms.batch_plan import load_defaults

    with tempfile.TemporaryDirectory() as tmp:
        named = Path(tmp) / ("defaults" + Path(filename).suffix.lower())
        shutil.copyfile(path, named)
        try:
            return load_defaults(kind, named)
        except BatchSetupError as exc:  # name the clerk's file, not the copy
            message = str(exc).replace(str(named), filename).replace(named.name, filename)
            raise BatchSetupError(message) from None


def issue_day(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    return parse_date(str(value))


def effective_numbering(
    settings_pattern: str | None,
    settings_start: int | None,
    settings_day: date | None,
    defaults: BatchDefaults | None,
) -> tuple[str, int | None, int]:
    """(pattern, asked start, year) as the batch will number: the form's values first, then
    the defaults file's, then the CLI's defaults (第{n:03d}号, go on, this year)."""
    pattern = settings_pattern or (defaults.number_pattern if defaults else None) or DEFAULT_PATTERN
    start = settings_start if settings_start is not None else defaults and defaults.start_number
    day = settings_day
    if day is None and defaults is not None:
        day = issue_day(get_path(defaults.values, "issue_date"))
    return pattern, start or None, (day or date.today()).year


def start_batch(
    db: Session,
    context: ServiceContext,
    scope: Scope,
    school: School,
    roster: Upload,
    settings: BatchSettings,
    defaults_file: Upload | None = None,
) -> Job:
    scope.require("rosters.upload")
    kind, _ = kind_for(school, settings.form_id)  # the form must exist in the school's profile
    errors: dict[str, str] = {}
    params: dict[str, Any] = {"form_id": settings.form_id, "profile_id": school.profile_id}

    day: date | None = None
    if settings.issue_date.strip():
        try:
            day = parse_date(settings.issue_date)
            params["issue_date"] = day.isoformat()
        except DateParseError as exc:
            errors["issue_date"] = str(exc)
    pattern: str | None = None
    if settings.number_pattern.strip():
        try:
            pattern = check_pattern(settings.number_pattern.strip())
            params["number_pattern"] = pattern
        except BatchSetupError as exc:
            errors["number_pattern"] = str(exc)
    start: int | None = None
    if settings.start_number.strip():
        text = settings.start_number.strip()
        if text.isdigit() and int(text) >= 1:
            start = int(text)
        else:
            errors["start_number"] = f"起始编号应为正整数，实际为“{text}”（留空则自动接着编号）"
    params["start_number"] = start

    defaults: BatchDefaults | None = None
    if defaults_file is not None and defaults_file.filename:
        name = defaults_file.filename.strip()
        if not name.lower().endswith(DEFAULTS_SUFFIXES):
            errors["defaults"] = (
                f"默认值文件应为 YAML（.yaml、.yml）或 JSON（.json），实际为“{name}”"
            )
        else:
            sha, _ = store_upload(db, context.blobs, defaults_file.stream, MAX_DEFAULTS_BYTES)
            try:
                defaults = read_defaults(kind, context.blobs.path(sha), name)
                params["defaults"], params["defaults_filename"] = sha, name
            except BatchSetupError as exc:
                errors["defaults"] = str(exc)
            if defaults is not None and get_path(defaults.values, "issue_date") not in (None, ""):
                try:
                    issue_day(get_path(defaults.values, "issue_date"))
                except DateParseError as exc:
                    errors["defaults"] = f"{name}：发文日期 {exc}"

    name = (roster.filename or "").strip()
    if not name:
        errors["file"] = "请选择花名册文件"
    elif not name.lower().endswith(ROSTER_SUFFIXES):
        errors["file"] = f"花名册应为 Excel（.xlsx、.xls）或 CSV 文件，实际为“{name}”"
    else:
        sha, size = store_upload(db, context.blobs, roster.stream, context.config.max_roster_bytes)
        with context.blobs.path(sha).open("rb") as stored:
            content = sniff(stored.read(4096))
        if content == "unknown" or (name.lower().endswith(".xlsx") and content == "text"):
            errors["file"] = (
                f"“{name}”不是有效的 .xlsx 文件，也不是 CSV 表格（可能已损坏），请用 Excel 另存为 .xlsx"
            )
        params.update(roster=sha, filename=name, size=size)

    if "number" in kind.model.model_fields and not errors.keys() & {"number_pattern", "defaults"}:
        eff_pattern, eff_start, year = effective_numbering(pattern, start, day, defaults)
        free = next_number(db, school.id, year, eff_pattern)
        if eff_start is not None and eff_start < free:
            field = "start_number" if start is not None else "defaults"
            errors[field] = taken_message(year, eff_pattern, free, eff_start)
    if errors:
        one = next(iter(errors.values())) if len(errors) == 1 else ""
        raise ServiceError(
            one or f"批量打印的设置有{len(errors)}处需要修改（见各项旁的说明）",
            details=[f"{FIELD_NAMES[k]}：{v}" for k, v in errors.items()],
            fields=errors,
        )

    params["duplex"] = settings.duplex
    # Without the right to full 身份证号 the batch prints viewing copies.
    params["viewing_copy"] = not scope.full_ids
    job = Job(
        kind="batch", school_id=school.id, params=params, created_by=scope.user.id, message="排队中"
    )
    db.add(job)
    db.flush()
    return job
