"""`baoxue round plan|write` on a round file: the plan, each school's 督导报告, the 通报 of the
round and of a month, the rates — and the refusals."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from fixtures.packages.build import PERIOD, build_package
from openpyxl import load_workbook

from audit.run import run_audit
from conftest import pdf_text

ROSTER = (
    "姓名,出生日期,学校名称,所在乡镇,入学状态,残疾类别\n"
    "李小明,2012-05-01,荔浦市第二初级中学,修仁镇,在校,\n"
    "王小华,2012-06-01,荔浦市第二初级中学,修仁镇,在校,\n"
    "陈小丽,2011-01-01,东昌镇初级中学,东昌镇,在校,\n"
)


def _round_file(tmp_path: Path) -> Path:
    result = run_audit(
        build_package("gaps", tmp_path / "pk"), "liupu-supervision-2024", period=PERIOD
    )
    (tmp_path / "gaps.json").write_text(result.to_json(), encoding="utf-8")
    (tmp_path / "名单.csv").write_text(ROSTER, encoding="utf-8")
    data = {
        "name": "2026年春季学期控辍保学专项督导",
        "checklist": "liupu-supervision-2024",
        "start": "2026-03-02",
        "end": "2026-04-30",
        "number": "荔教保督〔2026〕2号",
        "cadences": ["office_term", "leader_monthly"],
        "schools": [
            {"name": "荔浦市第二初级中学", "township": "修仁镇"},
            {"name": "东昌镇初级中学", "township": "东昌镇"},
        ],
        "assignments": [{"township": "修仁镇", "leader": "钟星子", "inspectors": ["唐承刚"]}],
        "visits": [
            {
                "school": "荔浦市第二初级中学",
                "inspector": "唐承刚",
                "date": "2026-03-10",
                "audit": "gaps.json",
                "verdicts": {"1.2": "pass"},
                "rectifications": [{"item": "1.1", "evidence": ["会议材料.pdf"]}],
            }
        ],
        "roster": "名单.csv",
    }
    path = tmp_path / "round.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_plan_and_write(cli: Callable[..., Any], tmp_path: Path) -> None:
    path = _round_file(tmp_path)
    result = cli("round", "plan", path, "-o", tmp_path / "计划.xlsx")
    assert result.exit_code == 0, result.output
    rows = list(load_workbook(tmp_path / "计划.xlsx").active.iter_rows(values_only=True))
    # office once a school + the 挂点领导 in March and April, each school
    assert len(rows) - 1 == 2 + 2 * 2
    inspectors = {(r[2], r[4]): r[6] for r in rows[1:]}
    assert inspectors[("东昌镇初级中学", "教育局挂点领导每月专项督导")] == "未指定"
    assert inspectors[("荔浦市第二初级中学", "教育局挂点领导每月专项督导")] == "钟星子"

    out = tmp_path / "out"
    result = cli(
        "round",
        "write",
        path,
        "--out",
        out,
        "--month",
        "2026-03",
        "--date",
        "2026-04-20",
        "--store",
        tmp_path / "no-cases",
    )
    assert result.exit_code == 0, result.output
    names = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert names == {
        "督导计划.xlsx",
        "主要指标.xlsx",
        "督导报告/荔浦市第二初级中学督导报告.pdf",
        "督导报告/荔浦市第二初级中学督导报告.docx",
        "督导通报.pdf",
        "督导通报.docx",
        "2026年3月督导通报.pdf",
        "2026年3月督导通报.docx",
    }
    text = pdf_text((out / "督导通报.pdf").read_bytes())
    assert "荔教保督〔2026〕2号" in text and "待验收" in "".join(text.split())
    rates = load_workbook(out / "主要指标.xlsx")["主要指标"]
    values = {r[1]: r[2:] for r in rates.iter_rows(min_row=2, values_only=True)}
    assert values["荔浦市第二初级中学"][0] == "100.00%"  # 巩固率: 2 on the roll, no case


def test_refusals(cli: Callable[..., Any], tmp_path: Path) -> None:
    path = tmp_path / "round.yaml"
    path.write_text("name: x\nchecklist: liupu-supervision-2024\n", encoding="utf-8")
    result = cli("round", "plan", path, "-o", tmp_path / "p.xlsx")
    assert result.exit_code == 1 and "round.yaml" in result.output
    good = _round_file(tmp_path)
    text = good.read_text(encoding="utf-8").replace("gaps.json", "missing.json")
    good.write_text(text, encoding="utf-8")
    result = cli("round", "write", good, "--out", tmp_path / "o")
    assert result.exit_code == 1 and "找不到核查报告" in result.output
    result = cli("round", "write", good, "--out", tmp_path / "o", "--month", "2026-13")
    assert result.exit_code == 2
