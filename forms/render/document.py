"""The library entry point for one document: validate a record, check fonts, render.

The CLI, the batch printer and the web service all call `render_record`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from forms.errors import FieldError, RecordError, chinese_label, translate
from forms.files import FileProblem, read_text, syntax_error
from forms.fonts import check_coverage
from forms.models import Record
from forms.profiles import Profile
from forms.registry import FormKind
from forms.render.html import DocumentHtml, document_files, document_html
from forms.yamlload import load_yaml

FORMATS = ("pdf", "docx", "html")


class InputFileError(Exception):
    """A record file that cannot be read at all (not JSON/YAML, not a mapping)."""


def load_record_file(path: Path) -> dict[str, Any]:
    suffix = path.suffix.lower()
    try:
        text = read_text(path)
    except FileProblem as exc:
        raise InputFileError(str(exc)) from None
    try:
        data = json.loads(text) if suffix == ".json" else load_yaml(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise InputFileError(
            f"{path} 不是有效的 {'JSON' if suffix == '.json' else 'YAML'} 文件：{syntax_error(exc)}"
        ) from None
    if not isinstance(data, dict):
        raise InputFileError(f"{path} 的内容应为一组字段（JSON 对象或 YAML 映射）")
    return data


def validate_record(kind: FormKind, data: dict[str, Any], source: str = "") -> Record:
    try:
        return kind.model.model_validate(data)
    except ValidationError as exc:
        raise RecordError(translate(exc, kind.model), source) from None


def text_values(model: BaseModel, loc: tuple[str | int, ...] = ()) -> Iterator[tuple[str, str]]:
    """(Chinese field label, text) for every value that will be printed."""
    root = type(model)
    for name in type(model).model_fields:
        yield from _walk(root, getattr(model, name), (*loc, name))


def _walk(
    root: type[BaseModel], value: Any, loc: tuple[str | int, ...]
) -> Iterator[tuple[str, str]]:
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _walk(root, getattr(value, name), (*loc, name))
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from _walk(root, item, (*loc, i))
    elif isinstance(value, str):
        yield chinese_label(root, loc), value
    elif value is not None and not isinstance(value, bool | int | float | date):
        yield chinese_label(root, loc), str(value)


def check_record_fonts(record: Record) -> None:
    try:
        check_coverage(text_values(record))
    except ValueError as exc:  # FontCoverageError: report it as a field error
        field = getattr(exc, "field", "")
        raise RecordError([FieldError(loc=field, label=field, message=str(exc))]) from None


def render_html_document(kind: FormKind, record: Record, profile: Profile) -> DocumentHtml:
    check_record_fonts(record)
    return document_html(kind, record, profile)


def render_record(
    kind: FormKind, record: Record, profile: Profile, formats: tuple[str, ...] = FORMATS
) -> dict[str, bytes]:
    """Render one record in each asked format; every format carries the same text."""
    return document_files(render_html_document(kind, record, profile), formats)
