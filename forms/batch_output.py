"""Where a batch's documents go: the merged print PDF, individual files, a zip.

Chunks arrive in roster order. The merged PDF is assembled page by page with pypdf (a blank
page after a document with an odd page count when printing duplex, so the next starts on
an odd page) and carries an outline entry per document. Individual PDFs are cut out of the
chunk PDF rather than rendered again.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject

from forms.batch_render import ChunkResult, RenderedDoc
from forms.files import make_folder, write_output
from forms.identity import pdf_meta_tags
from forms.pdf_stream import StreamingPdf

_UNSAFE = re.compile(r"[\\/:*?\"<>|\x00-\x1f]+")


def _pdf_metadata(doc: RenderedDoc) -> dict[str, str]:
    meta = {
        "/Title": doc.title,
        "/Author": doc.issuer,
        "/Keywords": doc.meta.get("form_id", ""),
        "/Creator": "baoxue",
    }
    # The same identity entries a single render carries (forms.identity.read_identity).
    meta.update({"/" + key: value for key, value in pdf_meta_tags(doc.meta).items()})
    return meta


_DO = re.compile(rb"/([^\s/\[\]<>(){}%]+)\s+Do\b")


def _own_resources(page: PageObject) -> PageObject:
    """The page with only the images it draws.

    WeasyPrint gives every page of a document one shared resource dictionary, so a page
    cut out of a 100-document chunk would otherwise carry all 100 QR codes.
    """
    resources = page.get("/Resources")
    if resources is None:
        return page
    resources = resources.get_object()
    xobjects = resources.get("/XObject")
    contents = page.get_contents()
    if xobjects is None or contents is None:
        return page
    used = {name.decode("latin-1") for name in _DO.findall(contents.get_data())}
    own = DictionaryObject(resources)
    own[NameObject("/XObject")] = DictionaryObject(
        {k: v for k, v in xobjects.get_object().items() if k[1:] in used}
    )
    page[NameObject("/Resources")] = own
    return page


@dataclass
class Outputs:
    out_dir: Path
    formats: tuple[str, ...]
    merged: Path | None
    zip_path: Path | None
    duplex: bool
    width: int
    title: str
    files: list[Path] = field(default_factory=list)
    merged_pages: int = 0
    _writer: StreamingPdf | None = None
    _zip: zipfile.ZipFile | None = None
    _zip_part: Path | None = None
    _count: int = 0

    def __post_init__(self) -> None:
        if self.merged is not None:
            make_folder(self.merged.parent, "合并打印文件所在的文件夹")
            self._writer = StreamingPdf(self.merged)
        if self.zip_path is not None:
            # Written beside its name and renamed when complete: never a truncated zip.
            self._zip_part = self.zip_path.with_name(f".{self.zip_path.name}.part")
            self._zip = zipfile.ZipFile(self._zip_part, "w", zipfile.ZIP_DEFLATED)

    @property
    def merged_path(self) -> Path | None:
        return self.merged

    def file_name(self, doc: RenderedDoc, ext: str) -> str:
        name = _UNSAFE.sub("_", doc.name).strip(". ") or "无名"
        return f"{doc.n:0{self.width}d}-{name}.{ext}"

    def _put(self, name: str, data: bytes) -> None:
        if self._zip is not None:
            # Python sets the UTF-8 flag (bit 11) for a non-ASCII name, so 7-Zip, WinRAR
            # and Windows Explorer show 韦堃.pdf rather than mojibake.
            self._zip.writestr(name, data)
            return
        self.files.append(write_output(self.out_dir / name, data))

    def add(self, chunk: ChunkResult) -> None:
        reader = PdfReader(io.BytesIO(chunk.pdf)) if chunk.pdf else None
        ids: dict[int, int] = {}  # this chunk's objects → the merged file's numbers
        for doc in chunk.docs:
            self._count += 1
            if reader is not None and self._writer is not None:
                self._append_merged(reader, doc, ids)
            if reader is not None and "pdf" in self.formats:
                single = PdfWriter()
                for page in range(doc.first_page, doc.first_page + doc.pages):
                    single.add_page(_own_resources(reader.pages[page]))
                single.add_metadata(_pdf_metadata(doc))
                buffer = io.BytesIO()
                single.write(buffer)
                self._put(self.file_name(doc, "pdf"), buffer.getvalue())
            if doc.docx is not None:
                self._put(self.file_name(doc, "docx"), doc.docx)

    def _append_merged(self, reader: PdfReader, doc: RenderedDoc, ids: dict[int, int]) -> None:
        assert self._writer is not None
        pages = [reader.pages[p] for p in range(doc.first_page, doc.first_page + doc.pages)]
        start = self._writer.add_pages(pages, ids)
        self._writer.add_outline(f"{doc.n:0{self.width}d} {doc.name}".strip(), start)
        if self.duplex and doc.pages % 2:
            box = reader.pages[doc.first_page].mediabox
            self._writer.add_blank_page(float(box.width), float(box.height))

    def close(self, complete: bool = True) -> None:
        """Finish the zip and the merged PDF (removed when the batch was interrupted)."""
        if self._zip is not None:
            self._zip.close()
            self._zip = None
            assert self._zip_part is not None and self.zip_path is not None
            if complete:
                os.replace(self._zip_part, self.zip_path)
            else:
                self._zip_part.unlink(missing_ok=True)
        if self._writer is not None:
            if complete:
                self._writer.close(
                    {
                        "/Title": f"{self.title}（{self._count}份）",
                        "/Creator": "baoxue",
                        "/Keywords": "batch",
                    }
                )
                self.merged_pages = self._writer.page_count
            else:
                self._writer.abort()
        self._writer = None
