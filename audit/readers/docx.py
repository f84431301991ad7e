"""DOCX: paragraphs and tables of the body in document order; headers and footers ignored.

Tables are walked in the XML so merged cells are seen once: a horizontal span (gridSpan) keeps
its text in the first grid column, a vertical span (vMerge) repeats the text downwards.
Content controls (w:sdt) are read through.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import Any

from docx import Document
from docx.opc.exceptions import PackageNotFoundError

from audit.readers.model import Block, Item, ReadResult, Table, clean, error

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read_docx(data: bytes) -> ReadResult:
    try:
        doc = Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError):
        return error("DOCX 文件已损坏或不是 Word 文档，无法打开")
    except Exception as exc:  # lxml syntax errors and the like: a corrupt part
        return error(f"DOCX 文件已损坏，无法读取（{type(exc).__name__}）")
    result = ReadResult()
    result.items = list(_body_items(doc.element.body))
    return result


def _body_items(parent: Any) -> Iterator[Item]:
    for child in parent.iterchildren():
        tag = child.tag
        if tag == W + "p":
            text = _text(child)
            if text:
                yield Block(text)
        elif tag == W + "tbl":
            rows = _table_rows(child)
            if rows:
                yield Table(rows=rows)
        elif tag == W + "sdt":
            content = child.find(W + "sdtContent")
            if content is not None:
                yield from _body_items(content)


def _text(element: Any) -> str:
    parts: list[str] = []
    for node in element.iter(W + "t", W + "tab", W + "br", W + "cr"):
        if node.tag == W + "t":
            parts.append(node.text or "")
        else:
            parts.append(" ")
    return clean("".join(parts))


def _cell_text(tc: Any) -> str:
    paragraphs = [_text(p) for p in tc.iter(W + "p")]
    return clean(" ".join(p for p in paragraphs if p))


def _table_rows(tbl: Any) -> list[list[str]]:
    rows: list[list[str]] = []
    above: dict[int, str] = {}  # grid column → text of the cell that started a vertical span
    for tr in tbl.iterchildren(W + "tr"):
        row: list[str] = []
        props = tr.find(W + "trPr")
        skip = props.find(W + "gridBefore") if props is not None else None
        if skip is not None:
            row.extend([""] * int(skip.get(W + "val", "0")))
        for tc in tr.iterchildren(W + "tc"):
            tcpr = tc.find(W + "tcPr")
            span = 1
            vmerge: str | None = None
            if tcpr is not None:
                grid = tcpr.find(W + "gridSpan")
                if grid is not None:
                    span = int(grid.get(W + "val", "1"))
                merge = tcpr.find(W + "vMerge")
                if merge is not None:
                    vmerge = merge.get(W + "val", "continue")
            col = len(row)
            if vmerge == "continue":
                text = above.get(col, "")
            else:
                text = _cell_text(tc)
                if vmerge == "restart":
                    above[col] = text
                else:
                    above.pop(col, None)
            row.append(text)
            row.extend([""] * (span - 1))
        if any(row):
            rows.append(row)
    return rows
