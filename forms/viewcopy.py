"""Viewing copies: a document with every full 身份证号 hidden, marked as a copy for viewing.

A role without the right to full ID numbers (service/scope.py) is given this rendition of a
document, a batch's print file or a preview, never the original. The copy is rendered from
the record with each valid 18-digit ID number masked wherever it appears (the ID field, a
学籍号 of G + ID, any text a clerk typed), and carries `VIEW_MARK` on its first line.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, TypeVar

from pydantic import BaseModel

from forms.idcard import IdNumberError, mask_in_text, parse_id_number
from forms.models import Record
from forms.profiles import Profile
from forms.registry import FormKind
from forms.render.html import DocumentHtml

VIEW_MARK = "仅供查看（身份证号已隐去）"
# 17 digits and a check character, not inside a longer run of digits (a 学籍号 “G” + ID is
# found, its letter kept).
_CANDIDATE = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")

T = TypeVar("T")


def is_id_number(text: str) -> bool:
    """A valid GB 11643 number: region, birth date and check digit all agree."""
    try:
        parse_id_number(text.upper())
    except (IdNumberError, ValueError):
        return False
    return True


def find_id_numbers(text: str) -> list[str]:
    """Every valid 18-digit 身份证号 in the text, in order."""
    return [m.group(0) for m in _CANDIDATE.finditer(text) if is_id_number(m.group(0))]


def mask_text(text: str) -> str:
    """The text with every 身份证号 masked (`450331********0013`)."""
    return mask_in_text(text)


def mask_data(data: T) -> T:
    """A copy of JSON-like data (dicts, lists, strings) with every ID number masked."""
    if isinstance(data, str):
        return mask_text(data)  # type: ignore[return-value]
    if isinstance(data, dict):
        return {k: mask_data(v) for k, v in data.items()}  # type: ignore[return-value]
    if isinstance(data, list | tuple):
        return type(data)(mask_data(v) for v in data)
    return data


def _masked_value(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return masked_model(value)
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, list | tuple):
        return type(value)(_masked_value(v) for v in value)
    if isinstance(value, dict):
        return {k: _masked_value(v) for k, v in value.items()}
    return value


def masked_model(model: BaseModel) -> Any:
    """A copy of a validated record with every ID number masked. Not validated again (a
    masked number is not a valid one); the copy is only ever rendered, never stored."""
    updates = {name: _masked_value(getattr(model, name)) for name in type(model).model_fields}
    return model.model_copy(update=updates)


def mark(doc: DocumentHtml) -> DocumentHtml:
    """The document's HTML with the viewing-copy line above everything else (top left, where
    GB/T 9704 puts 份号 and 密级)."""
    line = f'<p class="noindent view-copy">{VIEW_MARK}</p>\n'
    return replace(doc, body=line + doc.body)


def viewing_copy_html(kind: FormKind, record: Record, profile: Profile) -> DocumentHtml:
    from forms.render.document import render_html_document

    return mark(render_html_document(kind, masked_model(record), profile))


def render_viewing_copy(
    kind: FormKind, record: Record, profile: Profile, formats: tuple[str, ...] = ("pdf", "docx")
) -> dict[str, bytes]:
    """`render_record`'s formats for the viewing copy of a record."""
    from forms.render.html import document_files

    return document_files(viewing_copy_html(kind, record, profile), formats)
