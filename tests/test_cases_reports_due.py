"""Monthly reports in the due list: Jiaotan's 总台账 by the 25th, the schools' 月报 by month end.

They are due with no case open (Xiuyan reports “0”), so they come from the profile."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from cases.reports_due import reports_due
from forms.profiles import get_profile

JIAOTAN = get_profile("jiaotan-2025")
XIUYAN = get_profile("xiuyan-2024")


@pytest.mark.parametrize(
    ("day", "listed"),
    [
        (date(2026, 3, 19), False),  # before the reminder window
        (date(2026, 3, 20), True),  # 5 days before the 25th
        (date(2026, 3, 25), True),  # the deadline itself
        (date(2026, 3, 26), False),  # the next month's is not yet due
    ],
)
def test_jiaotan_ledger_by_the_25th(day: date, listed: bool) -> None:
    found = reports_due([JIAOTAN], day)
    assert bool(found) is listed
    if listed:
        (report,) = found
        assert report.what == "《蛟潭镇控辍保学总台账》" and report.level == "township"
        assert report.deadline == date(2026, 3, 25) and report.source == "004 § 四(一)2"
        assert report.status_name == "应于2026年3月25日前报送"


def test_school_report_by_the_months_last_day_also_in_february() -> None:
    (report,) = reports_due([XIUYAN], date(2026, 2, 24))
    assert report.deadline == date(2026, 2, 28) and report.month == "2026-02"
    assert reports_due([XIUYAN], date(2026, 2, 22)) == []
    assert reports_due([XIUYAN, XIUYAN], date(2026, 2, 28)) == [report]  # once a profile


def test_cli_lists_the_report_with_no_case(cli: Callable[..., Any], tmp_path: Path) -> None:
    args = ("cases", "due", "--date", "2026-03-22", "--store", tmp_path / "store")
    result = cli(*args, "--profile", "jiaotan-2025")
    assert result.exit_code == 0, result.output
    assert "没有应办或逾期的步骤" in result.output
    assert "每月报送\t2026-03\t应于2026年3月25日前报送" in result.output
    assert "镇民生服务办每月报县教育局：《蛟潭镇控辍保学总台账》（004 § 四(一)2）" in result.output
    assert "每月报送" not in cli(*args).output  # no profile, no case: nothing to remind of
