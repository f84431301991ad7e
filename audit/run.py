"""The audit's library entry point: package → facts → rules → score → `AuditResult`.

The CLI, the web service and the tests all call `run_audit` (or `judge` when they already
hold the facts). `AuditError` means the audit could not run at all (exit code 2): no such
file, not a package, unknown checklist or profile, a bad period.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

from pydantic import ValidationError

from audit.checklist import Checklist, ChecklistError, resolve
from audit.evaluate import check_period, evaluate
from audit.facts import PackageFacts
from audit.report.model import AuditResult
from audit.result import build_result
from audit.rules import Period
from audit.scoring import score

# progress(stage, files done, path just read): stages "read", "judge", "done"
Progress = Callable[[str, int, str], None]
FACTS_SUFFIX = ".facts.json"


class AuditError(Exception):
    """The audit could not run; the message says why, in Chinese."""


def judge(
    facts: PackageFacts,
    checklist: Checklist,
    period: Period,
    package_name: str,
    now: dt.datetime | None = None,
) -> AuditResult:
    """Judge facts already read: every rule, the score, the assembled result."""
    results = evaluate(checklist, facts, period)
    used = {p.file for r in results for p in r.to_review}
    orphans = [
        f"{f.path}（{f.reason or '无法读取'}）"
        for f in facts.files
        if f.status == "error" and f.path not in used
    ]
    card = score(checklist, results, orphans)
    return build_result(checklist, facts, period, results, card, package_name, now)


def _period(period: tuple[dt.date, dt.date] | Period | None) -> Period:
    if period is None:
        raise AuditError("请用 --period 指定统计期，如 2025-09-01..2026-07-15")
    start, end = (period.start, period.end) if isinstance(period, Period) else period
    try:
        return check_period(start, end)
    except ValueError as exc:
        raise AuditError(str(exc)) from None


def load_facts_file(path: Path) -> PackageFacts:
    """Facts saved as JSON (`*.facts.json`): to re-judge a package without reading it again."""
    try:
        return PackageFacts.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, ValidationError) as exc:
        raise AuditError(f"{path.name} 不是有效的事实文件（{type(exc).__name__}）") from None


def read_facts(package: Path, period: Period, progress: Progress | None = None) -> PackageFacts:
    if not package.exists():
        raise AuditError(f"找不到材料包“{package}”")
    if package.name.endswith(FACTS_SUFFIX):
        return load_facts_file(package)
    from audit.ingest import PackageError, read_package
    from audit.package import check_package, nothing_to_check

    def step(done: int, path: str) -> None:
        if progress:
            progress("read", done, path)

    try:
        check_package(package)  # an Office file, an empty zip or folder: refused, not audited
        facts = read_package(package, period=(period.start, period.end), progress=step)
    except PackageError as exc:
        raise AuditError(str(exc)) from None
    if all(f.status == "skipped" for f in facts.files):  # e.g. only an empty zip inside
        raise AuditError(str(nothing_to_check(package.name)))
    return facts


def run_audit(
    package: Path | str,
    checklist_id: str,
    profile_id: str | None = None,
    period: tuple[dt.date, dt.date] | Period | None = None,
    progress: Progress | None = None,
    now: dt.datetime | None = None,
) -> AuditResult:
    """Audit one evidence package (zip, folder or .facts.json) against a checklist."""
    path = Path(package)
    try:
        checklist = resolve(checklist_id, profile_id)
    except ChecklistError as exc:
        raise AuditError(str(exc)) from None
    span = _period(period)
    facts = read_facts(path, span, progress)
    if progress:
        progress("judge", len(facts.files), "")
    result = judge(facts, checklist, span, path.name, now)
    if progress:
        progress("done", len(facts.files), "")
    return result
