"""DOCX: paragraphs and tables of the body in document order, as Word shows and prints them.

Tables are walked in the XML so merged cells are seen once: a horizontal span (gridSpan) keeps
its text in the first grid column, a vertical span (vMerge) repeats the text downwards. Rows
and cells are read through content controls and w:customXml; a deleted row (w:trPr/w:del) or
cell (w:cellDel) is not read. A table nested in a cell is read as part of that cell's text.
What a run shows — tracked changes, hidden text, fields, symbols — is audit/readers/docx_text.py.

Only the main document part is parsed, found as python-docx finds it (the package's
officeDocument relationship, a Word main document by its content type): `docx.Document` parsed
every part of the package — styles, numbering, settings, theme, fonts — of which the body
reads none (issue 10: 30 DOCX of the fixture school 0.14 s, now 0.005 s). Other parts are read
only when the body needs them: styles.xml when a paragraph or run names a style and the part
mentions vanish (cached by the part's CRC: a school's documents share a template), the
footnotes and endnotes when the body refers to one, an altChunk's part where it stands.

Text boxes are read after the paragraph they are anchored in; footnotes and endnotes at the
end of the document, in the order of their references (they print at the foot of the page or
at the end). Page headers and footers are not read: they repeat the school's name, a file
number or a page number on every page and hold no record. An altChunk (a document, web page
or text embedded whole) is read in place; one in another format (RTF, MHT) is `Unseen`.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from audit.readers.docx_text import (
    NO_STYLES,
    SPECIAL,
    WHITE,
    Reader,
    Styles,
    block_children,
    on,
    parse_styles,
)
from audit.readers.model import Block, Item, ReadResult, Table, Unseen, clean, error, note_unseen
from audit.readers.ocr import OcrLimits
from audit.readers.pictures import read_pictures

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_OFFICE_DOCUMENT = _REL + "officeDocument"
# a Word main document: a .docx, or a macro-enabled .docm (its macros are never run or read)
_WORD_MAIN = {  # a document, and a template (.dotx/.dotm) saved with its records filled in
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "application/vnd.ms-word.document.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
}
# python-docx's parser options: blank text between elements dropped, no entities resolved
_BLIP = "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"
_IMAGEDATA = "{urn:schemas-microsoft-com:vml}imagedata"
MAX_PICTURES = 200  # pictures of one document looked at; OCR's own page budget applies too
_PARSER = etree.XMLParser(remove_blank_text=True, resolve_entities=False)
MAX_CHUNK_DEPTH = 2  # a document embedded in a document embedded in the document, no deeper
_STYLE_CACHE: dict[tuple[int, int, bool], Styles] = {}
_STYLE_CACHE_SIZE = 64


class NotWord(ValueError):
    """A zip that is not a Word document (no main document part, or not a Word one)."""


def read_docx(data: bytes, depth: int = 0, ocr: OcrLimits | None = None) -> ReadResult:
    """The document's final view; with `ocr`, the pictures of paper pasted in it too."""
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return error("DOCX 文件已损坏或不是 Word 文档，无法打开")
    with package:
        try:
            document = _Document.open(package, depth)
            result = ReadResult()
            result.items = document.items()
            if ocr is not None:
                read_pictures(document.pictures(), result, ocr)
        except (zipfile.BadZipFile, KeyError, ValueError):
            return error("DOCX 文件已损坏或不是 Word 文档，无法打开")
        except Exception as exc:  # lxml syntax errors and the like: a corrupt part
            return error(f"DOCX 文件已损坏，无法读取（{type(exc).__name__}）")
    result.unseen = document.reader.unseen
    note_unseen(result)
    return result


