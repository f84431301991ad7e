"""Pages the binder draws itself, with the project's renderer (WeasyPrint, forms/render, its fonts
and the GB/T 9704 page geometry): the cover and the 目录, one divider page per section (a “缺”
page when nothing proves it), and the pages of photos and plain-text files.

Several parts are laid out in one WeasyPrint document (one FontConfiguration per process,
DESIGN.md § Performance) and each part's pages are found by its anchor, so the assembly can take
them apart again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from weasyprint import HTML

from audit.binder.model import Group, Plan
from audit.binder.photos import PageImage
from audit.checklist import STATUS_NAMES
from forms.fonts import font_face_css
from forms.paths import ASSETS_DIR
from forms.render.html import environment
from forms.render.pdf import SafeFetcher, font_configuration

Spans = dict[str, tuple[int, int]]
PIECES = "pieces-"  # the name of a PDF holding the pages of several photos or texts


def page_range(first: int, last: int) -> str:
    """“5”, “5–9”, or nothing before numbers are known."""
    if not first:
        return ""
    return str(first) if last <= first else f"{first}–{last}"


def render_parts(html: str, target: Path | None) -> Spans:
    """Lay out `html` and write it to `target` (None: lay out only, to count pages); each part
    (an element with an id) → its pages [start, end)."""
    document = HTML(
        string=html, base_url=ASSETS_DIR.as_uri() + "/", url_fetcher=SafeFetcher()
    ).render(font_config=font_configuration())
    starts: dict[str, int] = {}
    for index, page in enumerate(document.pages):
        for anchor in page.anchors:
            starts.setdefault(anchor, index)
    if target is not None:
        document.write_pdf(target)
    ordered = sorted(starts.items(), key=lambda kv: kv[1])
    spans: Spans = {}
    for i, (anchor, start) in enumerate(ordered):
        end = ordered[i + 1][1] if i + 1 < len(ordered) else len(document.pages)
        if end <= start:  # each part begins a page; two on one page is a layout bug
            raise AssertionError(f"parts {anchor} and {ordered[i + 1][0]} share page {start}")
        spans[anchor] = (start, end)
    return spans


def _render(template: str, **values: Any) -> str:
    return (
        environment()
        .get_template(template)
        .render(font_css=font_face_css(), pages=page_range, S=STATUS_NAMES, **values)
    )


def front_html(plan: Plan) -> str:
    docs = plan.docs()
    return _render(
        "audit/binder/front.html",
        p=plan,
        r=plan.result,
        docs=len(docs),
        total=plan.total_pages,
        failed=sum(1 for d in docs if d.failure),
    )


def dividers_html(plan: Plan) -> str:
    first_of: dict[str, Group] = {g.sections[0].id: g for g in plan.groups if g.sections}
    return _render(
        "audit/binder/dividers.html", p=plan, sections=plan.sections(), first_of=first_of
    )


@dataclass
class Piece:
    """A photo (one page a frame) or a text file, to be laid out among others."""

    id: str
    name: str
    caption: str = ""
    images: list[PageImage] = field(default_factory=list)
    text: str | None = None


def pieces_html(pieces: list[Piece]) -> str:
    return _render("audit/binder/pieces.html", title="迎检资料", pieces=pieces)
