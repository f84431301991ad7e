"""Jinja environment and the HTML of a document: the single source of both formats."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from forms.dates import cn_date
from forms.fonts import font_face_css
from forms.idcard import mask
from forms.identity import pdf_meta_tags, qr_data_uri
from forms.layout import GBT9704
from forms.models import Record
from forms.paths import TEMPLATES_DIR
from forms.profiles import Profile
from forms.registry import FormKind


def _sentence(value: str | None) -> str:
    """A clerk's phrase as a sentence: add 。 unless it already ends with punctuation."""
    text = (value or "").strip()
    return text if not text or text[-1] in '。！？；：….!?;:）)”"' else text + "。"


def _cn_date(value: date | None) -> str:
    return cn_date(value) if value else ""


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        # .css is included inside <style>; its text is ours, never a user's value.
        autoescape=select_autoescape(enabled_extensions=("html", "htm", "xml"), default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["cn_date"] = _cn_date
    env.filters["sentence"] = _sentence
    env.filters["mask_id"] = lambda v: mask(v) if v else ""
    env.globals["L"] = GBT9704
    return env


_USES = re.compile(r"""{%-?\s*(?:from|import|include|extends)\s+["']([^"']+)["']""")


def _template_sources(name: str, seen: set[str]) -> list[str]:
    """The template's source and, in order, those of the templates it imports."""
    if name in seen:
        return []
    seen.add(name)
    source, _, _ = environment().loader.get_source(environment(), name)  # type: ignore[union-attr]
    out = [source]
    for used in _USES.findall(source):
        out += _template_sources(used, seen)
    return out


def template_sha256(name: str) -> str:
    """sha256 of the template with its macros: a change to either changes the identity."""
    sources = _template_sources(name, set())
    data = sources[0] if len(sources) == 1 else "\0".join(sources)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def record_sha256(record: Record) -> str:
    return hashlib.sha256(record.model_dump_json().encode("utf-8")).hexdigest()


@dataclass
class DocumentHtml:
    """One document's body HTML plus what identifies it."""

    form_id: str
    title: str
    issuer: str
    number: str
    body: str
    meta: dict[str, str] = field(default_factory=dict)
    qr: str = ""  # data: URI of the QR code printed in the first page's bottom margin


def _township(record: Record) -> str | None:
    school = getattr(record, "school", None)
    return getattr(school, "township", None)


def document_html(kind: FormKind, record: Record, profile: Profile) -> DocumentHtml:
    spec = profile.wording(kind.id, _township(record))
    context: dict[str, Any] = {"r": record, "spec": spec, "profile": profile}
    context.update(kind.context(record, profile))
    body = environment().get_template(kind.template).render(**context)
    issuer = context.get("issuer") or getattr(getattr(record, kind.issuer_key, None), "name", "")
    number = str(getattr(record, "number", "") or "")
    meta = {
        "form_id": kind.id,
        "template_version": kind.version,
        "template_sha256": template_sha256(kind.template),
        "record_sha256": record_sha256(record),
        "document_number": number,
        "profile": profile.id,
    }
    title = str(context.get("title") or spec.get("title", kind.name))
    return DocumentHtml(kind.id, title, str(issuer or ""), number, body, meta, qr_data_uri(meta))


def page_html(documents: list[DocumentHtml], duplex: bool = False) -> str:
    """A whole HTML page of one or more documents (a batch prints as one HTML)."""
    first = documents[0]
    doc = {
        "title": first.title if len(documents) == 1 else f"{first.title}（{len(documents)}份）",
        "issuer": first.issuer,
        "form_id": first.form_id,
        "version": first.meta.get("template_version", ""),
    }
    pages = [{"form_id": d.form_id, "body": d.body, "qr": d.qr} for d in documents]
    # The file's identity (PDF info / DOCX custom properties) is that of its document;
    # a file of many documents carries each one's QR code but no single identity.
    identity = pdf_meta_tags(first.meta) if len(documents) == 1 and first.meta else {}
    return (
        environment()
        .get_template("base.html")
        .render(doc=doc, pages=pages, duplex=duplex, font_css=font_face_css(), identity=identity)
    )


def document_files(doc: DocumentHtml, formats: tuple[str, ...]) -> dict[str, bytes]:
    """One document's page in each asked format (html, pdf, docx); every format carries the
    same text. PDF and DOCX writers are imported only when asked for."""
    html = page_html([doc])
    out: dict[str, bytes] = {}
    if "html" in formats:
        out["html"] = html.encode("utf-8")
    if "pdf" in formats:
        from forms.render.pdf import html_to_pdf

        out["pdf"] = html_to_pdf(html)
    if "docx" in formats:
        from forms.render.docx import html_to_docx

        out["docx"] = html_to_docx(html)
    return out
