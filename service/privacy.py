"""Masking personal numbers for display: 身份证号, and 学籍号 that embed one (G + ID)."""

from __future__ import annotations

import re
from typing import Any

from forms.idcard import mask

_EMBEDS_ID = re.compile(r"^([A-Za-z]?)(\d{17}[\dXx])$")
SENSITIVE_KEYS = ("id_number", "student_number")


def mask_number(value: str | None) -> str | None:
    if not value:
        return value
    embedded = _EMBEDS_ID.match(value)
    if embedded:
        return embedded.group(1) + mask(embedded.group(2))
    return mask(value) if len(value) >= 15 else value


def mask_record(data: Any) -> Any:
    """A copy of a record (nested dicts/lists) with every personal number masked."""
    if isinstance(data, dict):
        return {
            k: mask_number(v) if k in SENSITIVE_KEYS and isinstance(v, str) else mask_record(v)
            for k, v in data.items()
        }
    if isinstance(data, list):
        return [mask_record(v) for v in data]
    return data
