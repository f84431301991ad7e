"""Word 97–2003 documents (.doc, and WPS .wps saved in the same binary format), and the RTF
or HTML that systems "export to Word" under a .doc name.

Schools still save many records as .doc. Where LibreOffice is installed (Debian
`libreoffice-writer-nogui`) the file is converted to DOCX in a private temporary folder and
read by the DOCX reader, so tables keep their grid, merged cells and multi-paragraph cells.
(antiword was tried first: it lost the row boundaries of some tables and split long cells
over several rows.) Without LibreOffice the file is an `error` asking for a .docx, as before.

LibreOffice parses an untrusted file here: it runs headless, with its own throwaway profile,
no network access asked of it, and a time limit.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from audit.readers.docx import read_docx
from audit.readers.model import ReadResult, error
from audit.readers.ocr import OcrLimits
from forms.sheets import sniff

TIMEOUT_SECONDS = 120


def read_word97(
    data: bytes, suffix: str, unreadable: str, ocr: OcrLimits | None = None
) -> ReadResult:
    """Read a .doc/.wps by converting it; `unreadable` is the message when that cannot be done.
    With `ocr`, pictures of paper pasted in it are read as a .docx's are."""
    if data[:4] == b"PK\x03\x04":  # a .docx under an old name
        return read_docx(data, ocr=ocr)
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None or not _convertible(data):
        return error(unreadable)
    with tempfile.TemporaryDirectory(prefix="baoxue-doc-") as folder:
        work = Path(folder)
        source = work / f"document{suffix}"
        source.write_bytes(data)
        try:
            subprocess.run(
                [
                    soffice,
                    "--headless",
                    "--norestore",
                    f"-env:UserInstallation={(work / 'profile').as_uri()}",
                    "--convert-to",
                    "docx:MS Word 2007 XML",
                    "--outdir",
                    str(work / "out"),
                    str(source),
                ],
                capture_output=True,
                timeout=TIMEOUT_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return error(f"{unreadable}（转换超时）")
        converted = work / "out" / "document.docx"
        if not converted.is_file():
            return error(f"{unreadable}（文件已损坏或加密，无法转换）")
        return read_docx(converted.read_bytes(), ocr=ocr)


def _convertible(data: bytes) -> bool:
    """Word 97 binary, RTF, or the HTML that web systems "export to Word" under a .doc name."""
    return data[:4] == b"\xd0\xcf\x11\xe0" or data[:5] == b"{\\rtf" or sniff(data) == "html"
