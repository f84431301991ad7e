"""Files baoxue reads once headless LibreOffice has saved them as DOCX or XLSX: Word 97 and
WPS documents, RTF, OpenDocument text and spreadsheets (audit/readers/writer.py, calc.py).

Converting keeps one reader per kind of content: the DOCX reader's tables (grid, merged cells,
multi-paragraph cells) and the XLSX reader's sheets, dates and hidden rows serve every format.

LibreOffice parses an untrusted file here: it runs headless, with its own throwaway profile
in a private temporary folder, no network access asked of it, stdin closed, in a new session
killed as a whole (soffice starts oosplash, which starts soffice.bin) at the time limit.
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from audit.readers.model import ReadResult, error
from forms.sheets import OLE2_MAGIC, sniff

TIMEOUT_SECONDS = 120
FILTERS = {"docx": "docx:MS Word 2007 XML", "xlsx": "xlsx:Calc MS Excel 2007 XML"}
DAMAGED = "（文件已损坏或加密，无法转换）"


def read_converted(
    data: bytes,
    suffix: str,
    target: Literal["docx", "xlsx"],
    unreadable: str,
    read: Callable[[bytes], ReadResult],
) -> ReadResult:
    """`data` converted to `target` and given to `read`; an `error` starting with `unreadable`
    (what to save the file as) when LibreOffice is missing or cannot convert it."""
    program = shutil.which("soffice") or shutil.which("libreoffice")
    if not convertible(data):
        return error(f"{unreadable}{DAMAGED}")
    if program is None:
        return error(unreadable)
    with tempfile.TemporaryDirectory(prefix="baoxue-convert-") as folder:
        work = Path(folder)
        source = work / f"document{suffix}"
        source.write_bytes(data)
        command = convert_command(
            program, work / "profile", FILTERS[target], work / "out", [source]
        )
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            process.wait(timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            _kill(process)
            return error(f"{unreadable}（转换超时）")
        converted = work / "out" / f"document.{target}"
        if not converted.is_file():
            return error(f"{unreadable}{DAMAGED}")
        return read(converted.read_bytes())


def convert_command(
    program: str, profile: Path, target: str, out: Path, sources: list[Path], *more: str
) -> list[str]:
    """LibreOffice converting `sources` to `target` in `out`, headless, with its own profile
    (a fresh one is private to this run: no shared lock, no user settings)."""
    return [
        program,
        "--headless",
        "--norestore",
        "--nologo",
        "--nolockcheck",
        *more,
        f"-env:UserInstallation={profile.as_uri()}",
        "--convert-to",
        target,
        "--outdir",
        str(out),
        *[str(source) for source in sources],
    ]


def ooxml(data: bytes) -> bool:
    """A DOCX/XLSX (or one of their templates) whatever it is called: read as it is."""
    names = zip_names(data)
    return names is not None and "[Content_Types].xml" in names


def convertible(data: bytes) -> bool:
    """What LibreOffice should be given: Word 97 / Excel 97 binary, RTF, the HTML systems
    export as “Word” or “Excel”, OpenDocument (zipped, or flat XML). Anything else under such
    a name is damaged or not that format, and LibreOffice would import it as plain text."""
    if data[:4] == b"PK\x03\x04":
        names = zip_names(data)
        return names is not None and "content.xml" in names
    if data[:4] == OLE2_MAGIC[:4] or data[:5] == b"{\\rtf":
        return True
    return flat_opendocument(data) or sniff(data) in {"html", "spreadsheetml"}


def flat_opendocument(data: bytes) -> bool:
    """A .fodt/.fods: one XML file (text to `sniff`), its root element office:document."""
    return b"<office:document" in data[:4096]


def zip_names(data: bytes) -> set[str] | None:
    """The members of a zip, or None when it is not one (or truncated, damaged)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return set(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None


def _kill(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()
    process.wait()
