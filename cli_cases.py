"""`baoxue cases`: the dropout-case commands, thin over the cases package."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from cases.model import CLOSING, EVENT_NAMES, STEP_KINDS
from cli_common import EXIT_INVALID, EXIT_USAGE, Keyword, argument, day_or_today, group, option
from cli_common import fail as _fail

# What a clerk types for a step or a closing: the code or its Chinese name.
STEPS = Keyword({k: EVENT_NAMES[k] for k in STEP_KINDS})
CLOSINGS = Keyword({k: EVENT_NAMES[k] for k in CLOSING})
LOG_ACTIONS = {
    "open": "开案",
    "record": "记录",
    "close": "销号",
    "reopen": "重开",
    "document": "生成文书",
}

_store_option = option(
    "--store",
    "store_dir",
    type=click.Path(path_type=Path),
    envvar="BAOXUE_CASES",
    default=None,
    help=(
        "个案目录（每个个案一个 JSON 文件，另有变更日志 log.jsonl）；"
        "默认为数据目录下的 cases（./baoxue-data/cases 或 $BAOXUE_DATA/cases）"
    ),
)
_who_option = option("--who", default="文员", show_default=True, help="经办人（写入变更日志）")
_school_option = option("--school", help="本校名称：不是本校学生的个案拒绝办理")
_today_option = option("--today", help="今天的日期（默认系统日期），晚于此的日期拒绝记录")


def _cases_call(action: Any) -> Any:
    """Run a case action; a refusal exits 1 with its Chinese reason, nothing saved."""
    from cases.model import CaseError
    from forms.errors import RecordError
    from forms.fonts import FontError
    from forms.profiles import ProfileError
    from forms.render.document import InputFileError

    try:
        return action()
    except (CaseError, RecordError) as exc:
        _fail(str(exc), EXIT_INVALID)
    except (ProfileError, InputFileError, FontError) as exc:
        _fail(str(exc), EXIT_USAGE)


def _store(store_dir: Path | None) -> Any:
    from cases.store import CaseStore, default_root
    from forms.files import check_folder

    root = store_dir or default_root()
    check_folder(root, "个案目录")
    return CaseStore(root)


def _case_line(case: Any) -> str:
    state = "未销号" if case.status == "open" else f"已销号（{case.close_reason}）"
    return (
        f"{case.id}\t{case.student.name}\t{case.masked_id}\t{case.school.name}\t"
        f"{case.opened.isoformat()}起\t{case.kind}\t{state}"
    )


@group()
def cases() -> None:
    """辍学个案：开案、记录劝返、文书、销号、提醒、月报。"""


@cases.command("open")
@argument("record_file", metavar="开案记录", type=click.Path(path_type=Path))
@option("--profile", "profile_id", required=True, help="辖区规定，如 jiaotan-2025")
@_store_option
@_who_option
@_today_option
def cases_open(
    record_file: Path, profile_id: str, store_dir: Path | None, who: str, today: str | None
) -> None:
    """开案：学生无故未到校，建立个案。

    开案记录（YAML 或 JSON）写 opened（未到校首日）、student、guardian、school、reason。
    """
    from cases.workflow import open_from
    from forms.render.document import load_record_file

    case = _cases_call(
        lambda: open_from(
            _store(store_dir), profile_id, load_record_file(record_file), who, day_or_today(today)
        )
    )
    click.echo(_case_line(case))


@cases.command("record")
@argument("case_id", metavar="个案编号")
@argument("kind", metavar="步骤", type=STEPS)
@option("--date", "on", required=True, help="日期")
@option("--by", "by", required=True, help="办理人员，如 “班主任朱建华、德育处程丽”")
@option("--note", help="情况、经过")
@option("--outcome", help="结果")
@option("--number", help="文书编号（不填则按个案编号生成）")
@option("--place", help="地点（家访）")
@option(
    "--participant",
    "participants",
    multiple=True,
    metavar="姓名:单位类别[:职务]",
    help="参加人员，可写多个",
)
@option("--holiday", "holidays", multiple=True, help="不计上学日的节假日，可写多个")
@_store_option
@_who_option
@_school_option
@_today_option
def cases_record(
    case_id: str,
    kind: str,
    on: str,
    by: str,
    note: str | None,
    outcome: str | None,
    number: str | None,
    place: str | None,
    participants: tuple[str, ...],
    holidays: tuple[str, ...],
    store_dir: Path | None,
    who: str,
    school: str | None,
    today: str | None,
) -> None:
    """记录劝返的一步。

    \b
    步骤写中文名或代码：
    电话联系（phone_call）
    入户家访（劝返）（home_visit）
    联合劝返（joint_visit）
    下达通知书（notice_served）
    书面报告（report_sent）
    限期返校通知书（deadline_notice）
    相关部门措施（measure）
    """
    from cases.workflow import record_event

    people = []
    for item in participants:
        parts = item.replace("：", ":").split(":")
        if len(parts) < 2:
            _fail(f"参加人员“{item}”应写成 姓名:单位类别[:职务]", EXIT_USAGE)
        people.append(
            {"name": parts[0], "body": parts[1], "role": parts[2] if len(parts) > 2 else None}
        )
    data = {
        "kind": kind,
        "date": on,
        "who": by,
        "note": note,
        "outcome": outcome,
        "number": number,
        "place": place,
        "participants": people,
    }
    days = [day_or_today(h) for h in holidays]
    case = _cases_call(
        lambda: record_event(
            _store(store_dir), case_id, data, who, day_or_today(today), school, days
        )
    )
    event = case.events[-1]
    step = f"第{event.step}步 " if event.step else ""
    click.echo(f"{case.id}：已记录{step}{event.name}（{event.date.isoformat()}），类别{case.kind}")


@cases.command("close")
@argument("case_id", metavar="个案编号")
@option("--how", type=CLOSINGS, required=True, help="复学、转学或休学（经批准）")
@option("--date", "on", required=True, help="复学（转学、休学）日期")
@option("--by", "by", required=True, help="经办人员")
@option("--receiving-school", help="转入学校（转学）")
@option("--approval", help="休学批准文号（休学）")
@option("--note", help="情况")
@_store_option
@_who_option
@_school_option
@_today_option
def cases_close(
    case_id: str,
    how: str,
    on: str,
    by: str,
    receiving_school: str | None,
    approval: str | None,
    note: str | None,
    store_dir: Path | None,
    who: str,
    school: str | None,
    today: str | None,
) -> None:
    """销号：学生复学、转学或经批准休学。"""
    from cases.workflow import close_case

    closing = {
        "how": how,
        "date": day_or_today(on),
        "who": by,
        "receiving_school": receiving_school,
        "approval": approval,
        "note": note,
    }
    case = _cases_call(
        lambda: close_case(_store(store_dir), case_id, closing, who, day_or_today(today), school)
    )
    click.echo(_case_line(case))


@cases.command("reopen")
@argument("case_id", metavar="个案编号")
@option("--date", "on", required=True, help="再次未到校首日")
@option("--by", "by", required=True, help="经办人员")
@option("--note", help="情况")
@_store_option
@_who_option
@_school_option
@_today_option
def cases_reopen(
    case_id: str,
    on: str,
    by: str,
    note: str | None,
    store_dir: Path | None,
    who: str,
    school: str | None,
    today: str | None,
) -> None:
    """重开：销号后不久再次未到校。

    销号后在辖区规定的期限内再次无故未到校的，重开原个案。
    """
    from cases.workflow import reopen_case

    case = _cases_call(
        lambda: reopen_case(
            _store(store_dir), case_id, day_or_today(on), by, day_or_today(today), school, note
        )
    )
    click.echo(_case_line(case))


@cases.command("import")
@argument("sheet_file", metavar="考勤表", type=click.Path(path_type=Path))
@option("--profile", "profile_id", required=True, help="辖区规定，如 jiaotan-2025")
@option("--school", required=True, help="本校名称：表中别校的学生不开案")
@option("--township", help="学校所在乡镇")
@option("--sheet", help="工作表名称")
@_store_option
@_who_option
@_today_option
def cases_import(
    sheet_file: Path,
    profile_id: str,
    school: str,
    township: str | None,
    sheet: str | None,
    store_dir: Path | None,
    who: str,
    today: str | None,
) -> None:
    """由考勤表或未按时返校日报表开案。

    有未到校日期、未请假的学生各开一个个案。有行被拒绝（身份证号有误等）时退出码为 1。
    """
    from cases.importing import import_absences
    from forms.roster import RosterError

    bar: Any = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None and total >= 100:  # a long sheet shows its progress
            bar = click.progressbar(length=total, label="开案", file=sys.stderr)
            bar.__enter__()
        if bar is not None:
            bar.update(1)

    place = {"name": school, **({"township": township} if township else {})}
    try:
        result = _cases_call(
            lambda: import_absences(
                _store(store_dir),
                sheet_file,
                profile_id,
                place,
                who,
                day_or_today(today),
                sheet,
                progress,
            )
        )
    except RosterError as exc:
        _fail(str(exc), EXIT_USAGE)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    for case in result.opened:
        click.echo(_case_line(case))
    for line, name, why in result.skipped:
        click.echo(f"  第{line}行 {name}：{why}", err=True)
    for line, name, why in result.refused:
        click.echo(f"  第{line}行 {name}：拒绝开案：{why}", err=True)
    summary = f"共{result.rows}行，开案{len(result.opened)}个，未开案{len(result.skipped)}行"
    if result.refused:
        summary += f"，拒绝{len(result.refused)}行（请核对后重新导入这几行）"
    click.echo(summary, err=True)
    if result.refused:
        sys.exit(EXIT_INVALID)


@cases.command("due")
@option("--date", "on", help="日期（默认今天）")
@option("--school", help="只列此学校")
@option("--township", help="只列此乡镇的学校")
@option("--holiday", "holidays", multiple=True, help="不计上学日的节假日，可写多个")
@option("--profile", "profile_ids", multiple=True, help="另列此辖区规定的每月报送（无个案时也列）")
@option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@_store_option
def cases_due(
    on: str | None,
    school: str | None,
    township: str | None,
    holidays: tuple[str, ...],
    profile_ids: tuple[str, ...],
    as_json: bool,
    store_dir: Path | None,
) -> None:
    """列出应办和逾期的步骤及每月报送。

    当日应办和逾期的劝返步骤，附规定原文和出处；以及到期的每月报送（总台账、月报）。
    """
    from dataclasses import asdict

    from cases.ladder import due, of_place
    from cases.reports_due import reports_due
    from forms.profiles import get_profile

    day = day_or_today(on)
    every = _store(store_dir).all()  # read once: the steps and the reports both need them
    items = _cases_call(
        lambda: due(every, day, [day_or_today(h) for h in holidays], school, township)
    )
    mine = [c.profile_id for c in of_place(every, school, township)]
    reports = _cases_call(lambda: reports_due([get_profile(p) for p in (*profile_ids, *mine)], day))
    if as_json:
        rows = [{**asdict(i), "rule": i.rule, "status_name": i.status_name} for i in items]
        rows += [
            {"report": True, **asdict(r), "rule": r.rule, "status_name": r.status_name}
            for r in reports
        ]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        return
    if not items:
        click.echo(f"{day.isoformat()}：没有应办或逾期的步骤")
    for i in items:
        click.echo(
            f"{i.case_id}\t{i.student}\t{i.school}\t第{i.step}步\t{i.status_name}\t{i.rule}（{i.source}）"
        )
    for r in reports:
        click.echo(f"每月报送\t{r.month}\t{r.status_name}\t{r.rule}（{r.source}）")


@cases.command("list")
@option("--school", help="只列此学校")
@option("--open", "only_open", is_flag=True, help="只列未销号的")
@_store_option
def cases_list(school: str | None, only_open: bool, store_dir: Path | None) -> None:
    """列出个案（身份证号隐去出生日期）。"""
    for case in _store(store_dir).all():
        if (school is None or case.school.name == school) and (
            not only_open or case.status == "open"
        ):
            click.echo(_case_line(case))


@cases.command("show")
@argument("case_id", metavar="个案编号")
@_store_option
def cases_show(case_id: str, store_dir: Path | None) -> None:
    """一个个案的劝返记录和文书。"""
    case = _cases_call(lambda: _store(store_dir).get(case_id))
    click.echo(_case_line(case))
    click.echo(f"监护人：{case.guardian.name}　{case.guardian.phone or ''}")
    for e in case.events:
        step = f"第{e.step}步 " if e.step else ""
        extra = "，".join(
            x for x in (e.number, e.note, e.outcome, e.receiving_school, e.approval) if x
        )
        click.echo(
            f"  {e.date.isoformat()} {step}{e.name}：{e.who}" + (f"（{extra}）" if extra else "")
        )
    for d in case.documents:
        click.echo(f"  文书 第{d.step}步 {d.title} {d.number}：{'、'.join(d.files)}")


@cases.command("log")
@argument("case_id", metavar="[个案编号]", required=False)
@_store_option
def cases_log(case_id: str | None, store_dir: Path | None) -> None:
    """变更日志（只增不改）。"""
    for entry in _store(store_dir).log(case_id):
        action = LOG_ACTIONS.get(entry.action, entry.action)
        click.echo(f"{entry.at}\t{entry.case_id}\t{action}\t{entry.who}\t{entry.detail}")


@cases.command("document")
@argument("case_id", metavar="个案编号")
@argument("step", metavar="步骤号", type=int)
@_store_option
@_who_option
@_school_option
@_today_option
def cases_document(
    case_id: str, step: int, store_dir: Path | None, who: str, school: str | None, today: str | None
) -> None:
    """由个案生成某一步的文书。

    生成 PDF 和 DOCX，并登记到个案。
    """
    from cases.workflow import document

    doc = _cases_call(
        lambda: document(_store(store_dir), case_id, step, who, day_or_today(today), school)
    )
    for path in doc.files:
        click.echo(path)


@cases.command("report")
@option("--month", required=True, help="月份，如 2026-03")
@option("--school", help="学校名称：写学校月报和台账")
@option("--township", help="乡镇：不写 --school 时写该乡镇的总台账；写了则为学校所在乡镇")
@option("--profile", "profile_id", help="辖区规定（没有个案时必填）")
@option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("."),
    show_default=True,
    help="输出目录",
)
@option("--roster", type=click.Path(path_type=Path), help="花名册：适龄儿童台账列出全部学生")
@_store_option
def cases_report(
    month: str,
    school: str | None,
    township: str | None,
    profile_id: str | None,
    out_dir: Path,
    roster: Path | None,
    store_dir: Path | None,
) -> None:
    """学校月报和台账，或乡镇总台账。

    写 --school：学校月报（PDF、DOCX、XLSX）和由个案填写的台账；只写 --township：乡镇的总台账。
    """
    from cases.report import write_school_month, write_township_month
    from forms.files import make_folder

    make_folder(out_dir, "输出目录")

    if school is None:
        if township is None:
            _fail("请写 --school（学校月报）或 --township（乡镇总台账）", EXIT_USAGE)
        path = _cases_call(
            lambda: write_township_month(
                _store(store_dir).all(), township, month, out_dir, profile_id
            )
        )
        click.echo(path)
        return
    written = _cases_call(
        lambda: write_school_month(
            _store(store_dir).all(), school, month, out_dir, profile_id, township, roster
        )
    )
    for path in written:
        click.echo(path)
