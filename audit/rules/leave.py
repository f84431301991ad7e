"""Item 2.4: a leave system, and each leave approved at the tier the profile requires.

Tiers come from the jurisdiction profile (Liupu: ≤1 day 班主任, 2 days 政教处（德育处）,
≥3 days 校长 — 000 § 四(二)3); a leave over the home-visit threshold needs a recorded visit.
"""

from __future__ import annotations

import re
from datetime import timedelta

from pydantic import BaseModel

from audit.facts import LeaveRecord, Provenance
from audit.rules.base import Context, Issue, Outcome, Params, dedupe, name_key, rule
from forms.dates import cn_date


class Tier(BaseModel):
    max_days: float | None
    approver: str


class LeaveParams(Params):
    tiers: list[Tier] | None = None
    home_visit_over_days: int | None = None
    higher_tier_ok: bool = True
    visit_grace_days: int = 0


def _aliases(approver: str) -> list[str]:
    """“政教处（德育处）” → [政教处, 德育处]."""
    return [a for a in re.split(r"[（）()、/／或,，\s]+", approver) if a]


def required_tier(tiers: list[Tier], days: float) -> int:
    for i, tier in enumerate(tiers):
        if tier.max_days is None or days <= tier.max_days:
            return i
    return len(tiers) - 1


def actual_tier(tiers: list[Tier], written: str) -> int | None:
    """The highest tier whose name appears in what was written (校长 beats 班主任)."""
    found = [i for i, t in enumerate(tiers) if any(a in written for a in _aliases(t.approver))]
    return max(found) if found else None


def _fmt_days(days: float) -> str:
    return f"{days:g}天"


def _check(ctx: Context, p: LeaveParams, lv: LeaveRecord) -> list[str]:
    problems: list[str] = []
    if p.tiers:
        need = required_tier(p.tiers, lv.days)
        want = p.tiers[need].approver
        if not lv.approver:
            problems.append(f"请假{_fmt_days(lv.days)}未写审批人（应由{want}审批）")
        else:
            got = actual_tier(p.tiers, lv.approver)
            if got is None:
                problems.append(
                    f"请假{_fmt_days(lv.days)}由“{lv.approver}”审批，无法确认其为{want}（请写明审批人职务）"
                )
            elif got < need or (got > need and not p.higher_tier_ok):
                problems.append(f"请假{_fmt_days(lv.days)}由{lv.approver}审批，应由{want}审批")
    if p.home_visit_over_days is not None and lv.days > p.home_visit_over_days:
        last = (lv.returned or lv.end) + timedelta(days=p.visit_grace_days)
        key = name_key(lv.student)
        visited = lv.home_visit or any(
            name_key(v.student) == key and lv.start <= v.date <= last for v in ctx.facts.visits
        )
        if not visited:
            problems.append(
                f"连续请假{_fmt_days(lv.days)}，超过{p.home_visit_over_days}天，未见教师上门核实记录"
            )
    return problems


@rule("leave", LeaveParams, required_from_profile=())
def leave(ctx: Context, p: LeaveParams) -> Outcome:
    system = ctx.present(["leave_system"])
    period = ctx.period
    records = [lv for lv in ctx.facts.leaves if lv.start <= period.end and lv.end >= period.start]
    issues: list[Issue] = []
    evidence: list[Provenance] = list(system)
    if not system:
        issues.append(Issue(message="未见学校请销假制度", missing=True))
    if not records:
        issues.append(Issue(message="统计期内未见请假审批（请销假）记录", missing=True))
    compliant = 0
    for lv in records:
        problems = _check(ctx, p, lv)
        evidence.append(lv.prov)
        if problems:
            when = f"{cn_date(lv.start)}起"
            issues.append(
                Issue(
                    message=f"{lv.student}{when}{'；'.join(problems)}",
                    student=lv.student,
                    evidence=[lv.prov],
                )
            )
        else:
            compliant += 1
    share = compliant / len(records) if records else 0.0
    ratio = ((1.0 if system else 0.0) + share) / 2
    parts = [f"请销假制度：{'有' if system else '未见'}"]
    if records:
        parts.append(f"请假记录{len(records)}条，{compliant}条审批与核实符合规定")
    if not p.tiers:
        parts.append("辖区规定未定审批层级，未核对层级")
    return Outcome(ratio=ratio, detail="；".join(parts), evidence=dedupe(evidence), issues=issues)
