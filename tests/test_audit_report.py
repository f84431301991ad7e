"""Reports: the JSON schema, and every format read back with the findings in it."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pdfplumber
import pytest
from docx import Document
from factsbuilder import PERIOD, compliant
from openpyxl import load_workbook

from audit.checklist import resolve
from audit.report import load_result, render_report
from audit.report.model import AuditResult
from audit.run import judge
from conftest import docx_text, pdf_text, squash

SCHEMA_KEYS = {"schema", "checklist", "profile", "period", "package", "items", "summary", "explain"}


@pytest.fixture(scope="module")
def result() -> AuditResult:
    facts = compliant()
    # Two problems: a leave approved below its tier, and a 25-minute 课时.
    facts.leaves[1] = facts.leaves[1].model_copy(update={"days": 3, "approver": "班主任"})
    facts.sessions[2] = facts.sessions[2].model_copy(update={"minutes_per_period": 25})
    return judge(facts, resolve("liupu-supervision-2024"), PERIOD, "荔浦示例学校")


def test_json_has_the_schema_keys_and_loads_back(result: AuditResult) -> None:
    data = json.loads(render_report(result, "json"))
    assert data["schema"] == "baoxue.audit/1"
    assert set(data) >= SCHEMA_KEYS
    assert set(data["checklist"]) >= {"id", "version", "sha256"}
    assert data["period"] == {"start": "2025-09-01", "end": "2026-07-15"}
    for f in data["package"]["files"]:
        assert {"path", "sha256", "kind", "pages", "status", "reason"} <= set(f)
    for it in data["items"]:
        assert {"id", "title", "status", "score", "max", "evidence", "subjects", "findings"} <= set(
            it
        )
        for finding in it["findings"]:
            assert {"id", "severity", "message", "recommendation", "student"} <= set(finding)
    assert [it["id"] for it in data["items"]][:3] == ["1", "1.1", "1.2"]
    assert set(data["summary"]) == {"score", "max", "percent", "level", "counts"}
    assert data["verdict"]["final"] == {"level": None, "reviewer": None, "time": None, "note": None}
    back = load_result(render_report(result, "json"))
    assert back == result
    # The effective checklist travels with the result.
    assert back.checklist.effective["items"][1]["requirements"][3]["params"]["tiers"]["value"]


def test_json_model_rejects_an_unknown_status(result: AuditResult) -> None:
    data = json.loads(render_report(result, "json"))
    data["items"][0]["status"] = "ok"
    with pytest.raises(ValueError):
        AuditResult.model_validate(data)


def test_file_list_says_how_each_file_was_used(result: AuditResult) -> None:
    used = {f.path: f.used_by for f in result.package.files}
    assert used["请假/请假审批.xlsx"] == ["2.4"]
    assert "4.4" in used["送教上门/送教记录.xlsx"]


def pdf_cells(data: bytes) -> str:
    """The text of every table cell of a PDF, cell by cell."""
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\n".join(
            cell or ""
            for page in pdf.pages
            for table in page.extract_tables()
            for row in table
            for cell in row
        )


def _findings_in(text: str, result: AuditResult) -> None:
    flat = squash(text)
    assert "李四2025年10月13日起请假3天由班主任审批，应由校长审批" in flat
    assert "每课时25分钟" in flat
    assert squash(result.item("4.6").findings[0].recommendation) in flat


def test_pdf_report_lays_tables_out_fixed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression (issue 10): a package of 2,000 sessions without times made 4.6 list every
    date in one cell, and the PDF took over half an hour: WeasyPrint's automatic table layout
    measures a cell's narrowest wrapping in time quadratic in its text. Report tables are laid
    out fixed, from the header's widths, so no table is measured by its contents."""
    from datetime import timedelta

    import weasyprint.layout.table as table_layout
    from factsbuilder import session

    def measured(*args: object) -> None:
        raise AssertionError("a report table was laid out by its contents")

    monkeypatch.setattr(table_layout, "auto_table_layout", measured)
    facts = compliant()
    start = PERIOD.start
    for i in range(300):  # no 课时 length written: each fails 4.6
        facts.sessions.append(session("赵六", start + timedelta(days=i), minutes=None))  # type: ignore[arg-type]
    many = judge(facts, resolve("liupu-supervision-2024"), PERIOD, "荔浦示例学校")
    assert many.item("4.6").status != "pass"
    pdf = render_report(many, "pdf")
    assert "未写起止时间或每课时分钟数" in squash(pdf_text(pdf))


def test_html_and_pdf_hold_summary_grid_findings_and_files(result: AuditResult) -> None:
    html = render_report(result, "html").decode()
    assert "送教上门逐月情况" in html and "赵六" in html
    assert "2/6/25" in html  # October: 2 visits, 6 课时, 25 minutes
    pdf = render_report(result, "pdf")
    _findings_in(pdf_cells(pdf), result)  # wrapped cells interleave in plain text: read by cell
    flat = squash(pdf_text(pdf))
    assert "控辍保学督导核查报告" in flat
    assert f"等次：{result.summary.level}" in flat or result.summary.level in flat
    assert "材料清单及使用情况" in flat and "请假/请假审批.xlsx" in flat
    assert "评分说明" in flat


def test_docx_is_the_four_column_table(result: AuditResult) -> None:
    data = render_report(result, "docx")
    doc = Document(io.BytesIO(data))
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells] == [
        "督导项目",
        "督导内容",
        "督导标准",
        "督导情况记录",
    ]
    # Item 2 spans its four rows of the seed's table (merged 督导项目 cell).
    item2 = [r.cells[0].text for r in table.rows[2:6]]
    assert len(set(item2)) == 1 and item2[0].startswith(
        "二、义务教育阶段适龄儿童少年是否存在失学辍学反弹问题"
    )
    assert "从学籍系统导出学生人数" in table.rows[2].cells[2].text
    _findings_in(docx_text(data), result)


