"""The leaf fields of a record model as dotted paths, with Chinese labels and types.

Batch printing fills a form's record from roster columns and a defaults file; both name
fields either by path (school.name) or by the Chinese title (学校名称 / 学校 › 学校名称).
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel


@dataclass(frozen=True)
class Leaf:
    path: str  # student.name
    label: str  # 学生 › 姓名
    title: str  # 姓名
    type: str  # text | date | list | other
    required: bool  # required, and so is every model above it


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                return arg
    return None


def _is_list(annotation: Any) -> bool:
    if typing.get_origin(annotation) in (list, tuple):
        return True
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return any(typing.get_origin(a) in (list, tuple) for a in typing.get_args(annotation))
    return False


def _kind(annotation: Any) -> str:
    args = typing.get_args(annotation) or (annotation,)
    if date in args or annotation is date:
        return "date"
    if str in args or annotation is str:
        return "text"
    return "other"


def leaves(model: type[BaseModel]) -> dict[str, Leaf]:
    out: dict[str, Leaf] = {}

    def walk(m: type[BaseModel], prefix: str, labels: tuple[str, ...], required: bool) -> None:
        for name, info in m.model_fields.items():
            path = f"{prefix}{name}"
            title = info.title or name
            nested = _nested_model(info.annotation)
            if _is_list(info.annotation):  # attempts, participants: a whole value (defaults)
                label = " › ".join((*labels, title))
                out[path] = Leaf(path, label, title, "list", required and info.is_required())
                continue
            if nested is not None:
                walk(nested, path + ".", (*labels, title), required and info.is_required())
                continue
            label = " › ".join((*labels, title))
            out[path] = Leaf(
                path, label, title, _kind(info.annotation), required and info.is_required()
            )

    walk(model, "", (), True)
    return out


def title_index(model: type[BaseModel]) -> dict[str, str]:
    """Chinese label → path, for labels that name one field only (学校名称, 学校 › 学校名称)."""
    counts: dict[str, list[str]] = {}
    for leaf in leaves(model).values():
        for label in {leaf.title, leaf.label, leaf.label.replace(" › ", ""), leaf.path}:
            counts.setdefault(label, []).append(leaf.path)
    return {label: paths[0] for label, paths in counts.items() if len(set(paths)) == 1}


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    for part in parts[:-1]:
        child = data.get(part)
        if not isinstance(child, dict):
            child = {}
            data[part] = child
        data = child
    data[parts[-1]] = value


def get_path(data: dict[str, Any], path: str) -> Any:
    current: Any = data
    for part in path.split("."):
        if not isinstance(current, dict) or part not in current:
            return None
        current = current[part]
    return current
