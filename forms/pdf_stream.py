"""A merged PDF written as the pages arrive, in bounded memory.

pypdf's PdfWriter keeps every page it was given (and, through its translation tables, the
readers they came from) until `write()`: ≈3 MB for every 100 pages, 600 MB for a
20,000-row roster. This writer uses pypdf to read each chunk and to serialise each object,
but writes every object to the file as soon as it is reached from a page, keeping only the
byte offsets, the page object numbers and one outline entry per document. The file layout
(header, object bodies, page tree, outlines, xref table, trailer) is PDF 1.7 § 7.5.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from pypdf import PageObject
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NullObject,
    NumberObject,
    PdfObject,
    StreamObject,
    TextStringObject,
)

_CATALOG, _PAGES, _OUTLINES, _INFO = 1, 2, 3, 4


def _ref(number: int) -> IndirectObject:
    return IndirectObject(number, 0, None)


@dataclass
class Outline:
    """A bookmark; `children` nest under it (shown closed unless `open`)."""

    title: str
    page: int  # object number of the page
    children: list[Outline] = field(default_factory=list)
    open: bool = False

    def count(self) -> int:
        """Entries shown when this one is open (PDF 1.7 § 12.3.3 /Count)."""
        return sum(1 + (c.count() if c.open else 0) for c in self.children)


class StreamingPdf:
    """Append pages of other PDFs (pypdf pages) to a file; `close()` finishes it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        # Written beside its name and renamed by close(): an interrupted batch leaves no
        # truncated PDF, and an earlier print file stays until the new one is whole.
        self._part = path.with_name(f".{path.name}.part")
        self._file: BinaryIO = self._part.open("wb")
        self._file.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        self._offsets: dict[int, int] = {}
        self._next = _INFO + 1
        self._pages: list[int] = []
        self._outline: list[Outline] = []
        self._streams: dict[bytes, int] = {}  # content hash → object number

    @property
    def page_count(self) -> int:
        return len(self._pages)

    # -- objects -----------------------------------------------------------------------
    def _new_id(self) -> int:
        number = self._next
        self._next += 1
        return number

    def _write(self, number: int, obj: PdfObject) -> None:
        self._offsets[number] = self._file.tell()
        self._file.write(f"{number} 0 obj\n".encode())
        obj.write_to_stream(self._file)
        self._file.write(b"\nendobj\n")

    def _translate(self, obj: Any, ids: dict[int, int], todo: list[tuple[int, Any]]) -> Any:
        """A copy of obj whose references point at this file's object numbers."""
        if isinstance(obj, IndirectObject):
            number = ids.get(obj.idnum)
            if number is None:
                key = self._stream_key(obj.get_object())
                number = self._streams.get(key) if key else None
                if number is None:
                    number = self._new_id()
                    todo.append((number, obj))
                    if key:
                        self._streams[key] = number
                ids[obj.idnum] = number
            return IndirectObject(number, 0, None)
        if isinstance(obj, StreamObject):
            copy = StreamObject()
            copy._data = obj._data  # the encoded bytes, as they are (with their /Filter)
            for key, value in obj.items():
                if key != "/Length":
                    copy[NameObject(key)] = self._translate(value, ids, todo)
            return copy
        if isinstance(obj, DictionaryObject):
            return DictionaryObject(
                {NameObject(k): self._translate(v, ids, todo) for k, v in obj.items()}
            )
        if isinstance(obj, ArrayObject):
            return ArrayObject(self._translate(v, ids, todo) for v in obj)
        return obj

    @staticmethod
    def _stream_key(obj: Any) -> bytes | None:
        """Identity of a self-contained stream (a font file): chunks that used the same
        glyphs of a font (titles, page numbers) share one copy of its subset."""
        if not isinstance(obj, StreamObject):
            return None
        if any(
            isinstance(v, IndirectObject | DictionaryObject | ArrayObject) for v in obj.values()
        ):
            return None
        head = repr(sorted((k, str(v)) for k, v in obj.items() if k != "/Length"))
        return hashlib.sha256(head.encode() + obj._data).digest()

    def _flush(self, ids: dict[int, int], todo: list[tuple[int, Any]]) -> None:
        while todo:
            number, ref = todo.pop()
            self._write(number, self._translate(ref.get_object(), ids, todo))

    # -- pages -------------------------------------------------------------------------
    def add_pages(self, pages: list[PageObject], ids: dict[int, int]) -> int:
        """Append pages of one reader; `ids` is that reader's object-number map (shared
        objects such as fonts are written once per reader). Returns the first page's index."""
        first = len(self._pages)
        for page in pages:
            todo: list[tuple[int, Any]] = []
            copy = DictionaryObject(
                {
                    NameObject(k): self._translate(v, ids, todo)
                    for k, v in page.items()
                    if k not in ("/Parent", "/Annots", "/StructParents")
                }
            )
            copy[NameObject("/Parent")] = IndirectObject(_PAGES, 0, None)
            number = self._new_id()
            self._write(number, copy)
            self._flush(ids, todo)
            self._pages.append(number)
        return first

    def add_blank_page(self, width: float, height: float) -> None:
        page = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Page"),
                NameObject("/Parent"): IndirectObject(_PAGES, 0, None),
                NameObject("/MediaBox"): ArrayObject(
                    [NumberObject(0), NumberObject(0), FloatObject(width), FloatObject(height)]
                ),
                NameObject("/Resources"): DictionaryObject(),
            }
        )
        number = self._new_id()
        self._write(number, page)
        self._pages.append(number)

    def add_outline(
        self, title: str, page_index: int, parent: Outline | None = None, open: bool = False
    ) -> Outline:
        """A bookmark to a page already added, at the top level or under `parent`."""
        entry = Outline(title, self._pages[page_index], open=open)
        (parent.children if parent else self._outline).append(entry)
        return entry

    def _write_outline(self, entries: list[Outline], parent: int) -> list[int]:
        numbers = [self._new_id() for _ in entries]
        for i, (number, entry) in enumerate(zip(numbers, entries, strict=True)):
            item = DictionaryObject(
                {
                    NameObject("/Title"): TextStringObject(entry.title),
                    NameObject("/Parent"): _ref(parent),
                    NameObject("/Dest"): ArrayObject(
                        [
                            _ref(entry.page),
                            NameObject("/XYZ"),
                            NullObject(),
                            NullObject(),
                            NullObject(),
                        ]
                    ),
                }
            )
            if i:
                item[NameObject("/Prev")] = _ref(numbers[i - 1])
            if i + 1 < len(numbers):
                item[NameObject("/Next")] = _ref(numbers[i + 1])
            if entry.children:
                kids = self._write_outline(entry.children, number)
                item[NameObject("/First")] = _ref(kids[0])
                item[NameObject("/Last")] = _ref(kids[-1])
                count = entry.count()
                item[NameObject("/Count")] = NumberObject(count if entry.open else -count)
            self._write(number, item)
        return numbers

    # -- finishing -----------------------------------------------------------------------
    def close(self, info: dict[str, str]) -> None:
        self._write(
            _PAGES,
            DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/Pages"),
                    NameObject("/Count"): NumberObject(len(self._pages)),
                    NameObject("/Kids"): ArrayObject(_ref(n) for n in self._pages),
                }
            ),
        )
        items = self._write_outline(self._outline, _OUTLINES)
        outlines = DictionaryObject({NameObject("/Type"): NameObject("/Outlines")})
        if items:
            outlines[NameObject("/First")] = _ref(items[0])
            outlines[NameObject("/Last")] = _ref(items[-1])
            top = sum(1 + (e.count() if e.open else 0) for e in self._outline)
            outlines[NameObject("/Count")] = NumberObject(top)
        self._write(_OUTLINES, outlines)
        self._write(
            _INFO,
            DictionaryObject({NameObject(k): TextStringObject(v) for k, v in info.items()}),
        )
        self._write(
            _CATALOG,
            DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/Catalog"),
                    NameObject("/Pages"): _ref(_PAGES),
                    NameObject("/Outlines"): _ref(_OUTLINES),
                    NameObject("/PageMode"): NameObject("/UseOutlines" if items else "/UseNone"),
                }
            ),
        )
        for number in range(1, self._next):  # numbered for a page that failed half-way
            if number not in self._offsets:
                self._write(number, NullObject())
        size = self._next
        xref = self._file.tell()
        lines = [f"xref\n0 {size}\n", "0000000000 65535 f \n"]
        lines += [f"{self._offsets[n]:010d} 00000 n \n" for n in range(1, size)]
        self._file.write("".join(lines).encode())
        file_id = hashlib.sha256(str(self._offsets).encode()).hexdigest()[:32]
        self._file.write(
            (
                f"trailer\n<< /Size {size} /Root {_CATALOG} 0 R /Info {_INFO} 0 R "
                f"/ID [<{file_id}> <{file_id}>] >>\nstartxref\n{xref}\n%%EOF\n"
            ).encode()
        )
        self._file.close()
        os.replace(self._part, self.path)

    def abort(self) -> None:
        self._file.close()
        self._part.unlink(missing_ok=True)
