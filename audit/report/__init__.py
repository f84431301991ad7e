"""Audit reports: JSON (schema baoxue.audit/1), HTML, PDF, DOCX (督导工作情况表), XLSX (整改清单)."""

from __future__ import annotations

from collections.abc import Callable

from audit.report.model import SCHEMA, AuditResult

FORMATS: dict[str, str] = {
    "json": "JSON（baoxue.audit/1）",
    "html": "网页报告",
    "pdf": "PDF 报告",
    "docx": "督导工作情况表（DOCX）",
    "xlsx": "整改清单（XLSX）",
}


def _json(result: AuditResult) -> bytes:
    return result.to_json().encode("utf-8")


def _html(result: AuditResult) -> bytes:
    from audit.report.html import report_html

    return report_html(result).encode("utf-8")


def _pdf(result: AuditResult) -> bytes:
    from audit.report.html import report_pdf

    return report_pdf(result)


def _docx(result: AuditResult) -> bytes:
    from audit.report.docx import report_docx

    return report_docx(result)


def _xlsx(result: AuditResult) -> bytes:
    from audit.report.xlsx import report_xlsx

    return report_xlsx(result)


_WRITERS: dict[str, Callable[[AuditResult], bytes]] = {
    "json": _json,
    "html": _html,
    "pdf": _pdf,
    "docx": _docx,
    "xlsx": _xlsx,
}


def render_report(result: AuditResult, fmt: str) -> bytes:
    """One report in one format (a key of FORMATS)."""
    return _WRITERS[fmt](result)


def load_result(text: str | bytes) -> AuditResult:
    """A JSON report back into the model (what the service stores)."""
    return AuditResult.model_validate_json(text)


__all__ = ["FORMATS", "SCHEMA", "AuditResult", "load_result", "render_report"]