@dataclass
class _Document:
    package: zipfile.ZipFile
    part: str  # "/word/document.xml"
    root: Any
    depth: int
    reader: Reader = field(default_factory=Reader)
    _rels: dict[str, tuple[str, str]] | None = None  # id → (type, target part)

    @classmethod
    def open(cls, package: zipfile.ZipFile, depth: int) -> _Document:
        rels = etree.fromstring(package.read("_rels/.rels"), _PARSER)
        targets = [
            r.get("Target", "")
            for r in rels.iterchildren(_RELS + "Relationship")
            if r.get("Type") == _OFFICE_DOCUMENT and r.get("TargetMode") != "External"
        ]
        if len(targets) != 1:
            raise NotWord(f"{len(targets)} main document parts")
        part = posixpath.normpath(posixpath.join("/", targets[0]))
        if _content_type(package, part) not in _WORD_MAIN:
            raise NotWord(f"{part} is not a Word main document")
        raw = package.read(part[1:])
        document = cls(package, part, etree.fromstring(raw, _PARSER), depth)
        whitened = WHITE.search(raw) is not None and not _page_colour(document.root)
        if b"Style " in raw or b"Style>" in raw:  # w:pStyle / w:rStyle: a style may hide text
            document.reader.styles = document._styles(whitened)
        styles = document.reader.styles
        styled = bool(styles.vanish) or styles.default
        document.reader.white_text = whitened
        document.reader.plain = not styled and not whitened and SPECIAL.search(raw) is None
        return document

    def items(self) -> list[Item]:
        body = self.root.find(W + "body")
        if body is None:
            return []
        items = list(self._blocks(body))
        if self.reader.notes:
            items += self._notes()
        return items

    # ------------------------------------------------------------------ blocks

    def _blocks(self, parent: Any) -> Iterator[Item]:
        pending = ""  # paragraphs whose mark is deleted or hidden run on into the next one
        after_table = False  # nothing but empty paragraphs since the last table
        for child in block_children(parent):
            tag = child.tag
            if tag == W + "p":
                para = self.reader.paragraph(child)
                if para.joined:
                    pending += para.text
                else:
                    text, pending = clean(pending + para.text), ""
                    if text:
                        after_table = after_table and _CONTINUED.fullmatch(text) is not None
                        yield Block(text)
                for box in para.boxes:
                    after_table = False
                    if isinstance(box, str):
                        if clean(box):
                            yield Block(clean(box))
                    else:
                        yield from self._blocks(box)
                continue
            if pending.strip():
                after_table = False
                yield Block(clean(pending))
            pending = ""
            if tag == W + "tbl":
                rows = self._table_rows(child)
                if rows:
                    yield Table(rows=rows, follows=after_table)
                    after_table = True
            elif tag == W + "altChunk":
                yield from self._chunk(child)
        if pending.strip():
            yield Block(clean(pending))

    def _cell_text(self, tc: Any) -> str:
        parts: list[str] = []
        for item in self._blocks(tc):
            if isinstance(item, Block):
                parts.append(item.text)
            else:
                # a nested table: its cells and rows kept apart (a name, then its body)
                parts.append("；".join("，".join(c for c in row if c) for row in item.rows))
        return clean(" ".join(p for p in parts if p))

    def _table_rows(self, tbl: Any) -> list[list[str]]:
        rows: list[list[str]] = []
        above: dict[int, str] = {}  # grid column → text of the cell that started a vertical span
        for tr in _children(tbl, W + "tr"):
            props = tr.find(W + "trPr")
            if props is not None and props.find(W + "del") is not None:
                continue  # a deleted row
            row: list[str] = []
            skip = props.find(W + "gridBefore") if props is not None else None
            if skip is not None:
                row.extend([""] * int(skip.get(W + "val", "0")))
            for tc in _children(tr, W + "tc"):
                tcpr = tc.find(W + "tcPr")
                span = 1
                vmerge: str | None = None
                if tcpr is not None:
                    if tcpr.find(W + "cellDel") is not None:
                        continue
                    grid = tcpr.find(W + "gridSpan")
                    if grid is not None:
                        span = int(grid.get(W + "val", "1"))
                    merge = tcpr.find(W + "vMerge")
                    if merge is not None:
                        vmerge = merge.get(W + "val", "continue")
                col = len(row)
                if vmerge == "continue":
                    text = above.get(col, "")
                else:
                    text = self._cell_text(tc)
                    if vmerge == "restart":
                        above[col] = text
                    else:
                        above.pop(col, None)
                row.append(text)
                row.extend([""] * (span - 1))
            if any(row):
                rows.append(row)
        return rows

    # ------------------------------------------------------------------ other parts

    def pictures(self) -> list[bytes]:
        """The body's pictures in document order, each once (a picture is held twice in
        mc:AlternateContent: DrawingML and its VML fallback)."""
        rels = self._relationships()
        seen: list[str] = []
        for element in self.root.iter(_BLIP, _IMAGEDATA):
            rel = element.get(R + "embed") or element.get(R + "id") or ""
            kind, target = rels.get(rel, ("", ""))
            if kind == _REL + "image" and target not in seen:
                seen.append(target)
        found = []
        for target in seen[:MAX_PICTURES]:
            try:
                found.append(self.package.read(target.lstrip("/")))
            except KeyError:
                continue
        return found

    def _relationships(self) -> dict[str, tuple[str, str]]:
        if self._rels is None:
            folder, name = posixpath.split(self.part)
            self._rels = {}
            try:
                raw = self.package.read(f"{folder[1:]}/_rels/{name}.rels".lstrip("/"))
            except KeyError:
                return self._rels
            for rel in etree.fromstring(raw, _PARSER).iterchildren(_RELS + "Relationship"):
                if rel.get("TargetMode") == "External":
                    continue
                target = posixpath.normpath(posixpath.join(folder, rel.get("Target", "")))
                self._rels[rel.get("Id", "")] = (rel.get("Type", ""), target)
        return self._rels

    def _part_of_type(self, kind: str) -> str | None:
        return next((t for k, t in self._relationships().values() if k == _REL + kind), None)

    def _styles(self, shading: bool = False) -> Styles:
        """The styles that hide text — and, when some text is white (`shading`), those that
        colour what lies beneath theirs."""
        part = self._part_of_type("styles")
        if part is None:
            return NO_STYLES
        try:
            info = self.package.getinfo(part[1:])
        except KeyError:
            return NO_STYLES
        key = (info.CRC, info.file_size, shading)
        if key not in _STYLE_CACHE:
            raw = self.package.read(info)
            wanted = b"anish" in raw or (shading and b"shd" in raw)
            styles = parse_styles(raw, _PARSER) if wanted else NO_STYLES
            if len(_STYLE_CACHE) >= _STYLE_CACHE_SIZE:
                _STYLE_CACHE.pop(next(iter(_STYLE_CACHE)))
            _STYLE_CACHE[key] = styles
        return _STYLE_CACHE[key]

    def _notes(self) -> list[Item]:
        """Footnotes and endnotes in the order the body refers to them."""
        found: dict[str, dict[str, Any]] = {}
        items: list[Item] = []
        done: set[tuple[str, str]] = set()
        notes = self.reader.notes
        index = 0
        while index < len(notes):  # a note may refer to another note
            kind, number = notes[index]
            index += 1
            if (kind, number) in done:
                continue
            done.add((kind, number))
            if kind not in found:
                found[kind] = {}
                part = self._part_of_type(kind + "s")
                if part is not None and part[1:] in self.package.namelist():
                    root = etree.fromstring(self.package.read(part[1:]), _PARSER)
                    found[kind] = {n.get(W + "id", ""): n for n in root.iterchildren(W + kind)}
            note = found[kind].get(number)
            if note is not None and note.get(W + "type") in (None, "normal"):
                items.extend(self._blocks(note))
        return items

    def _chunk(self, chunk: Any) -> Iterator[Item]:
        """An altChunk: a document, web page or text embedded whole, shown where it stands."""
        found = self._relationships().get(chunk.get(R + "id", ""))
        if found is None:
            return
        part = found[1]
        try:
            data = self.package.read(part[1:])
            kind = _content_type(self.package, part)
        except KeyError:
            return
        extension = posixpath.splitext(part)[1].lower()
        if (kind in _WORD_MAIN or extension in {".docx", ".docm"}) and data[:2] == b"PK":
            if self.depth < MAX_CHUNK_DEPTH:
                inner = read_docx(data, self.depth + 1)
                self.reader.unseen.extend(inner.unseen)
                yield from inner.items
                return
        elif "html" in kind or extension in {".htm", ".html", ".xhtml"}:
            yield from html_items(data)
            return
        elif kind.startswith("text/plain") or extension == ".txt":
            from audit.readers.sheet import decode_text

            for line in decode_text(data).splitlines():
                if line.strip():
                    yield Block(clean(line))
            return
        self.reader.unseen.append(Unseen("嵌入内容（未能读取的格式）", posixpath.basename(part)))


