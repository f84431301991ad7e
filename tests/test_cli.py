"""The CLI: listing, schema, render with exit codes 0 / 1 / 2 and Chinese messages."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import docx_text, pdf_text, squash


def write(path: Path, data: dict[str, Any]) -> Path:
    if path.suffix == ".json":
        path.write_text(json.dumps(data, ensure_ascii=False, default=str), encoding="utf-8")
    else:
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_forms_lists_chinese_names(cli: Callable[..., Any]) -> None:
    result = cli("forms")
    assert result.exit_code == 0
    assert "return_notice\t劝返复学通知书" in result.output


def test_forms_show_prints_json_schema(cli: Callable[..., Any]) -> None:
    result = cli("forms", "show", "return_notice")
    schema = json.loads(result.output)
    assert schema["properties"]["number"]["title"] == "编号"
    assert "student" in schema["required"]


def test_profiles_list_and_show(cli: Callable[..., Any]) -> None:
    assert "liupu-2026" in cli("profiles").output
    shown = yaml.safe_load(cli("profiles", "show", "liupu-2026").output)
    assert shown["documents"]["return_notice"]["deadline_days"] == {
        "value": 7,
        "source": "000 § 四(一)3",
        "reading": shown["documents"]["return_notice"]["deadline_days"]["reading"],
    }
    assert cli("profiles", "show", "nowhere").exit_code == 2


def test_fonts_command(cli: Callable[..., Any]) -> None:
    result = cli("fonts")
    assert result.exit_code == 0
    assert "✓ FandolFang-Regular.otf" in result.output


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_render_pdf_docx_html_at_once(
    cli: Callable[..., Any],
    sample: Callable[[str, str], dict[str, Any]],
    tmp_path: Path,
    suffix: str,
) -> None:
    record = write(tmp_path / f"r{suffix}", sample("return_notice", "liupu-2026"))
    outs = [tmp_path / "out" / f"n.{ext}" for ext in ("pdf", "docx", "html")]
    result = cli(
        "render",
        "return_notice",
        record,
        "--profile",
        "liupu-2026",
        *[a for o in outs for a in ("-o", o)],
    )
    assert result.exit_code == 0, result.output
    assert outs[0].read_bytes().startswith(b"%PDF")
    assert squash(docx_text(outs[1].read_bytes())) == squash(pdf_text(outs[0].read_bytes()))
    assert "劝返复学通知书" in outs[2].read_text(encoding="utf-8")


INVALID = [
    (("student", "id_number"), "450331201203150012", "学生 › 身份证号", "校验码错误"),
    (("student", "birth_date"), "2012年2月30日", "学生 › 出生日期", "2012年2月30日不存在"),
    (("student", "name"), "", "学生 › 姓名", "不能为空"),
    (("deadline",), "2026-03-01", "", "复学期限2026年3月1日早于发文日期2026年3月13日"),
    (("issue_date",), "2026-02-30", "发文日期", "不是有效日期"),
]


@pytest.mark.parametrize(("path", "value", "label", "reason"), INVALID)
def test_invalid_records_exit_1_with_the_field_and_why(
    cli: Callable[..., Any],
    sample: Callable[[str, str], dict[str, Any]],
    tmp_path: Path,
    path: tuple[str, ...],
    value: str,
    label: str,
    reason: str,
) -> None:
    data = sample("return_notice", "liupu-2026")
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    out = tmp_path / "n.pdf"
    result = cli(
        "render",
        "return_notice",
        write(tmp_path / "r.yaml", data),
        "--profile",
        "liupu-2026",
        "-o",
        out,
    )
    assert result.exit_code == 1
    assert reason in result.output
    if label:
        assert f"{label}：" in result.output
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["render", "no_such_form", "{rec}", "--profile", "liupu-2026", "-o", "{out}.pdf"],
            "没有名为“no_such_form”的文书",
        ),
        (
            ["render", "return_notice", "{rec}", "--profile", "nowhere", "-o", "{out}.pdf"],
            "没有名为“nowhere”的辖区规定",
        ),
        (
            ["render", "return_notice", "{rec}", "--profile", "jiaotan-2025", "-o", "{out}.pdf"],
            "没有劝返复学通知书",
        ),
        (
            ["render", "return_notice", "{rec}", "--profile", "liupu-2026", "-o", "{out}.odt"],
            "不支持的输出格式",
        ),
        (
            ["render", "return_notice", "{missing}", "--profile", "liupu-2026", "-o", "{out}.pdf"],
            "无法读取",
        ),
    ],
)
def test_usage_problems_exit_2(
    cli: Callable[..., Any],
    sample: Callable[[str, str], dict[str, Any]],
    tmp_path: Path,
    args: list[str],
    message: str,
) -> None:
    rec = write(tmp_path / "r.yaml", sample("return_notice", "liupu-2026"))
    filled = [
        a.format(rec=rec, out=tmp_path / "n", missing=tmp_path / "missing.yaml") for a in args
    ]
    result = cli(*filled)
    assert result.exit_code == 2
    assert message in result.output


def test_not_a_mapping_is_a_usage_error(cli: Callable[..., Any], tmp_path: Path) -> None:
    rec = tmp_path / "r.json"
    rec.write_text("[1, 2]", encoding="utf-8")
    result = cli(
        "render", "return_notice", rec, "--profile", "liupu-2026", "-o", tmp_path / "n.pdf"
    )
    assert result.exit_code == 2
    assert "应为一组字段" in result.output


def test_demo_writes_every_profile_with_a_notice(cli: Callable[..., Any], tmp_path: Path) -> None:
    result = cli("demo", tmp_path)
    assert result.exit_code == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert "return_notice-liupu-2026.pdf" in names and "return_notice-xiuyan-2024.docx" in names
    assert not any("jiaotan" in n and "return_notice" in n for n in names)
    assert {p.name for p in (tmp_path / "binder").iterdir()} >= {"迎检资料.pdf", "迎检资料.zip"}
    folder = tmp_path / "round"  # issue 21: a round over three schools
    made = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert {"round.yaml", "督导计划.xlsx", "主要指标.xlsx", "督导通报.pdf", "督导通报.docx"} <= made
    assert {"2026年3月督导通报.pdf", "2026年4月督导通报.docx"} <= made
    assert len([n for n in made if n.startswith("督导报告/")]) == 3 * 2
