"""Pydantic validation errors in Chinese, each naming the field by its Chinese title.

Validators in this package raise `ValueError` with a Chinese message; pydantic's own
error types (missing, wrong type, bad date …) are translated here so a clerk never sees
an English stack of `loc`/`type`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

_MESSAGES: dict[str, str] = {
    "missing": "必须填写",
    "string_too_short": "不能为空",
    "string_too_long": "太长（最多{max_length}个字）",
    "string_type": "应为文字",
    "string_pattern_mismatch": "格式不对",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "bool_parsing": "应为“是”或“否”",
    "bool_type": "应为“是”或“否”",
    "greater_than": "应大于{gt}",
    "greater_than_equal": "应不小于{ge}",
    "less_than": "应小于{lt}",
    "less_than_equal": "应不大于{le}",
    "date_parsing": "不是有效日期",
    "date_from_datetime_parsing": "不是有效日期",
    "date_type": "不是有效日期",
    "time_parsing": "不是有效时间（如 9:30）",
    "time_type": "不是有效时间（如 9:30）",
    "literal_error": "应为以下之一：{expected}",
    "enum": "应为以下之一：{expected}",
    "extra_forbidden": "不认识的字段（请检查拼写）",
    "list_type": "应为列表",
    "dict_type": "应为一组字段",
    "model_type": "应为一组字段",
    "model_attributes_type": "应为一组字段",
    "too_short": "至少需要{min_length}项",
    "too_long": "最多{max_length}项",
    "url_parsing": "不是有效网址",
}


@dataclass(frozen=True)
class FieldError:
    loc: str  # dotted path, e.g. "student.id_number"
    label: str  # Chinese path, e.g. "学生 › 身份证号"
    message: str
    value: Any = None

    def __str__(self) -> str:
        return f"{self.label}：{self.message}" if self.label else self.message


def _field_title(model: type[BaseModel] | None, name: str) -> tuple[str, type[BaseModel] | None]:
    if model is None or name not in model.model_fields:
        return name, None
    info = model.model_fields[name]
    title = info.title or name
    annotation = info.annotation
    nested: type[BaseModel] | None = None
    for candidate in (annotation, *getattr(annotation, "__args__", ())):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            nested = candidate
            break
        for inner in getattr(candidate, "__args__", ()):  # list[Model]
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                nested = inner
    return title, nested


def chinese_label(model: type[BaseModel], loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    current: type[BaseModel] | None = model
    for piece in loc:
        if isinstance(piece, int):
            parts.append(f"第{piece + 1}项")
            continue
        if current is None or piece not in current.model_fields:
            if parts or current is not None:
                # A validator-level error tagged with a pseudo location, or an unknown key.
                parts.append(str(piece))
            continue
        title, current = _field_title(current, piece)
        parts.append(title)
    return " › ".join(parts)


def _message(error: ErrorDetails) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind in ("value_error", "assertion_error"):
        original = ctx.get("error")
        return str(original) if original is not None else str(error["msg"])
    if kind == "too_short" and isinstance(error.get("input"), str):
        return "不能为空"  # min_length on an annotated str reports as a sequence
    if kind in _MESSAGES:
        try:
            return _MESSAGES[kind].format(**ctx)
        except (KeyError, IndexError):
            return _MESSAGES[kind]
    return str(error["msg"])


def translate(exc: ValidationError, model: type[BaseModel]) -> list[FieldError]:
    out: list[FieldError] = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        out.append(
            FieldError(
                loc=".".join(str(p) for p in loc),
                label=chinese_label(model, loc),
                message=_message(error),
                value=error.get("input") if error["type"] != "missing" else None,
            )
        )
    return out


class RecordError(ValueError):
    """A record that does not validate; carries every field error in Chinese."""

    def __init__(self, errors: list[FieldError], source: str = "") -> None:
        self.errors = errors
        self.source = source
        prefix = f"{source}：" if source else ""
        super().__init__(prefix + "；".join(str(e) for e in errors))
