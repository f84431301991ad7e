"""Word-processor files other than DOCX: Word 97–2003 (.doc, and WPS .wps saved in the same
binary format), RTF, OpenDocument text (.odt, flat .fodt), and the RTF or HTML that systems
"export to Word" under a .doc name.

Schools still save many records as .doc, and WPS or LibreOffice users as .odt. Where
LibreOffice is installed (Debian `libreoffice-writer-nogui`) the file is converted to DOCX
(audit/readers/soffice.py) and read by the DOCX reader, so tables keep their grid, merged cells
and multi-paragraph cells. (antiword was tried first for .doc: it lost the row boundaries of
some tables and split long cells over several rows.) Without LibreOffice the file is an
`error` saying what to save it as.
"""

from __future__ import annotations

from audit.readers.docx import read_docx
from audit.readers.model import ReadResult
from audit.readers.ocr import OcrLimits
from audit.readers.soffice import ooxml, read_converted


def read_writer(
    data: bytes, suffix: str, unreadable: str, ocr: OcrLimits | None = None
) -> ReadResult:
    """Read a .doc/.wps/.rtf/.odt/.fodt by converting it; `unreadable` is the message when that
    cannot be done. With `ocr`, pictures of paper pasted in it are read as a .docx's are."""
    if ooxml(data):  # a .docx under another name
        return read_docx(data, ocr=ocr)
    return read_converted(data, suffix, "docx", unreadable, lambda docx: read_docx(docx, ocr=ocr))
