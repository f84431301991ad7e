"""Shared fixtures: sample records, rendering, text extraction from PDF and DOCX."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
import yaml
from click.testing import CliRunner
from docx import Document

from forms.paths import SAMPLES_DIR

pytest_plugins = ["service_helpers"]  # fixtures of the service tests (env, db_url, pg_cluster)

PAGE_NUMBER = re.compile(r"—\s*\d+\s*—")


def pdf_text(data: bytes) -> str:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts: list[str] = []
    body = doc.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            parts.append("".join(t.text or "" for t in child.iter() if t.tag.endswith("}t")))
        elif tag == "tbl":
            # every cell once, row by row (a merged cell's continuation holds no text)
            for tc in child.iter("{*}tc"):
                parts.append("".join(t.text or "" for t in tc.iter() if t.tag.endswith("}t")))
    return "\n".join(parts)


def squash(text: str) -> str:
    """Text modulo whitespace, line breaks and page numbers."""
    return re.sub(r"\s+", "", PAGE_NUMBER.sub("", text))


@pytest.fixture
def sample() -> Callable[[str, str], dict[str, Any]]:
    def load(form_id: str, profile_id: str) -> dict[str, Any]:
        for name in (f"{form_id}-{profile_id}.yaml", f"{form_id}.yaml"):
            path = SAMPLES_DIR / name
            if path.is_file():
                data = yaml.safe_load(path.read_text(encoding="utf-8"))
                assert isinstance(data, dict)
                return data
        raise FileNotFoundError(name)

    return load


@pytest.fixture
def cli() -> Callable[..., Any]:
    from cli import main

    runner = CliRunner()

    def invoke(*args: str | Path) -> Any:
        return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)

    return invoke


@pytest.fixture(scope="session")
def output_dir() -> Path:
    """Artifacts a reviewer may want to look at (test-output/, not committed)."""
    path = Path(__file__).resolve().parent.parent / "test-output"
    path.mkdir(exist_ok=True)
    return path
