"""Conversion: each file of the package to the pages a person would print.

- PDF: as it is (a scan stays a scan); an encrypted one that opens without a password too;
- DOCX, DOC, WPS, RTF, XLSX, XLS, ODF (flat XML too), their templates: printed by LibreOffice
  (office.py), batched, a time limit a file, several workers where a core is free; CSV (and
  text saved as .xls) becomes a workbook of text cells first, so a 身份证号 prints as written,
  not as 4.5E+17;
- photos: a page each, captioned (photos.py); TXT: its text on pages;
- anything else, or a file that is damaged: no pages, the reason kept for the 目录, the file
  itself still goes into the zip.

The package is read again one member at a time (audit/package.py) and every member the binder
holds is written to the work folder, so memory holds one file at a time.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import threading
import zipfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from pypdf import PdfReader

from audit.binder.model import BinderError, Doc
from audit.binder.office import OfficeJob, convert_office
from audit.binder.pages import PIECES, Piece, pieces_html, render_parts
from audit.binder.photos import PhotoError, photo_pages
from audit.package import PackageError, iter_package, litter_reason
from audit.readers import IMAGE_SUFFIXES
from audit.readers.sheet import decode_text
from audit.readers.soffice import flat_opendocument
from forms.sheets import OLE2_MAGIC, sniff

WORD = {".docx", ".docm", ".doc", ".dot", ".dotx", ".dotm", ".wps", ".rtf", ".odt", ".fodt"}
SHEETS = {".xlsx", ".xlsm", ".xltx", ".xltm", ".xls", ".et", ".ods", ".fods"}
CSV = {".csv", ".tsv"}
TEXT = {".txt", ".md", ".log"}
TEXT_LIMIT = 300_000  # characters of a text file laid out; the whole file is in the zip
PIECES_PER_RENDER = 12

log = logging.getLogger(__name__)

# progress(done, total) over the documents converted
Progress = Callable[[int, int], None]


def suffix_of(path: str) -> str:
    return PurePosixPath(path).suffix.lower()


def stage(package: Path, work: Path) -> dict[str, Doc]:
    """Every file of the package (litter aside) copied to the work folder, one member at a
    time: path → Doc with its `source`, or with the reason it has no bytes."""
    folder = work / "src"
    folder.mkdir(parents=True, exist_ok=True)
    docs: dict[str, Doc] = {}
    try:
        for n, member in enumerate(iter_package(package), start=1):
            if litter_reason(member.path) is not None:
                continue
            doc = docs[member.path] = Doc(member.path)
            if member.data is None:
                doc.failure = member.reason or "无法读取"
                continue
            suffix = suffix_of(member.path)
            safe = suffix if re.fullmatch(r"\.[a-z0-9]{1,8}", suffix) else ""
            target = folder / f"f{n:05d}{safe}"
            target.write_bytes(member.data)
            doc.source = target
    except PackageError as exc:
        raise BinderError(str(exc)) from None
    return docs


def pdf_pages(path: Path) -> tuple[int, str | None]:
    """How many pages a PDF has, or why it cannot go into the binder."""
    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted and not _opens(reader):
            return 0, "PDF 已加密（需要密码才能打开），未能编入"
        count = len(reader.pages)
    except Exception as exc:  # a damaged PDF: pypdf raises many kinds
        return 0, f"PDF 已损坏，无法读取（{type(exc).__name__}）"
    if count == 0:
        return 0, "PDF 没有页面"
    return count, None


def _opens(reader: PdfReader) -> bool:
    try:
        return bool(reader.decrypt(""))
    except Exception:
        return False


def _office_check(data: bytes, suffix: str) -> str | None:
    """Why LibreOffice should not be given these bytes (None: give them)."""
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                zf.infolist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return "文件已损坏（不完整或不是 Office 文件），无法转换"
        return None
    if data.startswith(OLE2_MAGIC[:4]) or data.startswith(b"{\\rtf"):
        return None
    if sniff(data) in ("html", "spreadsheetml") or flat_opendocument(data):
        return None
    return "文件已损坏或不是 Office 文件，无法转换"


def csv_workbook(data: bytes, target: Path) -> None:
    """A CSV (or tab-separated text saved as .xls) as a workbook of text cells."""
    text = decode_text(data)
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:4096], ",\t;，")
    except csv.Error:
        dialect = csv.excel
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Sheet1")
    for row in csv.reader(io.StringIO(text), dialect):
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", cell) for cell in row])
    book.save(target)


class Converter:
    def __init__(
        self,
        docs: list[Doc],
        work: Path,
        *,
        workers: int = 1,
        seconds: float = 60.0,
        progress: Progress | None = None,
    ) -> None:
        self.docs = docs
        self.work = work
        self.out = work / "pdf"
        self.out.mkdir(parents=True, exist_ok=True)
        self.workers = workers
        self.seconds = seconds
        self.progress = progress
        self.total = len(docs)
        self.done = 0
        self.office: list[tuple[Doc, OfficeJob]] = []
        self.lock = threading.Lock()
        self.cancel = threading.Event()  # set: stop, LibreOffice killed

    def _tick(self) -> None:
        with self.lock:
            self.done += 1

    def _report(self) -> None:
        if self.progress:
            with self.lock:
                done = self.done
            self.progress(done, self.total)

    def run(self) -> None:
        """Convert every document: LibreOffice starts first, in worker threads, while this
        thread places the photos and texts on pages; progress is reported from here only."""
        own = [doc for doc in self.docs if self._sort(doc)]
        later = [own[i : i + PIECES_PER_RENDER] for i in range(0, len(own), PIECES_PER_RENDER)]
        jobs = {id(job): doc for doc, job in self.office}

        def finished(job: OfficeJob) -> None:
            doc = jobs[id(job)]
            if job.failure:
                doc.failure = job.failure
            else:
                self._take_pdf(doc, job.target)
            self._tick()

        office = threading.Thread(
            target=convert_office,
            args=([job for _, job in self.office], self.work),
            kwargs={
                "workers": self.workers,
                "seconds": self.seconds,
                "done": finished,
                "cancel": self.cancel,
            },
            name="binder-office",
        )
        office.start()
        try:
            self._report()
            for batch in later:
                if self.cancel.is_set():
                    break
                pieces = [(doc, piece) for doc in batch if (piece := self._piece(doc))]
                if pieces:
                    self._render(pieces)
                self._report()
        finally:
            while office.is_alive():
                office.join(0.5)
                self._report()
        self._report()

    def _take_pdf(self, doc: Doc, path: Path) -> None:
        count, failure = pdf_pages(path)
        if failure:
            doc.failure = failure
            return
        doc.pdf, doc.span = path, (0, count)

    def _sort(self, doc: Doc) -> bool:
        """Convert a PDF at once, queue an office file, say why a file cannot be converted;
        True for a photo or text, laid out later (`_piece`)."""
        if doc.failure is not None or doc.source is None:
            self._tick()
            return False
        suffix = suffix_of(doc.path)
        with doc.source.open("rb") as fh:
            head = fh.read(8192)
        if suffix == ".pdf" or head.startswith(b"%PDF-"):
            self._take_pdf(doc, doc.source)
            self._tick()
            return False
        if suffix in IMAGE_SUFFIXES or suffix in TEXT:
            return True
        if suffix in CSV or (
            suffix in SHEETS and sniff(head) == "text" and not flat_opendocument(head)
        ):
            book = self.out / f"{doc.source.stem}-csv.xlsx"
            try:
                csv_workbook(doc.source.read_bytes(), book)
            except (csv.Error, ValueError) as exc:  # a field over csv's limit, a bad character
                doc.failure = f"表格文本无法读取（{type(exc).__name__}）"
                self._tick()
                return False
            self._queue(doc, book)
            return False
        if suffix in WORD | SHEETS:
            why = _office_check(doc.source.read_bytes(), suffix)
            if why is None:
                self._queue(doc, doc.source)
                return False
            doc.failure = why
        else:
            doc.failure = f"不支持转换为 PDF 的文件类型“{suffix or '无扩展名'}”"
        self._tick()
        return False

    def _piece(self, doc: Doc) -> Piece | None:
        """A photo or a text file as a piece to lay out (None: why not is in doc.failure)."""
        assert doc.source is not None
        suffix = suffix_of(doc.path)
        data = doc.source.read_bytes()
        if suffix in IMAGE_SUFFIXES:
            try:
                images, when = photo_pages(data, suffix)
            except PhotoError as exc:
                doc.failure = str(exc)
                self._tick()
                return None
            doc.note = when
            return Piece(id=f"x{id(doc)}", name=doc.name, caption=when, images=images)
        text = decode_text(data)
        if len(text) > TEXT_LIMIT:
            text = text[:TEXT_LIMIT]
            doc.note = f"（仅编入前 {TEXT_LIMIT} 字，全文见压缩包）"
        return Piece(id=f"x{id(doc)}", name=doc.name, caption=doc.note, text=text)

    def _queue(self, doc: Doc, source: Path) -> None:
        target = self.out / f"{source.stem}.pdf"
        self.office.append((doc, OfficeJob(source=source, target=target)))

    def _render(self, batch: list[tuple[Doc, Piece]]) -> None:
        """Lay out several pieces in one document; should that fail, each on its own, and a
        piece that cannot be laid out is listed with the reason."""
        target = self.out / f"{PIECES}{batch[0][1].id}.pdf"
        try:
            spans = render_parts(pieces_html([p for _, p in batch]), target)
        except Exception:
            if len(batch) > 1:
                for one in batch:
                    self._render([one])
                return
            log.warning("could not lay out %s", batch[0][0].path, exc_info=True)
            batch[0][0].failure = "无法排版到页面上（文件内容异常）"
            self._tick()
            return
        for doc, piece in batch:
            doc.pdf, doc.span = target, spans[piece.id]
            self._tick()
