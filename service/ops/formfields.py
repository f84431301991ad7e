"""A form's input fields, derived from its pydantic model — no form is described twice.

`fields(model)` walks the model (nested models become fieldsets, lists of models a few
numbered rows); `nest(flat)` turns posted `student.name` / `visits.0.date` keys back into
the nested record the model validates, dropping blanks so a missing required field gets
the model's own message ("必须填写").
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

EXTRA_ROWS = 2  # blank rows offered below a list's existing entries


@dataclass
class Field:
    name: str  # dotted path used as the input name
    label: str
    input: str  # text | date | time | number | select | checkbox | textarea | group | list
    required: bool = False
    hint: str = ""
    options: list[str] = field(default_factory=list)
    children: list[Field] = field(default_factory=list)  # group: fields; list: one group per row
    value: Any = None
    error: str = ""


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """(inner type, optional?) of `X | None`."""
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        optional = len(args) < len(get_args(annotation))
        if len(args) == 1:
            return args[0], optional
        return args, optional
    return annotation, False


def _model_of(annotation: Any) -> type[BaseModel] | None:
    return (
        annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
    )


def _leaf(name: str, info: FieldInfo, annotation: Any, required: bool) -> Field:
    label = info.title or name.rsplit(".", 1)[-1]
    hint = info.description or ""
    if get_origin(annotation) is Literal:
        return Field(name, label, "select", required, hint, [str(a) for a in get_args(annotation)])
    if annotation is date:
        return Field(name, label, "date", required, hint or "可写 2026-03-13 或 2026年3月13日")
    if annotation is time:
        return Field(name, label, "time", required, hint)
    if annotation is bool:
        return Field(name, label, "checkbox", False, hint)
    if annotation in (int, float):
        return Field(name, label, "number", required, hint)
    if get_origin(annotation) in (list, tuple):
        return Field(name, label, "textarea", required, hint or "每行一项")
    return Field(name, label, "text", required, hint)


def fields(
    model: type[BaseModel], prefix: str = "", values: dict[str, Any] | None = None
) -> list[Field]:
    values = values or {}
    out: list[Field] = []
    for key, info in model.model_fields.items():
        name = f"{prefix}{key}"
        annotation, optional = _unwrap(info.annotation)
        required = info.is_required() and not optional
        nested = _model_of(annotation)
        current = values.get(key)
        if nested is not None:
            sub = current if isinstance(current, dict) else {}
            out.append(
                Field(
                    name,
                    info.title or key,
                    "group",
                    required,
                    info.description or "",
                    children=fields(nested, f"{name}.", sub),
                )
            )
            continue
        if get_origin(annotation) is list and _model_of(get_args(annotation)[0]) is not None:
            row_model = typing.cast(type[BaseModel], get_args(annotation)[0])
            existing = current if isinstance(current, list) else []
            rows = [
                Field(
                    f"{name}.{i}",
                    f"第{i + 1}项",
                    "group",
                    False,
                    children=fields(
                        row_model, f"{name}.{i}.", row if isinstance(row, dict) else {}
                    ),
                )
                for i, row in enumerate([*existing, *([{}] * EXTRA_ROWS)])
            ]
            out.append(
                Field(
                    name, info.title or key, "list", required, info.description or "", children=rows
                )
            )
            continue
        leaf = _leaf(name, info, annotation, required)
        if current is not None:
            leaf.value = "\n".join(map(str, current)) if isinstance(current, list) else current
        out.append(leaf)
    return out


def attach_errors(form: list[Field], errors: dict[str, str]) -> list[str]:
    """Put each error beside its field; return those that belong to no field."""
    placed: set[str] = set()

    def walk(items: list[Field]) -> None:
        for f in items:
            if f.name in errors:
                f.error = errors[f.name]
                placed.add(f.name)
            walk(f.children)

    walk(form)
    return [msg for loc, msg in errors.items() if loc not in placed]


def nest(flat: dict[str, str], list_fields: set[str] | None = None) -> dict[str, Any]:
    """{"student.name": "韦堃", "visits.0.date": "…"} → nested dict; blanks dropped."""
    root: dict[str, Any] = {}
    for key, raw in flat.items():
        if key == "csrf_token":
            continue
        value: Any = raw.strip() if isinstance(raw, str) else raw
        if value == "" or value is None:
            continue
        if list_fields and key in list_fields:
            value = [line.strip() for line in str(value).splitlines() if line.strip()]
        parts = key.split(".")
        node: Any = root
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            nxt: Any = value if last else ([] if parts[i + 1].isdigit() else {})
            if isinstance(node, list):
                index = int(part)
                while len(node) <= index:
                    node.append(None)
                if node[index] is None:
                    node[index] = nxt
                node = node[index]
            else:
                if part not in node:
                    node[part] = nxt
                node = node[part]
    compacted: dict[str, Any] = _compact(root)
    return compacted


def _compact(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _compact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_compact(v) for v in value if v is not None and v != {}]
    return value


def textarea_names(form: list[Field]) -> set[str]:
    names: set[str] = set()
    for f in form:
        if f.input == "textarea":
            names.add(f.name)
        names |= textarea_names(f.children)
    return names


def checkbox_names(form: list[Field]) -> set[str]:
    names: set[str] = set()
    for f in form:
        if f.input == "checkbox":
            names.add(f.name)
        names |= checkbox_names(f.children)
    return names
