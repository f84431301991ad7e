"""baoxue command line: a thin layer over forms/, audit/ and service/.

Exit codes (cli_common): 0 done; 1 input refused, wholly or in part (the message names the
field or row and why); 2 usage or environment problem (unknown form or profile, missing
fonts, a file that cannot be read or written); 130 interrupted.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from cli_cases import cases
from cli_common import EXIT_INVALID, EXIT_USAGE, argument, group, option
from cli_common import fail as _fail
from cli_duties import duties
from cli_reconcile import reconcile
from cli_round import round_group
from cli_worker import copy_db, worker
from forms.files import check_folder, check_output, make_folder, write_output


@group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(
    package_name="baoxue", message="%(prog)s 版本 %(version)s", help="显示版本号后退出"
)
def main() -> None:
    """保学 baoxue：控辍保学文书生成与督导核查。"""


@main.command()
@option("--json", "as_json", is_flag=True, help="以 JSON 输出")
def fonts(as_json: bool) -> None:
    """列出各字体角色的字体栈及是否找到。"""
    from forms.config import ConfigError
    from forms.fonts import font_report

    try:
        rows = font_report()
    except ConfigError as exc:
        _fail(str(exc), EXIT_USAGE)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    missing_role = False
    for role in dict.fromkeys(str(r["role"]) for r in rows):
        entries = [r for r in rows if r["role"] == role]
        click.echo(f"{entries[0]['label']}（Word 中字体名：{entries[0]['docx_name']}）")
        for r in entries:
            mark = "✓" if r["found"] else "✗"
            where = f"{r['path']}，{r['glyphs']}字" if r["found"] else "未找到"
            click.echo(
                f"  {mark} {r['spec']}  [{'项目字体' if r['origin'] == 'project' else '系统字体'}] {where}"
            )
        missing_role |= not any(r["found"] for r in entries)
    if missing_role:
        _fail("有字体角色一个字体也没有找到，请运行 make demo 或 make setup 安装字体", EXIT_USAGE)


@main.group(invoke_without_command=True)
@click.pass_context
def forms(ctx: click.Context) -> None:
    """列出可生成的文书种类。"""
    if ctx.invoked_subcommand is None:
        from forms.registry import FORMS

        for kind in FORMS.values():
            click.echo(f"{kind.id}\t{kind.name}")


@forms.command("show")
@argument("form_id", metavar="文书种类")
def forms_show(form_id: str) -> None:
    """以 JSON Schema 输出一种文书的字段。"""
    from forms.registry import UnknownFormError, get_form

    try:
        kind = get_form(form_id)
    except UnknownFormError as exc:
        _fail(str(exc), EXIT_USAGE)
    schema = kind.model.model_json_schema()
    schema["title"] = kind.name
    click.echo(json.dumps(schema, ensure_ascii=False, indent=2))


@main.group(invoke_without_command=True)
@click.pass_context
def profiles(ctx: click.Context) -> None:
    """列出辖区规定。"""
    if ctx.invoked_subcommand is None:
        from forms.profiles import ProfileError, all_profiles

        try:
            for profile in all_profiles():
                click.echo(f"{profile.id}\t{profile.name}\t{profile.jurisdiction}")
        except ProfileError as exc:
            _fail(str(exc), EXIT_USAGE)


@profiles.command("show")
@argument("profile_id", metavar="辖区规定")
def profiles_show(profile_id: str) -> None:
    """输出一个辖区规定的全部取值及出处（YAML）。"""
    import yaml

    from forms.profiles import ProfileError, get_profile

    try:
        profile = get_profile(profile_id)
    except ProfileError as exc:
        _fail(str(exc), EXIT_USAGE)
    data = profile.model_dump(mode="json", exclude_none=True)
    click.echo(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100))


@main.command()
@argument("form_id", metavar="文书种类")
@argument("record", metavar="记录文件", type=click.Path(path_type=Path))
@option("--profile", "profile_id", required=True, help="辖区规定，如 liupu-2026")
@option(
    "-o",
    "--output",
    "outputs",
    multiple=True,
    required=True,
    type=click.Path(path_type=Path),
    help="输出文件，格式由扩展名决定（.pdf .docx .html），可写多个",
)
def render(form_id: str, record: Path, profile_id: str, outputs: tuple[Path, ...]) -> None:
    """按一份记录（JSON 或 YAML）生成一份文书。

    文书种类见 baoxue forms；每个 -o 的格式由扩展名决定，几种格式的文字相同。
    """
    from forms.config import ConfigError
    from forms.errors import RecordError
    from forms.fonts import FontError
    from forms.profiles import ProfileError, get_profile
    from forms.registry import UnknownFormError, get_form
    from forms.render.document import (
        FORMATS,
        InputFileError,
        load_record_file,
        render_record,
        validate_record,
    )

    formats = [check_output(out, FORMATS) for out in outputs]
    try:
        kind = get_form(form_id)
        profile = get_profile(profile_id)
        profile.document(form_id)
        data = load_record_file(record)
    except (UnknownFormError, ProfileError, InputFileError) as exc:
        _fail(str(exc), EXIT_USAGE)
    try:
        rec = validate_record(kind, data)
        rendered = render_record(kind, rec, profile, tuple(formats))
    except RecordError as exc:
        lines = "\n".join(f"  - {e}" for e in exc.errors)
        _fail(f"{record} 有{len(exc.errors)}处不符合要求：\n{lines}", EXIT_INVALID)
    except (FontError, ConfigError) as exc:
        _fail(str(exc), EXIT_USAGE)
    for out, fmt in zip(outputs, formats, strict=True):
        write_output(out, rendered[fmt])
        click.echo(str(out))


@main.group(invoke_without_command=True)
@click.pass_context
def checklists(ctx: click.Context) -> None:
    """列出督导清单及其叠加规定。"""
    if ctx.invoked_subcommand is None:
        from audit.checklist import ChecklistError, all_checklists, all_overlays

        try:
            for cl in all_checklists():
                click.echo(f"{cl.id}\t版本 {cl.version}\t{cl.title}")
            for ov in all_overlays():
                click.echo(f"  叠加规定 {ov.id}\t基于 {ov.extends}\t{ov.name}")
        except ChecklistError as exc:
            _fail(str(exc), EXIT_USAGE)


@checklists.command("show")
@argument("checklist_id", metavar="督导清单")
@option("--profile", "profile_id", help="叠加规定或辖区规定，如 liupu-2026-semester")
def checklists_show(checklist_id: str, profile_id: str | None) -> None:
    """输出生效的督导清单（YAML）。

    叠加规定已应用，辖区取值已填入。
    """
    import yaml

    from audit.checklist import ChecklistError, checklist_json, checklist_sha256, resolve

    try:
        cl = resolve(checklist_id, profile_id)
    except ChecklistError as exc:
        _fail(str(exc), EXIT_USAGE)
    click.echo(f"# {cl.id} 版本 {cl.version}  sha256 {checklist_sha256(cl)}")
    text = yaml.safe_dump(checklist_json(cl), allow_unicode=True, sort_keys=False, width=100)
    click.echo(text)


@main.command()
@argument("package", metavar="材料包", type=click.Path(path_type=Path))
@option("--checklist", "checklist_id", required=True, help="督导清单，如 liupu-supervision-2024")
@option("--profile", "profile_id", help="叠加规定或辖区规定")
@option("--period", required=True, help="统计期，如 2025-09-01..2026-07-15")
@option(
    "-o",
    "--output",
    "outputs",
    multiple=True,
    required=True,
    type=click.Path(path_type=Path),
    help="输出文件，格式由扩展名决定（.json .html .pdf .docx .xlsx），可写多个",
)
def audit(
    package: Path,
    checklist_id: str,
    profile_id: str | None,
    period: str,
    outputs: tuple[Path, ...],
) -> None:
    """按督导清单核查一个材料包，输出评分报告。

    材料包为文件夹或 zip 压缩包；每个 -o 的格式由扩展名决定。
    """
    from audit.evaluate import parse_period
    from audit.report import FORMATS, render_report
    from audit.run import AuditError, run_audit

    formats = [check_output(out, tuple(FORMATS)) for out in outputs]

    def progress(stage: str, done: int, path: str) -> None:
        if sys.stderr.isatty():  # a terminal sees the files go by; logs and pipes stay clean
            label = {"read": f"正在读取第{done}个文件", "judge": "正在逐项核查"}.get(stage, "")
            click.echo(f"\r\033[K{label}", nl=stage == "done", err=True)

    try:
        span = parse_period(period)
        result = run_audit(package, checklist_id, profile_id, span, progress)
    except ValueError as exc:
        _fail(str(exc), EXIT_USAGE)
    except AuditError as exc:
        _fail(str(exc), EXIT_USAGE)
    for out, fmt in zip(outputs, formats, strict=True):
        write_output(out, render_report(result, fmt))
        click.echo(str(out))
    s = result.summary
    percent = f"{s.percent:g}" if s.percent is not None else "—"
    pending = "（暂定，有待人工核查项）" if result.verdict.automatic.provisional else ""
    click.echo(f"得分 {s.score:g}/{s.max:g}（百分制 {percent}），等次：{s.level}{pending}")


@main.command()
@argument("package", metavar="材料包", type=click.Path(path_type=Path))
@option("--checklist", "checklist_id", required=True, help="督导清单，如 liupu-supervision-2024")
@option("--profile", "profile_id", help="叠加规定或辖区规定")
@option("--period", required=True, help="统计期，如 2025-09-01..2026-07-15")
@option("--school", help="封面上的学校名称（默认从文件名中识别）")
@option(
    "-o",
    "--output",
    "outputs",
    multiple=True,
    required=True,
    type=click.Path(path_type=Path),
    help="输出文件：迎检资料.pdf 和/或 迎检资料.zip",
)
@option("--verdicts", is_flag=True, help="在各项分隔页上写明核查结果和发现的问题")
def binder(
    package: Path,
    checklist_id: str,
    profile_id: str | None,
    period: str,
    school: str | None,
    outputs: tuple[Path, ...],
    verdicts: bool,
) -> None:
    """按督导清单整理迎检资料：可打印的 PDF 和按清单分文件夹的 zip。

    每个文件放在它所证明的清单项目下（依据核查结果）。

    PDF 有封面、目录、书签和连续页码，缺材料的项目有一页“缺”。

    zip 按清单的文件夹存放原文件，附目录（DOCX、XLSX）。
    """
    from audit.binder import STEP_NAMES, BinderError, make_binder
    from audit.evaluate import parse_period

    for out in outputs:
        check_output(out, ("pdf", "zip"), "迎检资料")

    def progress(step: str, done: int, total: int) -> None:
        if sys.stderr.isatty():  # a terminal sees the steps go by; logs and pipes stay clean
            count = f" {done}/{total}" if total > 1 else ""
            click.echo(f"\r\033[K{STEP_NAMES.get(step, step)}{count}", nl=step == "done", err=True)

    try:
        span = parse_period(period)
        made = make_binder(
            package,
            checklist_id,
            span,
            list(outputs),
            verdicts=verdicts,
            progress=progress,
            profile=profile_id,
            school=school,
        )
    except (ValueError, BinderError) as exc:
        _fail(str(exc), EXIT_USAGE)
    for out in made.outputs:
        click.echo(str(out))
    click.echo(f"共 {made.documents} 个文件，{made.pages} 页")
    if made.missing:
        click.echo(f"缺材料的项目：{'、'.join(made.missing)}（已插入“缺”页）")
    for path, why in made.unconverted:
        click.echo(f"未能转换为 PDF（已在目录中注明，原件在 zip 中）：{path}：{why}", err=True)
    for path, page in made.damaged:
        click.echo(f"{path} 第{page}页已损坏，以“本页无法读取”页代替（原件在 zip 中）", err=True)


def _key_value(pairs: tuple[str, ...]) -> list[tuple[str, str]]:
    out = []
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            _fail(f"--set 应写成 字段=值（如 issue_date=2026-03-13），实际为“{pair}”", EXIT_USAGE)
        out.append((key.strip(), value.strip()))
    return out


@main.command()
@argument("form_id", metavar="文书种类")
@argument("roster", metavar="花名册", type=click.Path(path_type=Path))
@option("--profile", "profile_id", required=True, help="辖区规定，如 liupu-2026")
@option("--out", "out_dir", required=True, type=click.Path(path_type=Path), help="输出目录")
@option("--defaults", type=click.Path(path_type=Path), help="每份文书相同的字段（YAML/JSON）")
@option("--set", "sets", multiple=True, metavar="字段=值", help="同上，逐项给出，可写多个")
@option("--merged", type=click.Path(path_type=Path), help="合并为一个可直接打印的 PDF")
@option("--format", "formats", help="逐份文件的格式：pdf、docx 或 pdf,docx")
@option("--zip", "zip_files", is_flag=True, help="逐份文件打包为一个 zip（文件名 UTF-8）")
@option("--duplex", is_flag=True, help="双面打印：合并 PDF 中每份文书从单数页开始")
@option("--start-number", type=int, help="起始编号（默认 1）")
@option("--number-pattern", help="编号格式，如 “荔浦二中劝返〔2026〕第{n:03d}号”")
@option("--workers", type=click.IntRange(1, 64), help="并行进程数（默认为 CPU 核数）")
@option(
    "--chunk-size",
    type=click.IntRange(1, 1000),
    default=100,
    show_default=True,
    help="每次排版的文书份数",
)
@option("--sheet", help="工作表名称（默认第一个有表头的工作表）")
@option("--check", "check_only", is_flag=True, help="只检查花名册，写 errors.csv，不生成文书")
def batch(
    form_id: str,
    roster: Path,
    profile_id: str,
    out_dir: Path,
    defaults: Path | None,
    sets: tuple[str, ...],
    merged: Path | None,
    formats: str | None,
    zip_files: bool,
    duplex: bool,
    start_number: int | None,
    number_pattern: str | None,
    workers: int | None,
    chunk_size: int,
    sheet: str | None,
    check_only: bool,
) -> None:
    """按花名册批量生成文书。

    花名册为 .xlsx、.xls 或 .csv，每行一份；出错的行写入输出目录中的 errors.csv。
    """
    from forms.batch import BatchRequest, BatchSetupError, default_workers, run_batch
    from forms.batch_plan import EmptyRosterError
    from forms.fonts import FontError
    from forms.profiles import ProfileError
    from forms.registry import UnknownFormError
    from forms.roster import RosterError

    make_folder(out_dir, "输出目录")
    if merged is not None:
        check_output(merged, ("pdf",), "合并打印文件")
    request = BatchRequest(
        form_id=form_id,
        roster=roster,
        profile_id=profile_id,
        out_dir=out_dir,
        defaults=defaults,
        overrides=_key_value(sets),
        merged=merged,
        formats=tuple(f.strip().lower() for f in formats.split(",") if f.strip())
        if formats
        else None,
        zip=zip_files,
        duplex=duplex,
        start_number=start_number,
        number_pattern=number_pattern,
        workers=workers or default_workers(),
        chunk_size=chunk_size,
        sheet=sheet,
        check_only=check_only,
    )
    bar: Any = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if not sys.stderr.isatty():
            return  # quiet when piped or logged
        if bar is None:
            bar = click.progressbar(length=total, label="生成中", file=sys.stderr)
            bar.__enter__()
        bar.update(done - bar.pos)

    try:
        result = run_batch(request, progress)
    except EmptyRosterError as exc:
        _fail(str(exc), EXIT_INVALID)
    except (UnknownFormError, ProfileError, RosterError, BatchSetupError) as exc:
        _fail(str(exc), EXIT_USAGE)
    except FontError as exc:
        _fail(str(exc), EXIT_USAGE)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    for note in result.notes:
        click.echo(f"提示：{note}", err=True)
    if result.merged:
        click.echo(f"合并打印文件：{result.merged}（{result.merged_pages}页）")
    if result.zip_path:
        click.echo(f"压缩包：{result.zip_path}")
    elif result.files:
        click.echo(f"逐份文件：{len(result.files)}个，在 {out_dir}")
    click.echo(result.summary())
    sys.exit(EXIT_INVALID if result.errors else 0)


@main.command()
@argument("kind", metavar="台账种类")
@argument("roster", metavar="花名册", type=click.Path(path_type=Path))
@option("--profile", "profile_id", help="辖区规定（适龄范围等），如 jiaotan-2025")
@option("-o", "--output", required=True, type=click.Path(path_type=Path), help="输出 .xlsx")
@option("--unit", help="填报单位，也用作标题前缀，如 “蛟潭镇”")
@option("--date", "as_of", help="统计日期（默认今天），年龄按此计算")
@option("--sheet", help="花名册工作表名称")
def ledger(
    kind: str,
    roster: Path,
    profile_id: str | None,
    output: Path,
    unit: str | None,
    as_of: str | None,
    sheet: str | None,
) -> None:
    """由花名册生成台账（XLSX）。

    台账种类：roster_ledger（适龄儿童少年底数台账）、risk_ledger（在校生辍学风险台账）、
    dropout_register（辍学情况登记表）、master_ledger（控辍保学总台账）。花名册没有学生时
    不生成台账，退出码为 1。
    """
    from forms.dates import DateParseError, parse_date
    from forms.ledgers import EmptyRoster, LedgerError, build_ledger, get_ledger
    from forms.profiles import ProfileError, get_profile
    from forms.roster import RosterError

    check_output(output, ("xlsx",), "台账文件")
    try:
        get_ledger(kind)
        profile = get_profile(profile_id) if profile_id else None
        day = parse_date(as_of) if as_of else None
        result = build_ledger(kind, roster, output, profile, unit, day, sheet)
    except EmptyRoster as exc:
        _fail(str(exc), EXIT_INVALID)
    except (LedgerError, ProfileError, RosterError, DateParseError) as exc:
        _fail(str(exc), EXIT_USAGE)
    for note in result.notes:
        click.echo(f"提示：{note}", err=True)
    for problem in result.problems:
        click.echo(f"  第{problem.line}行 {problem.name}：{problem.message}", err=True)
    click.echo(f"{result.path}：{result.rows}人", nl=False)
    if result.problems:
        lines = len({p.line for p in result.problems})
        click.echo(f"，其中{lines}行需要核对（已在“数据核对”列标出）")
        sys.exit(EXIT_INVALID)
    click.echo()


@main.command()
@argument(
    "out_dir", metavar="[输出目录]", type=click.Path(path_type=Path), default=Path("demo-out")
)
def demo(out_dir: Path) -> None:
    """演示：生成样例文书并核查样例材料包。

    生成各辖区的样例文书，核查三个样例材料包，写入输出目录（默认 demo-out）。
    """
    from audit.binder import BinderError
    from audit.demo import DemoError, audit_samples, binder_sample
    from cases.demo import demo_cases, demo_duties, demo_reconcile
    from forms.demo import render_samples
    from forms.fonts import FontError
    from supervision.demo import demo_round

    make_folder(out_dir, "输出目录")
    try:
        written = render_samples(out_dir)
        written += demo_cases(out_dir)
        written += demo_reconcile(out_dir)
        written += demo_duties(out_dir)
        written += audit_samples(out_dir)
        written += binder_sample(out_dir)
        written += demo_round(out_dir)
    except (FontError, DemoError, BinderError) as exc:
        _fail(str(exc), EXIT_USAGE)
    click.echo(f"已生成 {len(written)} 个文件：")
    for path in written:
        click.echo(f"  {path}")


main.add_command(cases)
main.add_command(reconcile)
main.add_command(duties)
main.add_command(round_group)
main.add_command(worker)
main.add_command(copy_db)


def _service_config(data: Path | None, db: str | None, **extra: object) -> object:
    from service.config import ServiceConfig, default_data_dir

    return ServiceConfig(data_dir=(data or default_data_dir()).resolve(), db_url=db, **extra)  # type: ignore[arg-type]


_data_option = option(
    "--data",
    type=click.Path(path_type=Path),
    default=None,
    help="数据目录（默认 ./baoxue-data 或环境变量 BAOXUE_DATA）",
)
_db_option = option(
    "--db", default=None, help="数据库地址，默认数据目录中的 SQLite；如 postgresql://用户@主机/库名"
)


@main.command()
@_data_option
@_db_option
@option("--host", default="127.0.0.1", show_default=True, help="监听地址")
@option("--port", default=8000, show_default=True, type=int, help="端口")
@option(
    "--get",
    "get_path",
    default=None,
    help="不启动服务，在进程内回答一个 GET 请求并输出，如 /api/me",
)
@option("--as", "as_user", default=None, help="与 --get 同用：以该用户身份请求")
@option("--token", default=None, help="与 --get 同用：API 令牌")
@option("--insecure-cookies", is_flag=True, help="允许经纯 HTTP（非 localhost）登录，仅限内网测试")
@option(
    "--workers",
    default=None,
    type=click.IntRange(min=1),
    help="网页服务进程数（默认：CPU 核数，最多 2）",
)
@option(
    "--job-workers", default=1, show_default=True, type=int, help="每个网页进程的后台任务进程数"
)
def serve(
    data: Path | None,
    db: str | None,
    host: str,
    port: int,
    get_path: str | None,
    as_user: str | None,
    token: str | None,
    insecure_cookies: bool,
    workers: int | None,
    job_workers: int,
) -> None:
    """启动网页服务。

    首次启动时创建数据目录与数据库。
    """
    from service.operate import get_once
    from service.ops import ServiceError

    if data is not None:
        check_folder(data, "数据目录")
    config = _service_config(
        data, db, secure_cookies=not insecure_cookies, job_workers=max(1, job_workers)
    )
    if get_path is not None:
        try:
            result = get_once(config, get_path, as_user, token)  # type: ignore[arg-type]
        except ServiceError as exc:
            _fail(str(exc), EXIT_USAGE)
        click.echo(result.text())
        sys.exit(0 if result.status < 400 else EXIT_INVALID)
    from service.serve import ServeError, default_workers, run

    where = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/"
    click.echo(f"保学服务：{where}  （API 文档 {where}api/docs；数据目录 {config.data_dir}）")  # type: ignore[attr-defined]
    if config.uses_queue:  # type: ignore[attr-defined]
        click.echo("后台任务经 PostgreSQL 任务队列，由 baoxue worker 进程运行（请至少启动一个）")
    try:
        run(config, host, port, workers or default_workers())  # type: ignore[arg-type]
    except ServeError as exc:
        _fail(str(exc), EXIT_USAGE)


@main.group()
def users() -> None:
    """管理服务的用户。"""


@users.command("create-admin")
@argument("username", metavar="用户名")
@option("--name", "display_name", default="", help="姓名")
@option("--password-stdin", is_flag=True, help="从标准输入读取密码（脚本用）")
@_data_option
@_db_option
def users_create_admin(
    username: str, display_name: str, password_stdin: bool, data: Path | None, db: str | None
) -> None:
    """创建教育局管理员（已存在则重设其密码）。"""
    from service.operate import create_admin
    from service.ops import ServiceError

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        # click's own confirmation says “Error: The two entered values do not match.”
        password = click.prompt("密码", hide_input=True, prompt_suffix="：")
        if click.prompt("再输入一次", hide_input=True, prompt_suffix="：") != password:
            _fail("两次输入的密码不一致，管理员未创建", EXIT_USAGE)
    try:
        user_id = create_admin(_service_config(data, db), username, password, display_name)  # type: ignore[arg-type]
    except ServiceError as exc:
        _fail(str(exc), EXIT_INVALID)
    click.echo(f"管理员 {username}（编号 {user_id}）已就绪")


@main.command()
@argument("dest", metavar="备份目录", type=click.Path(path_type=Path))
@_data_option
@_db_option
def backup(dest: Path, data: Path | None, db: str | None) -> None:
    """在线备份数据库与上传文件。

    写入备份目录；服务运行时也可执行。
    """
    from service.operate import backup as run_backup

    check_folder(dest, "备份目录")
    try:
        result = run_backup(_service_config(data, db), dest)  # type: ignore[arg-type]
    except (ValueError, FileNotFoundError) as exc:
        _fail(str(exc), EXIT_USAGE)
    click.echo(f"数据库已备份到 {result['database']}；新复制文件 {result['files_copied']} 个")


if __name__ == "__main__":
    main()
