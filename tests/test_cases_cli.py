"""`baoxue cases …`: thin over the library; refusals exit 1 with the Chinese reason."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from cases_helpers import PEOPLE


def test_cases_commands_end_to_end(cli: Callable[..., Any], tmp_path: Path) -> None:
    store = tmp_path / "store"
    record = tmp_path / "open.yaml"
    record.write_text(
        yaml.safe_dump({**PEOPLE["xiuyan-2024"], "opened": "2026-03-02"}, allow_unicode=True),
        encoding="utf-8",
    )
    common = ("--store", store, "--today", "2026-03-31")
    result = cli("cases", "open", record, "--profile", "xiuyan-2024", *common)
    assert result.exit_code == 0, result.output
    case_id = result.output.split("\t")[0]
    assert "210323********0027" in result.output and "210323201203150027" not in result.output

    result = cli("cases", "due", "--date", "2026-03-02", "--store", store)
    assert "第1步" in result.output and "003 § 五、1" in result.output

    result = cli(
        "cases", "record", case_id, "report_sent", "--date", "2026-03-10", "--by", "学校", *common
    )
    assert result.exit_code == 1
    assert "第1步（学校组织教师家访，发放《义务教育劝学通知书》）尚未记录" in result.output

    result = cli(
        "cases", "record", case_id, "notice_served", "--date", "2026-03-04", "--by", "于洋",
        "--number", "岫岩某中劝学〔2026〕第001号", *common,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    result = cli("cases", "due", "--date", "2026-03-12", "--json", "--store", store)
    items = json.loads(result.output)
    assert [(i["step"], i["status"], i["deadline"]) for i in items] == [
        (2, "overdue", "2026-03-11")
    ]

    result = cli(
        "cases", "record", case_id, "report_sent", "--date", "2026-03-11", "--by", "学校", *common
    )
    assert result.exit_code == 0 and "类别辍学" in result.output
    result = cli("cases", "document", case_id, "2", *common)
    assert result.exit_code == 0 and result.output.count("dropout_report") == 2

    close = ("cases", "close", case_id, "--how", "returned", "--date", "2026-03-16", "--by", "于洋")
    result = cli(*close, "--school", "别的学校", *common)
    assert result.exit_code == 1 and "不能由本校记录" in result.output
    result = cli(*close, *common)
    assert result.exit_code == 0 and "已销号（复学）" in result.output

    show = cli("cases", "show", case_id, "--store", store).output
    assert "第2步 书面报告" in show and "义务教育辍学报告书" in show
    log = cli("cases", "log", "--store", store).output.splitlines()
    assert [line.split("\t")[2] for line in log] == ["开案", "记录", "记录", "生成文书", "销号"]

    out = tmp_path / "report"
    result = cli(
        "cases",
        "report",
        "--month",
        "2026-03",
        "--school",
        PEOPLE["xiuyan-2024"]["school"]["name"],
        "--out",
        out,
        "--store",
        store,
    )
    assert result.exit_code == 0, result.output
    assert len(list(out.glob("*.xlsx"))) == 7 and len(list(out.glob("*月报.pdf"))) == 1


def test_report_of_a_school_without_cases_needs_the_profile(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    result = cli(
        "cases",
        "report",
        "--month",
        "2026-03",
        "--school",
        "某校",
        "--store",
        tmp_path,
        "--out",
        tmp_path,
    )
    assert result.exit_code == 1 and "请用 --profile 指明辖区规定" in result.output
