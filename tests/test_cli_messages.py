"""What a user of the CLI reads: help in Chinese and whole, every error one Chinese sentence
naming the file, the same exit codes everywhere (0 done, 1 refused in part, 2 usage or
environment, 130 interrupted), and no half-written output after Ctrl-C (issue 23 § 4)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click
import pytest
import yaml
from click.testing import CliRunner

from cli import main
from cli_common import display_width

# click's own English and Python's, none of which may reach a user.
ENGLISH = (
    "Usage:",
    "Options:",
    "Commands:",
    "Show this message",
    "Show the version",
    "Error:",
    "Try '",
    "for help",
    "Missing argument",
    "Missing option",
    "No such",
    "Invalid value",
    "is not a valid",
    "is not one of",
    "Got unexpected",
    "does not take",
    "requires an argument",
    "Did you mean",
    "Aborted",
    "Traceback",
    "[required]",
    "default:",
    "Errno",
    "codec can't",
    "No such file",
    "Is a directory",
    " TEXT",
    " PATH",
    " INTEGER",
    "COMMAND [ARGS]",
    "[OPTIONS]",
)


def english_in(text: str) -> list[str]:
    return [word for word in ENGLISH if word in text]


@pytest.fixture
def run() -> Callable[..., Any]:
    """The CLI as a user runs it: errors are not raised to the test, they are shown."""
    runner = CliRunner()

    def invoke(*args: str | Path, stdin: str | None = None) -> Any:
        return runner.invoke(main, [str(a) for a in args], input=stdin, prog_name="baoxue")

    return invoke


def commands(group: click.Group, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    yield path
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        if isinstance(command, click.Group):
            yield from commands(command, (*path, name))
        else:
            yield (*path, name)


ALL_COMMANDS = list(commands(main))


def test_every_command_is_walked() -> None:
    names = {" ".join(c) for c in ALL_COMMANDS}
    assert {"", "render", "batch", "ledger", "audit", "cases", "cases record", "users"} <= names
    assert len(names) >= 25


@pytest.mark.parametrize("path", ALL_COMMANDS, ids=lambda p: " ".join(p) or "baoxue")
def test_help_is_chinese_and_whole(run: Callable[..., Any], path: tuple[str, ...]) -> None:
    result = run(*path, "--help")
    assert result.exit_code == 0, result.output
    text = result.output
    assert english_in(text) == []
    assert text.startswith("用法：baoxue")
    assert "选项：" in text and "显示本帮助后退出" in text
    for line in text.splitlines():
        assert not line.rstrip().endswith(("...", "…")) or "子命令 [参数]..." in line, line
        assert display_width(line) <= 80, line
    if "子命令：" in text:  # a group lists each command on one line, its help not truncated
        listing = text.split("子命令：", 1)[1].strip().splitlines()
        assert listing and all(len(line.split()) >= 2 for line in listing)


def test_short_help_is_a_whole_sentence() -> None:
    """click cuts a long first sentence to 45 characters and adds “...”: none is that long."""
    for path in ALL_COMMANDS[1:]:
        command: click.Command = main
        for name in path:
            assert isinstance(command, click.Group)
            found = command.get_command(click.Context(command), name)
            assert found is not None
            command = found
        short = command.get_short_help_str()
        assert short and not short.endswith(("...", "…", "，", "：")), (path, short)
        assert display_width(short) <= 60, (path, short)


def test_version_in_chinese(run: Callable[..., Any]) -> None:
    result = run("--version")
    assert result.exit_code == 0 and result.output.startswith("baoxue 版本 ")


# ---------------------------------------------------------------- usage errors


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["render"], "缺少参数 文书种类"),
        (["render", "return_notice"], "缺少参数 记录文件"),
        (["render", "return_notice", "r.yaml", "-o", "n.pdf"], "缺少选项 --profile"),
        (["render", "return_notice", "r.yaml", "--profle", "x"], "没有选项 --profle（是否想写 --profile？）"),
        (["render", "return_notice", "r.yaml", "--profile"], "选项 --profile 后面要写一个值"),
        (["fonts", "--json=yes"], "选项 --json 不带值"),
        (["fonts", "extra"], "多出了参数：extra"),
        (["rendr"], "没有子命令“rendr”"),
        (["cases", "lst"], "没有子命令“lst”"),
        (["batch", "f", "r.xlsx", "--profile", "p", "--out", "o", "--workers", "0"], "0不在1至64之内"),
        (["batch", "f", "r.xlsx", "--profile", "p", "--out", "o", "--workers", "两"], "“两”不是整数"),
        (["cases", "document", "C-1", "二"], "参数 步骤号 的值不对：“二”不是整数"),
        (
            ["cases", "close", "C-1", "--how", "went", "--date", "2026-03-02", "--by", "某"],
            "“went”不是可选的值（可选：复学（returned）、转学（transferred）、休学（suspended））",
        ),
        (
            ["cases", "record", "C-1", "phone", "--date", "2026-03-02", "--by", "某"],
            "可选：电话联系（phone_call）、入户家访（劝返）（home_visit）",
        ),
    ],
)  # fmt: skip
def test_usage_errors_in_chinese_exit_2(
    run: Callable[..., Any], args: list[str], message: str
) -> None:
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert english_in(result.output) == []


def test_a_usage_error_shows_the_usage_and_where_help_is(run: Callable[..., Any]) -> None:
    result = run("render", "return_notice")
    assert result.output.splitlines() == [
        "用法：baoxue render [选项] 文书种类 记录文件",
        "查看用法：baoxue render --help",
        "错误：缺少参数 记录文件",
    ]


def test_no_subcommand_shows_the_help(run: Callable[..., Any]) -> None:
    result = run("users")
    assert result.exit_code == 2 and "create-admin" in result.output
    assert english_in(result.output) == []


def test_a_step_is_recorded_by_its_chinese_name(run: Callable[..., Any], tmp_path: Path) -> None:
    from cases_helpers import PEOPLE

    record = tmp_path / "open.yaml"
    record.write_text(
        yaml.safe_dump({**PEOPLE["jiaotan-2025"], "opened": "2026-03-02"}, allow_unicode=True),
        encoding="utf-8",
    )
    common = ("--store", tmp_path / "store", "--today", "2026-03-31")
    opened = run("cases", "open", record, "--profile", "jiaotan-2025", *common)
    case_id = opened.output.split("\t")[0]
    result = run(
        "cases", "record", case_id, "电话联系", "--date", "2026-03-02", "--by", "朱", *common
    )
    assert result.exit_code == 0, result.output
    assert "已记录第1步 电话联系" in result.output
    result = run(
        "cases", "record", case_id, "入户家访", "--date", "2026-03-04", "--by", "朱", *common
    )
    assert result.exit_code == 0 and "入户家访（劝返）" in result.output
    log = run("cases", "log", "--store", tmp_path / "store").output
    assert "\t记录\t" in log and "\trecord\t" not in log


# ---------------------------------------------------------------- files


@pytest.fixture
def files(tmp_path: Path, sample: Callable[[str, str], dict[str, Any]]) -> dict[str, Path]:
    record = tmp_path / "r.yaml"
    record.write_text(
        yaml.safe_dump(sample("return_notice", "liupu-2026"), allow_unicode=True),
        encoding="utf-8",
    )
    binary = tmp_path / "照片.yaml"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe\x98\x00" * 20)
    folder = tmp_path / "文件夹"
    folder.mkdir()
    (tmp_path / "folder.pdf").mkdir()
    plain = tmp_path / "plain"
    plain.write_text("a file, not a folder", encoding="utf-8")
    header_only = tmp_path / "空花名册.csv"
    header_only.write_text(
        "学生姓名,性别,身份证件号,年级,班级,家长姓名,手机,住址,未到校起始日期\n", encoding="utf-8"
    )
    return {
        "record": record,
        "binary": binary,
        "folder": folder,
        "folder_pdf": tmp_path / "folder.pdf",
        "file": plain,
        "missing": tmp_path / "没有这个.yaml",
        "empty_roster": header_only,
        "tmp": tmp_path,
    }


RENDER = ["render", "return_notice", "{record}", "--profile", "liupu-2026"]
PERIOD = ["--checklist", "liupu-supervision-2024", "--period", "2025-09-01..2026-07-15"]
BATCH = ["batch", "return_notice", "{empty_roster}", "--profile", "liupu-2026"]

FILE_PROBLEMS = [
    # input: missing, wrong kind, a folder
    (["render", "return_notice", "{missing}", "--profile", "liupu-2026", "-o", "{tmp}/n.pdf"],
     "无法读取“{missing}”：找不到这个文件"),
    (["render", "return_notice", "{binary}", "--profile", "liupu-2026", "-o", "{tmp}/n.pdf"],
     "无法读取“{binary}”：不是 UTF-8 编码的文本文件"),
    (["render", "return_notice", "{folder}", "--profile", "liupu-2026", "-o", "{tmp}/n.pdf"],
     "无法读取“{folder}”：这是一个文件夹"),
    (["cases", "open", "{binary}", "--profile", "jiaotan-2025", "--store", "{tmp}/s"],
     "无法读取“{binary}”：不是 UTF-8 编码的文本文件"),
    (["cases", "open", "{missing}", "--profile", "jiaotan-2025", "--store", "{tmp}/s"],
     "无法读取“{missing}”：找不到这个文件"),
    (["ledger", "risk_ledger", "{missing}", "-o", "{tmp}/l.xlsx"], "找不到文件 {missing}"),
    (["ledger", "risk_ledger", "{folder}", "-o", "{tmp}/l.xlsx"], "“{folder}”是一个文件夹"),
    (["ledger", "risk_ledger", "{binary}", "-o", "{tmp}/l.xlsx"], "不支持的花名册格式“.yaml”"),
    (["cases", "import", "{missing}", "--profile", "jiaotan-2025", "--school", "某校",
      "--store", "{tmp}/s"], "找不到文件 {missing}"),
    ([*BATCH, "--out", "{tmp}/o", "--defaults", "{binary}"],
     "默认值文件：无法读取“{binary}”：不是 UTF-8 编码的文本文件"),
    ([*BATCH, "--out", "{tmp}/o", "--defaults", "{missing}"],
     "默认值文件：无法读取“{missing}”：找不到这个文件"),
    # output: a folder, under a file, a suffix the command cannot write
    ([*RENDER, "-o", "{folder_pdf}"], "输出文件“{folder_pdf}”是一个已有的文件夹"),
    ([*RENDER, "-o", "{folder}"], "输出文件“{folder}”没有扩展名"),
    ([*RENDER, "-o", "{file}/n.pdf"], "“{file}”是一个文件，不是文件夹"),
    ([*RENDER, "-o", "{tmp}/n.odt"], "不支持的输出格式“.odt”（可用 .pdf .docx .html）"),
    (["audit", "{folder}", *PERIOD, "-o", "{tmp}/r.txt"], "不支持的输出格式“.txt”"),
    (["audit", "{folder}", *PERIOD, "-o", "{folder_pdf}"], "是一个已有的文件夹"),
    (["ledger", "risk_ledger", "{empty_roster}", "-o", "{tmp}/x.pdf"],
     "台账文件“{tmp}/x.pdf”：不支持的输出格式“.pdf”（可用 .xlsx）"),
    (["ledger", "risk_ledger", "{empty_roster}", "-o", "{folder}"], "台账文件“{folder}”没有扩展名"),
    ([*BATCH, "--out", "{file}"], "输出目录“{file}”不能建立：“{file}”是一个文件"),
    ([*BATCH, "--out", "{tmp}/o", "--merged", "{tmp}/p.docx"],
     "合并打印文件“{tmp}/p.docx”：不支持的输出格式“.docx”（可用 .pdf）"),
    ([*BATCH, "--out", "{tmp}/o", "--merged", "{folder_pdf}"], "是一个已有的文件夹"),
    (["demo", "{file}"], "输出目录“{file}”不能建立"),
    (["cases", "report", "--month", "2026-03", "--township", "蛟潭镇", "--store", "{tmp}/s",
      "--out", "{file}"], "输出目录“{file}”不能建立"),
    (["cases", "list", "--store", "{file}"], "个案目录“{file}”不能建立"),
    (["backup", "{file}", "--data", "{tmp}/data"], "备份目录“{file}”不能建立"),
    (["serve", "--data", "{file}", "--get", "/api/me"], "数据目录“{file}”不能建立"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "message"), FILE_PROBLEMS)
def test_file_problems_name_the_file_and_exit_2(
    run: Callable[..., Any], files: dict[str, Path], args: list[str], message: str
) -> None:
    names = {k: str(v) for k, v in files.items()}
    result = run(*[a.format(**names) for a in args])
    assert result.exit_code == 2, result.output
    assert message.format(**names) in result.output
    assert result.output.startswith("错误：") and result.output.count("\n") == 1
    assert english_in(result.output) == []


def test_an_unwritable_output_is_a_sentence(
    run: Callable[..., Any], files: dict[str, Path]
) -> None:
    result = run(*[a.format(**files) for a in RENDER], "-o", "/proc/baoxue-test.pdf")
    assert result.exit_code == 2
    assert result.output == "错误：不能写入“/proc/baoxue-test.pdf”：此处不能建立文件\n"


def test_an_empty_roster_is_refused_input(run: Callable[..., Any], files: dict[str, Path]) -> None:
    out = files["tmp"] / "台账.xlsx"
    result = run("ledger", "risk_ledger", files["empty_roster"], "-o", out)
    assert result.exit_code == 1, result.output
    assert "表头下没有学生，未生成台账" in result.output and not out.exists()
    result = run(
        "batch", "return_notice", files["empty_roster"], "--profile", "liupu-2026",
        "--out", files["tmp"] / "o", "--set", "issue_date=2026-03-13", "--set", "school.name=某校",
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert "表头下没有数据行" in result.output


def test_an_unexpected_error_is_written_to_a_file_not_shown(
    run: Callable[..., Any],
    files: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    import tempfile

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("an internal bug")

    monkeypatch.setattr("forms.render.document.render_record", broken)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.delenv("BAOXUE_DEBUG", raising=False)
    result = run(*[a.format(**files) for a in RENDER], "-o", tmp_path / "n.pdf")
    assert result.exit_code == 2
    assert result.output.startswith("错误：程序内部出错（RuntimeError），详细信息已写入 ")
    assert "an internal bug" not in result.output and "Traceback" not in result.output
    report = next(tmp_path.glob("baoxue-错误-*.txt")).read_text(encoding="utf-8")
    assert "Traceback" in report and "an internal bug" in report


# ---------------------------------------------------------------- Ctrl-C


def _interrupt_halfway(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bytes reach the disk, then the user presses Ctrl-C."""
    real = Path.write_bytes

    def half_then_interrupt(self: Path, data: Any) -> int:
        real(self, bytes(data)[: len(data) // 2])
        raise KeyboardInterrupt

    monkeypatch.setattr(Path, "write_bytes", half_then_interrupt)


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.is_file())


def test_ctrl_c_while_writing_a_document(
    run: Callable[..., Any], files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = files["tmp"] / "out"
    _interrupt_halfway(monkeypatch)
    result = run(*[a.format(**files) for a in RENDER], "-o", out / "n.pdf")
    assert result.exit_code == 130
    assert result.output.strip() == "已中断"
    assert _leftovers(out) == []  # neither n.pdf nor a hidden part of it


def test_ctrl_c_keeps_an_earlier_document_whole(
    run: Callable[..., Any], files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    target = files["tmp"] / "n.pdf"
    assert run(*[a.format(**files) for a in RENDER], "-o", target).exit_code == 0
    before = target.read_bytes()
    _interrupt_halfway(monkeypatch)
    assert run(*[a.format(**files) for a in RENDER], "-o", target).exit_code == 130
    assert target.read_bytes() == before
    assert [p.name for p in files["tmp"].glob(".*part")] == []


def test_ctrl_c_while_writing_a_ledger(
    run: Callable[..., Any], files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from openpyxl import Workbook

    roster = files["tmp"] / "花名册.csv"
    roster.write_text(
        "学生姓名,性别,身份证件号,年级,班级\n韦堃,男,450331201203150013,八年级,3班\n",
        encoding="utf-8",
    )
    real = Workbook.save

    def half_then_interrupt(self: Any, filename: Any) -> None:
        real(self, filename)
        Path(filename).write_bytes(Path(filename).read_bytes()[:100])
        raise KeyboardInterrupt

    monkeypatch.setattr(Workbook, "save", half_then_interrupt)
    out = files["tmp"] / "ledgers"
    result = run("ledger", "risk_ledger", roster, "-o", out / "台账.xlsx")
    assert result.exit_code == 130 and "已中断" in result.output
    assert _leftovers(out) == []


def test_ctrl_c_in_a_batch_leaves_no_print_file_or_zip(
    run: Callable[..., Any], files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from fixtures.rosters import plain_xlsx

    from forms.batch_output import Outputs

    roster = files["tmp"] / "花名册.xlsx"
    plain_xlsx(roster, 4)
    real = Outputs.add
    calls = []

    def add_then_interrupt(self: Outputs, chunk: Any) -> None:
        real(self, chunk)
        calls.append(1)
        raise KeyboardInterrupt

    monkeypatch.setattr(Outputs, "add", add_then_interrupt)
    out = files["tmp"] / "batch"
    result = run(
        "batch", "return_notice", roster, "--profile", "liupu-2026", "--out", out,
        "--set", "issue_date=2026-03-13", "--set", "school.name=荔浦市第二初级中学",
        "--merged", out / "打印.pdf", "--zip", "--workers", "1", "--chunk-size", "2",
    )  # fmt: skip
    assert calls == [1]
    assert result.exit_code == 130 and "已中断" in result.output
    assert _leftovers(out) == []


def test_ctrl_c_at_a_prompt(run: Callable[..., Any], tmp_path: Path) -> None:
    result = run("users", "create-admin", "root", "--data", tmp_path)  # no input: EOF
    assert result.exit_code == 130
    assert "已中断" in result.output and english_in(result.output) == []


def test_passwords_that_differ_are_said_in_chinese(run: Callable[..., Any], tmp_path: Path) -> None:
    result = run(
        "users", "create-admin", "root", "--data", tmp_path, stdin="甲乙丙丁1\n甲乙丙丁2\n"
    )
    assert result.exit_code == 2
    assert "两次输入的密码不一致" in result.output and english_in(result.output) == []


def test_json_output_is_unchanged_by_the_chinese_layer(run: Callable[..., Any]) -> None:
    result = run("fonts", "--json")
    assert result.exit_code == 0 and isinstance(json.loads(result.output), list)
