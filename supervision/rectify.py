"""整改意见 and their follow-up (002 § 四(二)): made from a visit's failed requirements with a
deadline by severity (the checklist's `remediation_due_days`); a 回访 falls due once the
deadline has passed; a rectification closes when its evidence is uploaded and accepted."""

from __future__ import annotations

from datetime import date, timedelta

from audit.checklist import Checklist
from audit.report.model import AuditResult
from supervision.config import RoundConfig
from supervision.model import RECT_OVERDUE, RECT_STATUS, Rectification

OPEN_STATUSES = ("fail", "partial")
FLOW = {"open": {"submitted"}, "submitted": {"closed", "open"}, "closed": {"open"}}


class RectificationError(Exception):
    """A change the rules refuse; the message says why in Chinese."""


def deadline_for(checklist: Checklist, severity: str, visited_on: date) -> date:
    days: dict[str, int] = {
        str(k): v for k, v in checklist.scoring.remediation_due_days.value.items()
    }
    return visited_on + timedelta(days=days.get(severity, max(days.values())))


def from_result(result: AuditResult, visited_on: date) -> list[Rectification]:
    """One 整改意见 per requirement the visit judged 不符合 or 部分符合 (its findings'
    recommendations, else the requirement's), due by its severity's days."""
    checklist = Checklist.model_validate(result.checklist.effective)
    out = []
    for item in result.items:
        if item.level != "requirement" or item.status not in OPEN_STATUSES:
            continue
        severity = item.severity or "major"
        texts = list(dict.fromkeys(f.recommendation for f in item.findings if f.recommendation))
        if not texts:
            texts = [checklist.requirement(item.id).recommendation]
        out.append(
            Rectification(
                item_id=item.id,
                title=item.title,
                text="；".join(texts),
                severity=severity,
                deadline=deadline_for(checklist, severity, visited_on),
            )
        )
    return out


def revisit_due(rect: Rectification, config: RoundConfig) -> date | None:
    """The day a 回访 falls due: after the deadline (plus the configured days), unless closed."""
    if rect.status == "closed":
        return None
    return rect.deadline + timedelta(days=1 + config.rectification.revisit_after_days.value)


def is_overdue(rect: Rectification, today: date, config: RoundConfig) -> bool:
    due = revisit_due(rect, config)
    return due is not None and today >= due


def status_name(rect: Rectification, today: date, config: RoundConfig) -> str:
    if rect.status != "closed" and is_overdue(rect, today, config):
        return RECT_OVERDUE
    return RECT_STATUS[rect.status]


def submit(rect: Rectification, filename: str) -> Rectification:
    """The school (or the inspector) uploads what shows the rectification done."""
    if rect.status == "closed":
        raise RectificationError("该整改意见已验收通过，无需再上传材料")
    return rect.model_copy(update={"evidence": [*rect.evidence, filename], "status": "submitted"})


def accept(rect: Rectification, who: str, on: date, config: RoundConfig) -> Rectification:
    if rect.status == "closed":
        raise RectificationError("该整改意见已验收通过")
    if config.rectification.close_needs_evidence.value and not rect.evidence:
        raise RectificationError("还没有上传整改材料，不能验收（002 § 四(二)：整改须书面反馈）")
    return rect.model_copy(update={"status": "closed", "accepted_by": who, "accepted_on": on})


def reject(rect: Rectification) -> Rectification:
    """The inspector sends it back: the school rectifies again."""
    if rect.status != "submitted":
        raise RectificationError("只有待验收的整改意见可以退回")
    return rect.model_copy(update={"status": "open"})
