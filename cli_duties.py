"""`baoxue duties`: the calendar of every duty the rules set, thin over cases.duties."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from cli_common import EXIT_INVALID, EXIT_USAGE, Group, day_or_today, option
from cli_common import fail as _fail

_duties_store_option = option(
    "--duties-store",
    "duties_dir",
    type=click.Path(path_type=Path),
    envvar="BAOXUE_DUTIES",
    help="已办记录目录（done.jsonl 和所附文书）；默认为数据目录下的 duties",
)


def _duty_store(duties_dir: Path | None) -> Any:
    from cases.duties import DutyStore, default_root
    from forms.files import check_folder

    root = duties_dir or default_root()
    check_folder(root, "已办记录目录")
    return DutyStore(root)


@click.group("duties", cls=Group, invoke_without_command=True)
@option("--profile", "profile_id", help="辖区规定，如 jiaotan-2025（不写时取个案的辖区规定）")
@option("--school", help="学校：列学校的工作")
@option("--township", help="乡镇：列乡镇和村（社区）的工作")
@option("--bureau", is_flag=True, help="列教育局的工作")
@option("--week", help="周，如 2026-W11（ISO 周）；默认今天所在的周")
@option("--month", help="月，如 2026-03：列整月（代替 --week）")
@option("--date", "on", help="今天的日期（默认系统日期），据此判断应办和逾期")
@option("--holiday", "holidays", multiple=True, help="不计上学日的节假日，可写多个")
@option(
    "--ics",
    "ics_path",
    type=click.Path(path_type=Path),
    help="另写日历文件（.ics，整学年），供日历软件订阅或导入",
)
@option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@option(
    "--store",
    "store_dir",
    type=click.Path(path_type=Path),
    envvar="BAOXUE_CASES",
    help="个案目录（复学后补建学籍、休学后劝返按个案排出）；默认为数据目录下的 cases",
)
@_duties_store_option
@click.pass_context
def duties(
    ctx: click.Context,
    profile_id: str | None,
    school: str | None,
    township: str | None,
    bureau: bool,
    week: str | None,
    month: str | None,
    on: str | None,
    holidays: tuple[str, ...],
    ics_path: Path | None,
    as_json: bool,
    store_dir: Path | None,
    duties_dir: Path | None,
) -> None:
    """本周、本月应办和逾期的周期性工作（报表、台账、会议等）。

    每项工作取自辖区规定（duties），附出处；学校、乡镇（含村、社区）或教育局各看自己的。
    已办的用 baoxue duties done 编号 --document 文件 标记。
    """
    if ctx.invoked_subcommand is not None:
        return
    from datetime import timedelta

    from cases.duties import (
        DutyError,
        ics,
        month_bounds,
        school_year_start,
        view,
        week_bounds,
    )
    from cases.duties import (
        as_json as line_json,
    )
    from cases.store import CaseStore
    from cases.store import default_root as cases_root
    from forms.files import check_output, write_output
    from forms.profiles import ProfileError, get_profile

    places = [("school", school), ("township", township), ("bureau", "教育局" if bureau else None)]
    chosen = [(level, place) for level, place in places if place]
    if len(chosen) != 1:
        _fail("请写 --school、--township 或 --bureau 中的一个", EXIT_USAGE)
    level, place = chosen[0]
    assert place is not None
    if week and month:
        _fail("--week 和 --month 只写一个", EXIT_USAGE)
    if ics_path is not None:
        check_output(ics_path, ("ics",), "日历文件")
    today = day_or_today(on)
    days = [day_or_today(h) for h in holidays]
    root = store_dir or cases_root()
    cases = CaseStore(root).all() if root.is_dir() else []
    try:
        if profile_id is None:
            ids = sorted(
                {
                    c.profile_id
                    for c in cases
                    if (level == "school" and c.school.name == place)
                    or (level == "township" and c.school.township == place)
                }
            )
            if len(ids) != 1:
                _fail("请用 --profile 指明辖区规定", EXIT_USAGE)
            profile_id = ids[0]
        profile = get_profile(profile_id)
        if month:
            first, last = month_bounds(month)
        else:
            first, last = (
                week_bounds(week)
                if week
                else (
                    today - timedelta(days=today.weekday()),
                    today - timedelta(days=today.weekday()) + timedelta(days=6),
                )
            )
    except (ProfileError, DutyError) as exc:
        _fail(str(exc), EXIT_USAGE)
    if not profile.duties:
        _fail(f"辖区规定“{profile.name}”没有周期性工作", EXIT_USAGE)
    marks = _duty_store(duties_dir).marks()
    seen = view(profile, level, place, first, last, today, marks, cases, days)
    if ics_path is not None:
        start = school_year_start(today, profile)
        year = view(
            profile,
            level,
            place,
            start,
            start.replace(year=start.year + 1) - timedelta(days=1),
            today,
            marks,
            cases,
            days,
        )
        write_output(ics_path, ics(year.in_window, f"{place}控辍保学工作（{profile.name}）"))
    if as_json:
        out = {
            "on": today.isoformat(),
            "from": first.isoformat(),
            "to": last.isoformat(),
            "overdue": [line_json(x) for x in seen.overdue],
            "window": [line_json(x) for x in seen.in_window],
            "month": [line_json(x) for x in seen.this_month],
        }
        click.echo(json.dumps(out, ensure_ascii=False, indent=2, default=str))
        return
    title = "本月" if month else "本周"
    click.echo(
        f"{place}　{first.isoformat()}至{last.isoformat()}　今天 {today.isoformat()}　（{profile.name}）"
    )
    sections = [("逾期", seen.overdue), (title, seen.in_window)]
    if not month:
        rest = [
            x
            for x in seen.this_month
            if x.occurrence.deadline > last and x.occurrence.track_overdue  # daily: in their week
        ]
        sections.append(("本月其后", rest))
    for name, lines in sections:
        click.echo(f"\n【{name}】{len(lines)}项")
        for x in lines:
            o = x.occurrence
            click.echo(f"{o.key}\t{x.status_name}\t{o.rule}（{o.source}）")
    if ics_path is not None:
        click.echo(f"\n已写入 {ics_path}")


@duties.command("done")
@click.argument("key", metavar="编号")
@option("--date", "on", help="办理日期（默认今天）")
@option("--by", required=True, help="办理人员")
@option(
    "--document", type=click.Path(path_type=Path), help="办理的文书或材料（文件，存入已办记录）"
)
@option("--number", help="文书编号或服务中上传材料的编号（无文件时）")
@option("--note", help="情况")
@_duties_store_option
def duties_done(
    key: str,
    on: str | None,
    by: str,
    document: Path | None,
    number: str | None,
    note: str | None,
    duties_dir: Path | None,
) -> None:
    """标记一项工作已办（须附文书或上传的材料）。"""
    from cases.duties import DutyError

    try:
        mark = _duty_store(duties_dir).mark(key, day_or_today(on), by, document, number, note)
    except DutyError as exc:
        _fail(str(exc), EXIT_INVALID)
    shown = mark.document or mark.reference
    click.echo(f"已标记已办：{key}（{mark.done_on}，{by}，{shown}）")
