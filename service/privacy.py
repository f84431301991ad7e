"""Personal numbers for roles without the right to them: masking for display, and finding
full 身份证号 in any file the service is about to send.

The rule (issue 23): a role without `idcard.full` (service/scope.py) never receives a full
valid 18-digit ID number in any byte. Documents, batch print files and audit exports are
rendered for such a role as viewing copies (forms/viewcopy.py); `service.web.privacy_guard`
masks whatever text still carries one and refuses a file that does.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any
from xml.etree import ElementTree as ET

from forms.idcard import mask
from forms.viewcopy import find_id_numbers, mask_data, mask_text

_EMBEDS_ID = re.compile(r"^([A-Za-z]?)(\d{17}[\dXx])$")
SENSITIVE_KEYS = ("id_number", "student_number")
_MAX_DEPTH = 3  # zips inside zips searched
_TEXT_SUFFIXES = (".csv", ".txt", ".json", ".html", ".htm", ".xml", ".yaml", ".yml", ".md")

__all__ = ["find_id_numbers", "ids_in_file", "mask_data", "mask_number", "mask_record", "mask_text"]


def mask_number(value: str | None) -> str | None:
    if not value:
        return value
    embedded = _EMBEDS_ID.match(value)
    if embedded:
        return embedded.group(1) + mask(embedded.group(2))
    return mask(value) if len(value) >= 15 else value


def mask_record(data: Any) -> Any:
    """A copy of a record (nested dicts/lists) with every personal number masked: the ID
    and 学籍号 fields whatever they hold, and a valid ID number in any other text."""
    if isinstance(data, dict):
        return {
            k: mask_number(v) if k in SENSITIVE_KEYS and isinstance(v, str) else mask_record(v)
            for k, v in data.items()
        }
    if isinstance(data, list):
        return [mask_record(v) for v in data]
    if isinstance(data, str):
        return mask_text(data)
    return data


# -- finding ID numbers in files --------------------------------------------------------


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _pdf_ids(data: bytes) -> list[str]:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        return []
    found: list[str] = []
    try:
        for key, value in pdf.get_metadata_dict().items():
            found += find_id_numbers(f"{key} {value}")
        for page in pdf:
            text = page.get_textpage().get_text_range()
            found += find_id_numbers(text)
            found += find_id_numbers(re.sub(r"\s+", "", text))  # a number broken over lines
    finally:
        pdf.close()
    return found


_BLOCKS = {"p", "si", "is", "tc", "c"}  # paragraphs, shared strings, inline strings, cells


def _xml_ids(data: bytes) -> list[str]:
    """Each text node alone, and each paragraph's (or cell's) runs joined: Word splits a
    typed number over several runs, but joining a whole sheet could invent numbers."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError:
        return find_id_numbers(_decode(data))
    found: list[str] = []
    for element in root.iter():
        if element.text and len(element.text) >= 18:
            found += find_id_numbers(element.text)
        tag = element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""
        if tag in _BLOCKS:
            found += find_id_numbers("".join(element.itertext()))
    for value in root.iter():
        for attr in value.attrib.values():
            if len(attr) >= 18:
                found += find_id_numbers(attr)
    return found


def _zip_ids(data: bytes, depth: int) -> list[str]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError):
        return []
    found: list[str] = []
    with archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            found += find_id_numbers(info.filename)
            try:
                member = archive.read(info)
            except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError):
                continue  # encrypted or broken: its bytes are still searched raw below
            found += ids_in_file(member, info.filename, depth + 1)
    return found


def ids_in_file(data: bytes, name: str = "", depth: int = 0) -> list[str]:
    """Valid 身份证号 found in a file: the text of a PDF, Word/Excel/zip members, any text
    file, and ASCII runs of any other bytes. Images are not read (no OCR)."""
    lower = name.lower()
    found = find_id_numbers(data.decode("latin-1"))  # ASCII digits wherever they stand
    if data.startswith(b"%PDF") or lower.endswith(".pdf"):
        found += _pdf_ids(data)
    elif data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        if depth < _MAX_DEPTH:
            found += _zip_ids(data, depth)
    elif lower.endswith((".xml", ".rels", ".vml")) or data.lstrip()[:5] == b"<?xml":
        found += _xml_ids(data)
    elif lower.endswith(_TEXT_SUFFIXES) or not lower or "." not in lower:
        found += find_id_numbers(_decode(data))
    return list(dict.fromkeys(found))
