"""`baoxue round`: a supervision round from a round file — the plan, each school's 督导报告,
the 督导通报 (of the round and of months), the rates; thin over supervision/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from cli_common import EXIT_INVALID, EXIT_USAGE, Group, argument, day_or_today, option
from cli_common import fail as _fail

_ROUND_FILE = argument("round_file", metavar="督导轮次文件", type=click.Path(path_type=Path))


def _load(round_file: Path, today: Any) -> Any:
    from supervision.roundfile import RoundFileError, build_round, load_round_file

    try:
        rf = load_round_file(round_file)
        return rf, build_round(rf, round_file.parent, today)
    except RoundFileError as exc:
        _fail(str(exc), EXIT_INVALID)


@click.group("round", cls=Group)
def round_group() -> None:
    """督导：一轮专项督导的计划、督导报告、督导通报和主要指标。

    督导轮次文件（YAML）写明学校、挂点联系一览表、督导期、每次督导的核查报告和复核，
    见 docs/round.md；make demo 写出一个样例（demo-out/round/round.yaml）。
    """


@round_group.command("plan")
@_ROUND_FILE
@option(
    "-o",
    "--output",
    "output",
    type=click.Path(path_type=Path),
    required=True,
    help="督导计划（.xlsx）",
)
def plan(round_file: Path, output: Path) -> None:
    """按督导方式排出每所学校的督导，督导人取自挂点联系一览表。

    督导方式及其出处（002 § 三(一)）见 checklists/round/ 下的督导轮次规定。
    """
    from forms.files import check_output
    from supervision.sheets import write_plan

    check_output(output, ("xlsx",), "督导计划")
    _, rnd = _load(round_file, day_or_today(None))
    write_plan(rnd.plan, output)
    click.echo(f"督导计划：{len(rnd.plan)}次督导 → {output}")


@round_group.command("write")
@_ROUND_FILE
@option("--out", "out_dir", type=click.Path(path_type=Path), required=True, help="输出目录")
@option("--month", "months", multiple=True, help="另写该月的督导通报，如 2026-03，可写多个")
@option("--date", "on", help="通报日期和统计日（默认今天）：据此判断整改是否逾期")
@option(
    "--store",
    "store_dir",
    type=click.Path(path_type=Path),
    envvar="BAOXUE_CASES",
    help="个案目录（辍学率、劝返率按其中的个案计算）；默认为数据目录下的 cases",
)
def write(
    round_file: Path, out_dir: Path, months: tuple[str, ...], on: str | None, store_dir: Path | None
) -> None:
    """写出督导计划、督导报告、督导通报和主要指标。

    各校督导报告附督导工作情况表；--month 另写月通报；有摸排名单时写主要指标。
    """
    from cases.model import CaseError
    from cases.report import month_bounds
    from cases.store import CaseStore
    from cases.store import default_root as cases_root
    from forms.files import check_folder
    from forms.roster import RosterError
    from supervision.roundfile import round_rates, write_round

    today = day_or_today(on)
    for month in months:
        try:
            month_bounds(month)
        except CaseError as exc:
            _fail(str(exc), EXIT_USAGE)
    check_folder(out_dir, "输出目录")
    rf, rnd = _load(round_file, today)
    root = store_dir or cases_root()
    cases = CaseStore(root).all() if root.is_dir() else []
    try:
        rates = round_rates(rf, round_file.parent, rnd, today, cases)
    except RosterError as exc:
        _fail(f"摸排名单：{exc}", EXIT_INVALID)
    written = write_round(rnd, out_dir, today, rates, months)
    click.echo(f"已生成 {len(written)} 个文件：")
    for path in written:
        click.echo(f"  {path}")