def test_xlsx_remediation_list(result: AuditResult) -> None:
    wb = load_workbook(io.BytesIO(render_report(result, "xlsx")))
    ws = wb["整改清单"]
    header = [c.value for c in ws[1]]
    assert header[:12] == ["序号", "督导项目", "要求编号", "要求", "学生", "问题", "严重程度", "整改意见",
                           "责任人", "整改期限", "整改状态", "证据"]  # fmt: skip
    rows = [
        dict(zip(header, (c.value for c in row), strict=True)) for row in ws.iter_rows(min_row=2)
    ]
    leave = next(r for r in rows if r["要求编号"] == "2.4")
    assert leave["学生"] == "李四" and "应由校长审批" in leave["问题"]
    assert leave["责任人"] == "政教处（德育处）" and leave["整改状态"] == "待整改"
    assert leave["整改期限"].date() == result.generated_at.date().replace() + (
        date(2000, 1, 31) - date(2000, 1, 1)
    )
    assert "请假/请假审批.xlsx" in leave["证据"]
    assert any(r["要求编号"] == "4.6" and r["学生"] == "赵六" for r in rows)
    assert ws.data_validations.dataValidation  # the status drop-down
    assert wb["逐项结果"]["A2"].value == "1"


def test_cli_audits_a_facts_file_and_writes_every_format(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    facts = tmp_path / "school.facts.json"
    facts.write_text(compliant().model_dump_json(), encoding="utf-8")
    outs = [tmp_path / f"r.{ext}" for ext in ("json", "html", "pdf", "docx", "xlsx")]
    res = cli("audit", facts, "--checklist", "liupu-supervision-2024", "--period", "2025-09-01..2026-07-15",
              *[x for o in outs for x in ("-o", o)])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert all(o.stat().st_size > 0 for o in outs)
    assert "等次：优秀" in res.output
    data = json.loads(outs[0].read_text(encoding="utf-8"))
    assert data["summary"]["percent"] == 100


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.zip"], "找不到材料包"),
        (["notes.txt"], "不是材料包"),
        (["school.facts.json", "--checklist", "nope"], "没有名为“nope”的督导清单"),
        (["school.facts.json", "--period", "2026-07-15..2025-09-01"], "早于开始日期"),
        (["school.facts.json", "--period", "去年"], "应写成"),
        (["school.facts.json", "--period", "2025-13-01..2026-07-15"], "无法识别"),
        (["school.facts.json", "--profile", "xiuyan-2024"], "未采用督导清单"),
    ],
)
def test_cli_cannot_run_exits_2(cli, tmp_path: Path, args: list[str], message: str) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    (tmp_path / "school.facts.json").write_text(compliant().model_dump_json(), encoding="utf-8")
    opts = {"--checklist": "liupu-supervision-2024", "--period": "2025-09-01..2026-07-15"}
    target, rest = args[0], args[1:]
    for key, value in zip(rest[::2], rest[1::2], strict=True):
        opts[key] = value
    flat = [x for kv in opts.items() for x in kv]
    res = cli("audit", tmp_path / target, *flat, "-o", tmp_path / "r.json")
    assert res.exit_code == 2
    assert message in res.output
    assert not (tmp_path / "r.json").exists()


def test_cli_unknown_output_format(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    res = cli("audit", tmp_path, "--checklist", "liupu-supervision-2024", "--period", "2025-09-01..2026-07-15",
              "-o", tmp_path / "r.odt")  # fmt: skip
    assert res.exit_code == 2 and "不支持的输出格式" in res.output


def test_id_numbers_in_snippets_are_masked() -> None:
    facts = compliant()
    facts.leaves[1] = facts.leaves[1].model_copy(
        update={
            "days": 3,
            "approver": "班主任",
            "prov": facts.leaves[1].prov.model_copy(
                update={"snippet": "李四 G450331201204120013 请假3天 班主任 450331201204120013"}
            ),
        }
    )
    result = judge(facts, resolve("liupu-supervision-2024"), PERIOD, "t")
    snippet = result.item("2.4").findings[0].evidence[0].snippet
    assert "201204120" not in snippet
    assert snippet == "李四 G450331********0013 请假3天 班主任 450331********0013"
    for fmt in ("json", "html"):
        assert b"450331201204120013" not in render_report(result, fmt)
    wb = load_workbook(io.BytesIO(render_report(result, "xlsx")))
    cells = [str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value]
    assert any("450331********0013" in c for c in cells)
    assert not any("450331201204120013" in c for c in cells)


def test_reviewer_verdict_is_recorded_and_shown(result: AuditResult) -> None:
    import datetime as dt

    with pytest.raises(ValueError, match="不在清单规定的等次中"):
        result.with_final_verdict("满分", "张督学")
    reviewed = result.with_final_verdict(
        "良好", "张督学", "扫描页已人工核对", dt.datetime(2026, 7, 20, 9, 0, tzinfo=dt.UTC)
    )
    assert reviewed.verdict.automatic == result.verdict.automatic
    assert load_result(reviewed.to_json()).verdict.final.reviewer == "张督学"
    flat = squash(render_report(reviewed, "html").decode())
    assert "复核结论：<b>良好</b>复核人张督学" in flat
    assert "复核结论：良好" in squash(docx_text(render_report(reviewed, "docx")))
