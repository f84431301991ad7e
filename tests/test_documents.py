"""Every form × every profile that has it: both formats, same text, identity, one page."""

from __future__ import annotations

import io
from functools import cache
from typing import Any

import pdfplumber
import pytest
import yaml

from conftest import docx_text, pdf_text, squash
from forms.identity import read_identity
from forms.profiles import all_profiles, get_profile
from forms.registry import FORMS, get_form
from forms.render.document import render_record, validate_record
from forms.render.html import document_html, record_sha256, template_sha256
from forms.samples import profiles_with, sample_path

CASES = [(kind.id, p.id) for kind in FORMS.values() for p in profiles_with(kind.id)]


@cache
def rendered(form_id: str, profile_id: str) -> tuple[Any, dict[str, bytes]]:
    kind = get_form(form_id)
    path = sample_path(form_id, profile_id)
    assert path is not None, f"no sample for {form_id} / {profile_id}"
    record = validate_record(kind, yaml.safe_load(path.read_text(encoding="utf-8")))
    return record, render_record(kind, record, get_profile(profile_id), ("pdf", "docx"))


def test_every_profile_has_each_form_or_says_why_not() -> None:
    for profile in all_profiles():
        for form_id in FORMS:
            present = profile.documents.get(form_id) is not None
            absent = form_id in profile.absent_documents
            assert present != absent, f"{profile.id}: {form_id} present={present} absent={absent}"
            if absent:
                assert profile.absent_documents[form_id].source


def test_every_form_is_held_by_some_profile() -> None:
    assert all(profiles_with(form_id) for form_id in FORMS)


@pytest.mark.parametrize(("form_id", "profile_id"), CASES)
def test_docx_text_equals_pdf_text(form_id: str, profile_id: str) -> None:
    _, files = rendered(form_id, profile_id)
    assert squash(docx_text(files["docx"])) == squash(pdf_text(files["pdf"]))


@pytest.mark.parametrize(("form_id", "profile_id"), CASES)
def test_identity_in_both_formats(form_id: str, profile_id: str) -> None:
    record, files = rendered(form_id, profile_id)
    kind = get_form(form_id)
    for fmt in ("pdf", "docx"):
        identity = read_identity(files[fmt])
        assert identity is not None, fmt
        assert identity["form_id"] == form_id
        assert identity["profile"] == profile_id
        assert identity["record_sha256"] == record_sha256(record)
        assert identity["template_sha256"] == template_sha256(kind.template)
        assert identity["document_number"] == (getattr(record, "number", None) or "")


@pytest.mark.parametrize(("form_id", "profile_id"), CASES)
def test_one_page_forms_print_on_one_page(form_id: str, profile_id: str) -> None:
    _, files = rendered(form_id, profile_id)
    with pdfplumber.open(io.BytesIO(files["pdf"])) as pdf:
        pages = len(pdf.pages)
    if get_form(form_id).one_page:
        assert pages == 1
    else:
        assert pages >= 1


@pytest.mark.parametrize(("form_id", "profile_id"), CASES)
def test_title_comes_from_the_profile(form_id: str, profile_id: str) -> None:
    record, files = rendered(form_id, profile_id)
    profile = get_profile(profile_id)
    kind = get_form(form_id)
    doc = document_html(kind, record, profile)
    derived = kind.context(record, profile).get("title")
    # the printed title is the profile's, or one the form derives (a joint visit, a meeting)
    assert doc.title == (derived or profile.document(form_id).title.value)
    assert squash(doc.title) in squash(pdf_text(files["pdf"]))
