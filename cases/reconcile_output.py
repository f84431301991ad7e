"""The comparison written out: XLSX (a summary sheet, a sheet per category, the
disagreements, the sources) and PDF (the project's renderer), for the township and the
bureau. The workbook is written row by row (openpyxl's write-only mode), so a large
comparison does not sit in memory twice."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from cases.lists import list_kinds, rules
from cases.reconcile import Child, Reconciliation, categories
from forms.dates import cn_date
from forms.files import check_output, output_path, write_output
from forms.idcard import mask, mask_in_text

COLUMNS: tuple[tuple[str, str, float], ...] = (
    ("序号", "seq", 6),
    ("姓名", "name", 10),
    ("性别", "gender", 6),
    ("出生日期", "birth", 12),
    ("学年9月1日周岁", "age", 9),
    ("身份证号", "id_number", 21),
    ("所在名单", "lists", 22),
    ("学校", "school", 18),
    ("年级班级", "grade_class", 10),
    ("村（社区）", "village", 12),
    ("监护人", "guardian", 10),
    ("联系电话", "phone", 13),
    ("应采取的措施", "action", 40),
    ("怎样认定为同一人", "match", 30),
    ("信息不一致", "problems", 36),
    ("个案", "case", 18),
)


def title_of(result: Reconciliation) -> str:
    return f"{result.unit or ''}义务教育适龄儿童少年四查三对比结果"


def summary_rows(result: Reconciliation) -> list[tuple[str, str, str]]:
    """(label, value, source) lines of the summary, shared by the XLSX and the PDF."""
    low, high = result.age_range
    rows = [
        ("比对日期", cn_date(result.on), ""),
        (
            "学年",
            f"{result.year}—{result.year + 1}学年，年龄按{cn_date(result.age_day)}计算",
            str(rules()["age_day"]["source"]),
        ),
        (
            "适龄范围",
            f"{low}至{high}周岁（{result.profile.name}）",
            result.age_source,
        ),
        ("比对人数", f"{result.people}人（各名单中认定为同一人的合为一人）", ""),
    ]
    kinds = list_kinds()
    for info in result.lists:
        skipped = f"，{info.skipped}行无姓名和身份证号未计" if info.skipped else ""
        rows.append(
            (
                kinds[info.kind]["long"],
                f"{info.path.name}：{info.rows}行{skipped}",
                str(kinds[info.kind]["source"]),
            )
        )
    for c in categories():
        if c.id in result.not_compared:
            rows.append((c.title, f"未比对：{result.not_compared[c.id]}", c.source))
        else:
            rows.append((c.title, f"{len(result.children[c.id])}人", c.source))
    mismatch = rules()["mismatch"]
    rows.append((str(mismatch["title"]), f"{len(result.mismatched)}人", str(mismatch["source"])))
    return rows


def _value(child: Child, key: str, action: str, seq: int, masked: bool) -> Any:
    if key == "seq":
        return seq
    if key == "action":
        return action
    value = child.fields()[key]
    if key == "id_number" and value and masked:
        return mask(str(value))
    if masked and isinstance(value, str):
        return mask_in_text(value)  # the disagreements quote each list's number
    return value


def write_xlsx(result: Reconciliation, path: Path, masked: bool = False) -> Path:
    check_output(path, ("xlsx",), "比对结果")
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook(write_only=True)
    bold = Font(name="黑体", bold=True)
    grey = PatternFill("solid", fgColor="D9D9D9")

    def cell(ws: Any, value: Any, *, head: bool = False, text: bool = False) -> Any:
        c = WriteOnlyCell(ws, value=value)
        if head:
            c.font, c.fill = bold, grey
            c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        elif isinstance(value, date):
            c.number_format = "yyyy-mm-dd"
        elif text:
            c.number_format = "@"
        return c

    summary = wb.create_sheet("汇总")
    summary.column_dimensions["A"].width = 34
    summary.column_dimensions["B"].width = 60
    summary.column_dimensions["C"].width = 18
    summary.append([cell(summary, title_of(result), head=True)])
    summary.append([cell(summary, h, head=True) for h in ("项目", "结果", "出处")])
    for label, value, source in summary_rows(result):
        summary.append([label, value, source])

    def table(name: str, rows: list[Child], action: str) -> None:
        ws = wb.create_sheet(name[:31])
        for i, (_, _, width) in enumerate(COLUMNS):
            ws.column_dimensions[chr(65 + i)].width = width
        ws.freeze_panes = "C2"
        ws.append([cell(ws, h, head=True) for h, _, _ in COLUMNS])
        for seq, child in enumerate(rows, start=1):
            ws.append(
                [
                    cell(ws, _value(child, key, action, seq, masked), text=key == "id_number")
                    for _, key, _ in COLUMNS
                ]
            )

    for c in categories():
        if c.id not in result.not_compared:
            table(c.title.replace("/", "、"), result.children[c.id], c.action)
    mismatch = rules()["mismatch"]
    table(str(mismatch["title"]), result.mismatched, str(mismatch["action"]))

    notes = wb.create_sheet("说明")
    for letter, width in zip("ABCD", (30, 60, 16, 60), strict=True):
        notes.column_dimensions[letter].width = width
    notes.append([cell(notes, h, head=True) for h in ("项目", "内容", "出处", "本项目的理解")])
    notes.append(["四查三对比", rules()["reading"], rules()["source"], ""])
    notes.append(
        [
            "年龄",
            rules()["age_day"]["value"],
            rules()["age_day"]["source"],
            rules()["age_day"]["reading"],
        ]
    )
    for key, item in rules()["matching"].items():
        notes.append([f"同一人的认定：{key}", str(item["value"]), item["source"], item["reading"]])
    for c in categories():
        notes.append([c.title, c.action, c.source, c.reading])
    with output_path(path) as tmp:
        wb.save(tmp)
    return path


def report_html(result: Reconciliation, masked: bool = True) -> str:
    from forms.fonts import font_face_css
    from forms.render.html import environment

    sections = []
    for c in categories():
        if c.id in result.not_compared:
            continue
        sections.append(
            {
                "title": c.title,
                "source": c.source,
                "action": c.action,
                "rows": [_row(child, masked) for child in result.children[c.id]],
            }
        )
    mismatch = rules()["mismatch"]
    sections.append(
        {
            "title": mismatch["title"],
            "source": mismatch["source"],
            "action": mismatch["action"],
            "rows": [_row(child, masked) for child in result.mismatched],
        }
    )
    template = environment().get_template("reconcile/report.html")
    return template.render(
        title=title_of(result),
        summary=summary_rows(result),
        sections=sections,
        generated=cn_date(result.on),
        font_css=font_face_css(),
    )


def _row(child: Child, masked: bool) -> dict[str, Any]:
    out = child.fields()
    if out["id_number"] and masked:
        out["id_number"] = mask(str(out["id_number"]))
    if masked:
        out = {k: mask_in_text(v) if isinstance(v, str) else v for k, v in out.items()}
    return out


def write_pdf(result: Reconciliation, path: Path, masked: bool = True) -> Path:
    """The PDF the township prints; ID numbers masked (it is passed around) unless asked."""
    check_output(path, ("pdf",), "比对结果")
    from forms.render.pdf import html_to_pdf

    return write_output(path, html_to_pdf(report_html(result, masked)))


def write_outputs(result: Reconciliation, out_dir: Path) -> list[Path]:
    """`baoxue reconcile --out DIR`: 四查三对比.xlsx (full ID numbers, for the clerk) and
    四查三对比.pdf (masked, for passing on)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    return [
        write_xlsx(result, out_dir / "四查三对比.xlsx"),
        write_pdf(result, out_dir / "四查三对比.pdf"),
    ]
