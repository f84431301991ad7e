"""Rendering one chunk of a batch: many records → one WeasyPrint HTML → one PDF.

Runs in the worker processes (or in-process for one worker). One HTML of many documents
is several times faster than one WeasyPrint call per document (DESIGN.md § Performance);
the page where each document starts is read from its anchor (`<article id="doc-N">`), so
the chunk can be split back into per-document PDFs and merged with blank pages for duplex.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from forms.batch_plan import Job, validate
from forms.errors import FieldError, RecordError
from forms.profiles import Profile, get_profile
from forms.registry import FormKind, get_form
from forms.render.html import DocumentHtml, document_html, page_html
from forms.viewcopy import mark, masked_model


@dataclass
class RenderedDoc:
    ordinal: int
    line: int
    n: int
    name: str
    number: str
    title: str
    issuer: str
    first_page: int  # 0-based page of the chunk PDF where the document starts
    pages: int
    meta: dict[str, str]
    docx: bytes | None = None


@dataclass
class ChunkResult:
    index: int
    pdf: bytes | None
    docs: list[RenderedDoc] = field(default_factory=list)
    failures: list[tuple[Job, list[FieldError]]] = field(default_factory=list)


@lru_cache(maxsize=8)
def _kind_profile(form_id: str, profile_id: str) -> tuple[FormKind, Profile]:
    return get_form(form_id), get_profile(profile_id)


def warm_up() -> None:
    """Worker initializer: load fonts once per process (one FontConfiguration each)."""
    from forms.render.pdf import font_configuration

    font_configuration()


def _pdf_with_starts(html: str, count: int) -> tuple[bytes, list[int]]:
    from weasyprint import HTML

    from forms.paths import ASSETS_DIR
    from forms.render.pdf import SafeFetcher, font_configuration

    fetcher = SafeFetcher()
    document = HTML(string=html, base_url=ASSETS_DIR.as_uri() + "/", url_fetcher=fetcher).render(
        font_config=font_configuration()
    )
    starts = [-1] * count
    for number, page in enumerate(document.pages):
        for anchor in page.anchors:
            if anchor.startswith("doc-"):
                index = int(anchor[4:])
                if index < count and starts[index] < 0:
                    starts[index] = number
    if fetcher.refused:
        raise RuntimeError("文书模板试图读取外部资源")
    pdf: bytes = document.write_pdf(uncompressed_pdf=False)
    starts.append(len(document.pages))
    return pdf, starts


def render_chunk(
    form_id: str,
    profile_id: str,
    index: int,
    jobs: list[Job],
    want_pdf: bool,
    want_docx: bool,
    viewing_copy: bool = False,
) -> ChunkResult:
    kind, profile = _kind_profile(form_id, profile_id)
    result = ChunkResult(index, None)
    good: list[tuple[Job, DocumentHtml]] = []
    for job in jobs:
        record, errors = validate(kind, job.data)
        if record is None:
            result.failures.append((job, errors))
            continue
        try:
            if viewing_copy:  # validated as it is, printed with its ID numbers masked
                good.append((job, mark(document_html(kind, masked_model(record), profile))))
            else:
                good.append((job, document_html(kind, record, profile)))
        except RecordError as exc:  # the form's profile rules (deadlines, tiers …)
            result.failures.append((job, exc.errors))
    if not good:
        return result
    docs = [doc for _, doc in good]
    starts = [0] * (len(good) + 1)
    if want_pdf:
        result.pdf, starts = _pdf_with_starts(page_html(docs), len(docs))
    for i, (job, doc) in enumerate(good):
        docx = None
        if want_docx:
            from forms.render.docx import html_to_docx

            docx = html_to_docx(page_html([doc]))
        result.docs.append(
            RenderedDoc(
                ordinal=job.ordinal,
                line=job.line,
                n=job.n,
                name=job.name,
                number=doc.number,
                title=doc.title,
                issuer=doc.issuer,
                first_page=starts[i],
                pages=starts[i + 1] - starts[i],
                meta=dict(doc.meta),
                docx=docx,
            )
        )
    return result


def render_chunk_args(args: tuple[Any, ...]) -> ChunkResult:
    return render_chunk(*args)
