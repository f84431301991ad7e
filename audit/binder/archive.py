"""The zip: the package's files, unchanged, in the checklist's own folder tree
(`一、组织部署/1.1 控辍保学会议材料/01-原文件名`), with the 目录 as DOCX and XLSX at its root.

Every file the binder holds goes in, whether or not it could be converted; files already
compressed (photos, PDFs, Office files) are stored, the rest deflated. Names are written in
UTF-8 with the zip's UTF-8 flag, which Windows 10's Explorer, WinRAR, 7-Zip and macOS read.
"""

from __future__ import annotations

import zipfile
from pathlib import Path, PurePosixPath

from audit.binder.contents import toc_docx, toc_xlsx
from audit.binder.model import Plan
from forms.files import output_path

STORED = {
    ".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic", ".heif", ".pdf", ".zip", ".rar", ".7z",
    ".docx", ".docm", ".xlsx", ".xlsm", ".pptx", ".odt", ".ods", ".mp4", ".mov", ".mp3",
}  # fmt: skip
TOC_NAMES = ("目录.docx", "目录.xlsx")


def write_zip(plan: Plan, target: Path) -> list[str]:
    """Write the zip; returns the names of its entries, in order."""
    names: list[str] = []
    with (
        output_path(target) as partial,  # written whole or not at all
        zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf,
    ):
        zf.writestr(TOC_NAMES[0], toc_docx(plan), zipfile.ZIP_STORED)
        zf.writestr(TOC_NAMES[1], toc_xlsx(plan), zipfile.ZIP_STORED)
        names += TOC_NAMES
        for section in plan.sections():
            for doc in section.docs:
                if doc.source is None:
                    continue  # no bytes to keep: listed in the 目录 with the reason
                name = f"{section.folder}/{doc.zip_name(section.width)}"
                suffix = PurePosixPath(doc.name).suffix.lower()
                method = zipfile.ZIP_STORED if suffix in STORED else zipfile.ZIP_DEFLATED
                zf.write(doc.source, name, compress_type=method)
                names.append(name)
    return names