# A line between two parts of a split table saying the second continues the first.
_CONTINUED = re.compile(r"[（(]?\s*(?:续表|续上表|接上表|续)\s*[\d一二三四五六七八九十]*\s*[)）]?")


def _page_colour(root: Any) -> bool:
    """Whether the document sets a page colour other than white (Word shows it on screen)."""
    background = root.find(W + "background")
    return background is not None and background.get(W + "color", "FFFFFF").upper() not in {
        "FFFFFF",
        "AUTO",
    }


def _children(parent: Any, tag: str) -> Iterator[Any]:
    """`tag` children of a table or row, through content controls and w:customXml."""
    for child in parent.iterchildren():
        if child.tag == tag:
            yield child
        elif child.tag == W + "sdt":
            props = child.find(W + "sdtPr")
            if props is not None and on(props.find(W + "showingPlcHdr")):
                continue
            content = child.find(W + "sdtContent")
            if content is not None:
                yield from _children(content, tag)
        elif child.tag == W + "customXml":
            yield from _children(child, tag)


def _content_type(package: zipfile.ZipFile, part: str) -> str:
    """A part's content type from [Content_Types].xml: its override, else its extension's."""
    types = etree.fromstring(package.read("[Content_Types].xml"), _PARSER)
    for override in types.iterchildren(_TYPES + "Override"):
        if override.get("PartName", "").lower() == part.lower():
            return str(override.get("ContentType", ""))
    extension = posixpath.splitext(part)[1][1:].lower()
    for default in types.iterchildren(_TYPES + "Default"):
        if default.get("Extension", "").lower() == extension:
            return str(default.get("ContentType", ""))
    raise KeyError(part)


def html_items(data: bytes) -> Iterator[Item]:
    """A web page's text blocks and tables in order (an altChunk of HTML)."""
    import tinyhtml5

    from forms.sheets import decode_markup, html_table

    root = tinyhtml5.parse(decode_markup(data))
    xhtml = "{http://www.w3.org/1999/xhtml}"
    blocks = {xhtml + t for t in ("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "td")}

    def walk(element: Any) -> Iterator[Item]:
        for child in element:
            if child.tag == xhtml + "table":
                rows = [[clean(str(c)) if c else "" for c in r] for r in html_table(child).rows]
                width = max((len(r) for r in rows), default=0)
                rows = [r + [""] * (width - len(r)) for r in rows if any(r)]
                if rows:
                    yield Table(rows=rows)
            elif child.tag in (xhtml + "script", xhtml + "style", xhtml + "head"):
                continue
            elif child.tag in blocks and not any(
                d is not child and (d.tag in blocks or d.tag == xhtml + "table")
                for d in child.iter()
            ):
                text = clean("".join(child.itertext()))
                if text:
                    yield Block(text)
            else:
                yield from walk(child)

    yield from walk(root)
