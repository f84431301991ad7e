"""`baoxue reconcile`: 四查三对比 across the lists a township has, thin over cases.reconcile."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from cli_common import EXIT_INVALID, EXIT_USAGE, Command, option
from cli_common import fail as _fail

_LIST_OPTIONS = (
    ("household", "户籍（人口）名单：派出所或村（社区）提供"),
    ("enrolment", "学籍名单：全国中小学生学籍信息管理系统导出"),
    ("attendance", "在校学生名单：学校点名册"),
    ("poverty", "脱贫户、监测户适龄子女名单"),
    ("disability", "适龄残疾儿童少年名单（残联）"),
)


F = TypeVar("F", bound=Callable[..., Any])


def _list_option(kind: str, text: str) -> Callable[[F], F]:
    return option(
        f"--{kind}",
        f"{kind}_files",
        multiple=True,
        type=click.Path(path_type=Path),
        help=f"{text}（.xlsx .xls .csv），可写多个",
    )


def _with_lists(f: F) -> F:
    for kind, text in reversed(_LIST_OPTIONS):
        f = _list_option(kind, text)(f)
    return f


@click.command("reconcile", cls=Command)
@_with_lists
@option("--profile", "profile_id", required=True, help="辖区规定（适龄范围），如 jiaotan-2025")
@option("--out", "out_dir", required=True, type=click.Path(path_type=Path), help="输出目录")
@option("--date", "on", help="比对日期（默认今天）")
@option(
    "--year", type=int, help="学年（按开始的年份，如 2025 即 2025—2026 学年；默认比对日期所在学年）"
)
@option("--unit", help="比对单位，用作标题前缀，如 “蛟潭镇”")
@option(
    "--open-cases", is_flag=True, help="为有户籍无学籍（疑似失学）的孩子开辍学个案（已开的不重开）"
)
@option("--school", help="与 --open-cases 同用：名单中没有学校时，负责开案的学校")
@option("--township", help="与 --open-cases 同用：该学校所在乡镇")
@option(
    "--store",
    "store_dir",
    type=click.Path(path_type=Path),
    envvar="BAOXUE_CASES",
    help="与 --open-cases 同用：个案目录（默认为数据目录下的 cases）",
)
@option("--who", default="文员", show_default=True, help="经办人（写入个案变更日志）")
def reconcile(
    household_files: tuple[Path, ...],
    enrolment_files: tuple[Path, ...],
    attendance_files: tuple[Path, ...],
    poverty_files: tuple[Path, ...],
    disability_files: tuple[Path, ...],
    profile_id: str,
    out_dir: Path,
    on: str | None,
    year: int | None,
    unit: str | None,
    open_cases: bool,
    school: str | None,
    township: str | None,
    store_dir: Path | None,
    who: str,
) -> None:
    """四查三对比：比对户籍、学籍、在校、脱贫户和残疾儿童名单。

    按身份证号、姓名和出生日期、相近姓名和出生日期认定同一人；逐人列出有户籍无学籍（疑似失学）、
    有学籍不在校（人籍分离）、在校无学籍、适龄残疾儿童未入学未送教、脱贫户/监测户适龄子女未在学籍
    等类别、所在名单和应采取的措施，以及各名单信息不一致的人。输出 四查三对比.xlsx 和 四查三对比.pdf。
    """
    from datetime import date

    from cases.lists import ListError, ListFile
    from cases.reconcile import ReconcileError
    from cases.reconcile import open_cases as open_found
    from cases.reconcile import reconcile as compare
    from cases.reconcile_output import summary_rows, write_outputs
    from forms.dates import DateParseError, parse_date
    from forms.files import check_folder
    from forms.profiles import ProfileError, get_profile

    given = {
        "household": household_files,
        "enrolment": enrolment_files,
        "attendance": attendance_files,
        "poverty": poverty_files,
        "disability": disability_files,
    }
    sources = [ListFile(kind, path) for kind, paths in given.items() for path in paths]
    for listed in sources:
        if not listed.path.is_file():
            _fail(f"找不到名单文件 {listed.path}", EXIT_USAGE)
    if (school or township) and not open_cases:
        _fail("--school、--township 只与 --open-cases 同用", EXIT_USAGE)
    try:
        day = parse_date(on) if on else date.today()
        profile = get_profile(profile_id)
    except (DateParseError, ProfileError) as exc:
        _fail(str(exc), EXIT_USAGE)
    check_folder(out_dir)

    def progress(kind: str, n: int) -> None:
        click.echo(f"  已读 {n} 行（{kind}）", err=True)

    try:
        result = compare(sources, profile, day, year, unit, progress)
    except (ListError, ReconcileError) as exc:
        _fail(str(exc), EXIT_USAGE)
    refused = 0
    if open_cases:
        from cases.store import CaseStore, default_root

        root = store_dir or default_root()
        check_folder(root, "个案目录")
        outcome = open_found(
            result,
            CaseStore(root),
            {"name": school or "", **({"township": township} if township else {})},
            who,
            day,
        )
        for name, case_id in outcome.opened:
            click.echo(f"开案\t{case_id}\t{name}")
        for name, why in outcome.existing:
            click.echo(f"已有个案\t{name}\t{why}")
        for name, why in outcome.refused:
            click.echo(f"未开案\t{name}\t{why}", err=True)
        refused = len(outcome.refused)
    written = write_outputs(result, out_dir)
    for label, value, cited in summary_rows(result):
        click.echo(f"{label}\t{value}" + (f"\t（{cited}）" if cited else ""))
    for path in written:
        click.echo(f"已写入 {path}")
    if refused:
        raise SystemExit(EXIT_INVALID)
