"""Leave approval arithmetic (请假分级审批), pure functions over the profile's policy.

000 § 四(二)3: ≤1 day 班主任, 2 days 政教处（德育处）, ≥3 days 校长; more than 7
consecutive days, a teacher visits the home to verify. The tiers, how days are counted and
how half days are read are profile parameters (LeavePolicy).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from forms.documents.common import weekdays_between
from forms.profiles import LeavePolicy, LeaveTier


def leave_days(
    start: date,
    end: date,
    start_half: bool = False,
    end_half: bool = False,
    count: str = "calendar",
) -> float:
    """Days of leave from start to end, both included, less half a day for each half day.

    count "calendar": every day counts; "weekdays": Monday–Friday only.
    """
    if end < start:
        raise ValueError("结束日期早于开始日期")
    if count == "calendar":
        days = float((end - start).days + 1)
    elif count == "weekdays":
        days = float(weekdays_between(start, end))
    else:
        raise ValueError(f"不认识的天数计算方式“{count}”（可用 calendar、weekdays）")
    if start_half and (count == "calendar" or start.weekday() < 5):
        days -= 0.5
    if end_half and end != start and (count == "calendar" or end.weekday() < 5):
        days -= 0.5
    return max(days, 0.0)


def tier_for(days: float, tiers: list[LeaveTier], half_day: str = "ceil") -> LeaveTier:
    """The approver tier of a leave of `days`.

    half_day "ceil": the exact days are compared against each tier's "不超过" bound, so
    1.5 days goes to the 2-day approver; "floor": half days are dropped first, so 1.5
    days stays with the 1-day approver.
    """
    if half_day == "ceil":
        measure = days
    elif half_day == "floor":
        measure = float(math.floor(days))
    else:
        raise ValueError(f"不认识的半天处理方式“{half_day}”（可用 ceil、floor）")
    for tier in tiers:
        if tier.max_days is None or measure <= tier.max_days:
            return tier
    return tiers[-1]


@dataclass(frozen=True)
class LeaveDecision:
    days: float
    approver: str
    chain: list[str]  # every tier up to and including the approver, for the sign-off rows
    home_visit: bool  # more than home_visit_over_days consecutive days


def decide(
    start: date, end: date, start_half: bool, end_half: bool, policy: LeavePolicy
) -> LeaveDecision:
    days = leave_days(start, end, start_half, end_half, policy.day_count.value)
    tiers = policy.tiers.value
    tier = tier_for(days, tiers, policy.half_day.value)
    chain = [t.approver for t in tiers[: tiers.index(tier) + 1]]
    home_visit = days > policy.home_visit_over_days.value
    return LeaveDecision(days, tier.approver, chain, home_visit)


def format_days(days: float) -> str:
    return str(int(days)) if days.is_integer() else f"{days:g}"
