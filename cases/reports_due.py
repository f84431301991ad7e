"""The monthly reports a profile asks for, in the due list beside the cases' steps.

They fall due whether or not a case is open (Xiuyan's school reports “0”), so they come from
the profile (`cases.reports`), not from the cases.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from forms.dates import cn_date
from forms.profiles import PeriodicReport, Profile


@dataclass(frozen=True)
class ReportDue:
    what: str
    actor: str
    to: str
    level: str
    month: str  # 2026-03: the month the report is for
    deadline: date
    source: str
    reading: str | None

    @property
    def rule(self) -> str:
        return f"{self.actor}每月报{self.to}：{self.what}"

    @property
    def status_name(self) -> str:
        return f"应于{cn_date(self.deadline)}前报送"


def _deadline(report: PeriodicReport, on: date) -> date:
    last = calendar.monthrange(on.year, on.month)[1]
    return on.replace(day=min(report.by_day or last, last))


def reports_due(profiles: Iterable[Profile], on: date, level: str | None = None) -> list[ReportDue]:
    """Reports whose reminder window holds `on` (from `remind_days` before to the deadline)."""
    out: list[ReportDue] = []
    seen: set[str] = set()
    for profile in profiles:
        if profile.id in seen or profile.cases is None:
            continue
        seen.add(profile.id)
        for report in profile.cases.reports:
            if level is not None and report.level != level:
                continue
            deadline = _deadline(report, on)
            if deadline - timedelta(days=report.remind_days) <= on <= deadline:
                out.append(
                    ReportDue(
                        what=report.what,
                        actor=report.actor,
                        to=report.to,
                        level=report.level,
                        month=f"{on.year:04d}-{on.month:02d}",
                        deadline=deadline,
                        source=report.source,
                        reading=report.reading,
                    )
                )
    return sorted(out, key=lambda r: (r.deadline, r.what))
