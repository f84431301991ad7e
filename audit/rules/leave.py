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


def _posts(ctx: Context) -> dict[str, list[str]]:
    """Each person's posts as the package gives them (政教处主任韦春梅, a 职务 column)."""
    found: dict[str, list[str]] = {}
    for s in ctx.facts.staff:
        found.setdefault(name_key(s.name), []).append(s.post)
    return found


def _tier_of(tiers: list[Tier], written: str, posts: dict[str, list[str]]) -> int | None:
    """The tier an approver as written holds: by the post it names, else by the posts the
    package gives the person it names (审批人：韦春梅 — 政教处主任韦春梅 elsewhere)."""
    got = actual_tier(tiers, written)
    if got is not None:
        return got
    held = [
        t
        for name in re.split(r"[\s、，,;；/]+", written)
        for post in posts.get(name_key(name), [])
        if (t := actual_tier(tiers, post)) is not None
    ]
    return max(held) if held else None


def _check(
    ctx: Context, p: LeaveParams, lv: LeaveRecord, posts: dict[str, list[str]]
) -> tuple[list[str], list[str]]:
    """(breaches, what cannot be told): an approver whose post neither the record nor the
    package says is not a breach — a person must tell who signed."""
    problems: list[str] = []
    unknown: list[str] = []
    if p.tiers:
        need = required_tier(p.tiers, lv.days)
        want = p.tiers[need].approver
        if not lv.approver:
            problems.append(f"请假{_fmt_days(lv.days)}未写审批人（应由{want}审批）")
        else:
            got = _tier_of(p.tiers, lv.approver, posts)
            if got is None:
                unknown.append(
                    f"请假{_fmt_days(lv.days)}由“{lv.approver}”审批，包内未见其职务，无法确认其为{want}"
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
    return problems, unknown


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
    compliant = undetermined = 0
    posts = _posts(ctx)
    for lv in records:
        problems, unknown = _check(ctx, p, lv, posts)
        evidence.append(lv.prov)
        when = f"{lv.student}{cn_date(lv.start)}起"
        if problems:
            issues.append(
                Issue(
                    message=f"{when}{'；'.join(problems)}", student=lv.student, evidence=[lv.prov]
                )
            )
        elif unknown:
            undetermined += 1
            issues.append(
                Issue(
                    message=f"{when}{'；'.join(unknown)}，需人工核实",
                    student=lv.student,
                    evidence=[lv.prov],
                    missing=True,
                    pending=True,
                )
            )
        else:
            compliant += 1
    judged = len(records) - undetermined
    share = compliant / judged if judged else 0.0
    ratio = ((1.0 if system else 0.0) + share) / 2
    parts = [f"请销假制度：{'有' if system else '未见'}"]
    if records:
        parts.append(f"请假记录{len(records)}条，{compliant}条审批与核实符合规定")
    if undetermined:
        parts.append(f"{undetermined}条审批人职务不明，待人工核实")
    if not p.tiers:
        parts.append("辖区规定未定审批层级，未核对层级")
    # what cannot be told leaves a passing check to a person; a breach stands beside it
    status = "not_reviewed" if undetermined and system and (not judged or share >= 1) else None
    return Outcome(
        status=status,
        ratio=ratio,
        detail="；".join(parts),
        evidence=dedupe(evidence),
        issues=issues,
    )
