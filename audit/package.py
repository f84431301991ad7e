"""An evidence package: a directory or a zip (zips inside it opened to a limit), safely.

Members are read into memory one at a time and never written to disk. Decisions:

- The top-level zip is rejected whole (`PackageError`) when it tries path traversal (``..``,
  absolute paths, drive letters), holds a symbolic link, exceeds the file count or the total
  uncompressed size, or a member's compression ratio says it is a zip bomb: such a package was
  made to attack the reader, and auditing the rest would hide that.
- A zip nested inside the package with the same faults becomes one `error` entry; the rest of the
  package is still read. Beyond `max_depth` a nested zip is `skipped`.
- OS litter (__MACOSX, .DS_Store, Thumbs.db, desktop.ini, ~$ and .~lock files) is `skipped`.
- Names without the zip UTF-8 flag (0x800) are decoded as UTF-8 when valid, else GBK (GB18030),
  the way Windows' "send to compressed folder" writes them.
- Before any of that, `check_package` refuses what is no evidence package at all: a single
  file that is not a zip, an Office file (a .docx or .xlsx is a zip of XML parts, but one
  document, not a folder of evidence), and a zip or folder with no file to check (empty, or
  only litter). Auditing those gave 不合格 for reasons that were not true.
"""

from __future__ import annotations

import io
import os
import re
import stat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from audit.facts import FileStatus

MiB = 1024 * 1024


@dataclass(frozen=True)
class PackageLimits:
    """Safety limits; the defaults are documented in docs/evidence-packages.md."""

    max_files: int = 5000  # members, counting those inside nested zips
    max_total_bytes: int = 2048 * MiB  # uncompressed, all members together
    max_member_bytes: int = 256 * MiB  # one member, uncompressed
    max_ratio: float = 200.0  # uncompressed / compressed, for members over ratio_floor
    ratio_floor: int = 1 * MiB  # small members compress well legitimately
    max_depth: int = 2  # zips inside zips: the package is depth 0, a zip in it depth 1 …
    max_pdf_pages: int = 3000  # pages read from one PDF
    max_ocr_pages: int = 200  # scanned pages and photos read by OCR, the whole package
    ocr_page_seconds: float = 30.0  # a page is stopped at this; the rest of its file not tried
    ocr_start_seconds: float = 60.0  # for the OCR process to start (load its models)


class PackageError(Exception):
    """The package cannot be opened at all; the message is Chinese and names the cause."""


NOT_A_PACKAGE = "请上传 zip 压缩包或文件夹（把迎检材料放进一个文件夹，整个文件夹压缩成 .zip）"
NOTHING_TO_CHECK = "材料包中没有可核查的文件"
# An Office file is a zip too: OOXML names its parts in [Content_Types].xml at the root,
# OpenDocument starts with a `mimetype` member.
_OFFICE_SUFFIXES = {
    ".docx": "Word 文档",
    ".docm": "Word 文档",
    ".dotx": "Word 模板",
    ".dotm": "Word 模板",
    ".xlsx": "Excel 表格",
    ".xlsm": "Excel 表格",
    ".xltx": "Excel 模板",
    ".xltm": "Excel 模板",
    ".pptx": "PowerPoint 演示文稿",
    ".ppsx": "PowerPoint 演示文稿",
    ".odt": "OpenDocument 文档",
    ".ods": "OpenDocument 表格",
    ".odp": "OpenDocument 演示文稿",
    ".ofd": "OFD 版式文件",
}
_OFFICE_PARTS = {"[content_types].xml": "Office 文件", "mimetype": "OpenDocument 文件"}
_OFFICE_FOLDERS = {"word/": "Word 文档", "xl/": "Excel 表格", "ppt/": "PowerPoint 演示文稿"}


def office_kind(filename: str, members: list[str]) -> str | None:
    """What Office file a zip is (“Excel 表格”), or None for a zip of files."""
    suffix = PurePosixPath(filename.lower()).suffix
    if suffix in _OFFICE_SUFFIXES:
        return _OFFICE_SUFFIXES[suffix]
    roots = {m.replace("\\", "/").lower() for m in members}
    kind = next((k for part, k in _OFFICE_PARTS.items() if part in roots), None)
    if kind is None:
        return None
    return next(
        (k for folder, k in _OFFICE_FOLDERS.items() if any(r.startswith(folder) for r in roots)),
        kind,
    )


def nothing_to_check(name: str) -> PackageError:
    return PackageError(
        f"{NOTHING_TO_CHECK}：“{name}”是空的，或只有 Thumbs.db、__MACOSX 等系统生成的文件。"
        "请把迎检材料放进文件夹后重新压缩上传"
    )


def check_package(path: Path, name: str | None = None) -> None:
    """Refuse, before reading, what is not an evidence package (`PackageError`, Chinese):
    a file that is not a zip, an Office file, a zip or folder with nothing but litter.
    `name` is the name to show (an upload's own, when `path` is where it was stored)."""
    shown = name or path.name
    if not path.exists():
        raise PackageError(f"找不到材料包“{path}”")
    if path.is_dir():
        for dirpath, dirnames, filenames in os.walk(path, followlinks=False):
            dirnames[:] = [d for d in dirnames if d not in _LITTER_DIRS]
            for f in filenames:
                if litter_reason((Path(dirpath) / f).relative_to(path).as_posix()) is None:
                    return
        raise nothing_to_check(shown)
    if not zipfile.is_zipfile(path):
        raise PackageError(f"“{shown}”不是材料包：{NOT_A_PACKAGE}")
    try:
        with zipfile.ZipFile(path) as zf:
            names = [decode_zip_name(i) for i in zf.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, OSError) as exc:
        raise PackageError(f"无法打开压缩包“{shown}”：{exc}") from None
    kind = office_kind(shown, names)
    if kind is not None:
        raise PackageError(f"“{shown}”是{kind}，不是材料包：{NOT_A_PACKAGE}")
    if all(litter_reason(n.replace("\\", "/")) is not None for n in names):
        raise nothing_to_check(shown)


class _BudgetError(PackageError):
    """A package-wide limit: fatal even when met inside a nested zip."""


@dataclass
class Member:
    """One file of the package: its data, or why it was not read."""

    path: str  # "/"-separated path inside the package (nested zips as folder "a.zip/…")
    data: bytes | None
    size: int
    status: FileStatus = "ok"
    reason: str | None = None


_LITTER_DIRS = {"__MACOSX", ".git", ".svn"}
_LITTER_FILES = {".ds_store", "thumbs.db", "desktop.ini", "ehthumbs.db", ".localized"}


def litter_reason(path: str) -> str | None:
    """Why a path is operating-system litter, or None."""
    parts = path.split("/")
    for part in parts[:-1]:
        if part in _LITTER_DIRS:
            return f"系统生成的文件夹“{part}”，不是证据"
    name = parts[-1]
    if name.lower() in _LITTER_FILES:
        return f"系统生成的文件“{name}”，不是证据"
    if name.startswith("~$") or name.startswith(".~lock"):
        return "Office 临时锁定文件，不是证据"
    if name.startswith("._"):
        return "macOS 资源分支文件，不是证据"
    return None


def decode_zip_name(info: zipfile.ZipInfo) -> str:
    """The member name as the author meant it (UTF-8 flag, else UTF-8 or GBK, else cp437)."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


_DRIVE = re.compile(r"^[A-Za-z]:")


def _unsafe_name(name: str) -> str | None:
    norm = name.replace("\\", "/")
    if norm.startswith("/") or _DRIVE.match(norm):
        return f"绝对路径“{name}”"
    if ".." in PurePosixPath(norm).parts:
        return f"路径“{name}”含“..”，试图写到包外"
    return None


def _is_link(info: zipfile.ZipInfo) -> bool:
    return info.create_system == 3 and stat.S_ISLNK(info.external_attr >> 16)


class _Budget:
    def __init__(self, limits: PackageLimits) -> None:
        self.limits = limits
        self.files = 0
        self.bytes = 0

    def add_file(self) -> None:
        self.files += 1
        if self.files > self.limits.max_files:
            raise _BudgetError(f"证据包文件过多（超过 {self.limits.max_files} 个），拒绝读取")

    def add_bytes(self, n: int) -> None:
        self.bytes += n
        if self.bytes > self.limits.max_total_bytes:
            raise _BudgetError(
                f"证据包解压后超过 {self.limits.max_total_bytes // MiB} MB，疑似压缩炸弹，拒绝读取"
            )


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limits: PackageLimits) -> bytes:
    """Decompress one member, stopping as soon as it exceeds what it declared or the limit."""
    cap = min(info.file_size, limits.max_member_bytes)
    out = io.BytesIO()
    with zf.open(info) as fh:
        while chunk := fh.read(1 * MiB):
            out.write(chunk)
            if out.tell() > cap:
                raise PackageError("解压后的大小超过声明值或上限，疑似压缩炸弹")
    return out.getvalue()


def _check_zip(zf: zipfile.ZipFile, limits: PackageLimits) -> None:
    """Faults that condemn a whole zip, found from its directory before reading anything."""
    total = 0
    for info in zf.infolist():
        name = decode_zip_name(info)
        bad = _unsafe_name(name)
        if bad:
            raise PackageError(f"压缩包含非法路径：{bad}，拒绝读取")
        if _is_link(info):
            raise PackageError(f"压缩包含符号链接“{name}”，拒绝读取")
        if info.is_dir():
            continue
        if info.file_size > limits.max_member_bytes:
            raise PackageError(
                f"压缩包内文件“{name}”解压后 {info.file_size // MiB} MB，"
                f"超过单个文件上限 {limits.max_member_bytes // MiB} MB"
            )
        if info.file_size > limits.ratio_floor:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limits.max_ratio:
                raise PackageError(
                    f"压缩包内文件“{name}”压缩比 {ratio:.0f}:1，超过上限 "
                    f"{limits.max_ratio:.0f}:1，疑似压缩炸弹，拒绝读取"
                )
        total += info.file_size
    if total > limits.max_total_bytes:
        raise PackageError(
            f"压缩包解压后共 {total // MiB} MB，超过上限 {limits.max_total_bytes // MiB} MB，拒绝读取"
        )


def _iter_zip(
    zf: zipfile.ZipFile, prefix: str, depth: int, limits: PackageLimits, budget: _Budget
) -> Iterator[Member]:
    _check_zip(zf, limits)
    for info in sorted(zf.infolist(), key=lambda i: decode_zip_name(i)):
        if info.is_dir():
            continue
        path = prefix + decode_zip_name(info).replace("\\", "/")
        budget.add_file()
        litter = litter_reason(path)
        if litter:
            yield Member(path, None, info.file_size, "skipped", litter)
            continue
        if info.flag_bits & 0x1:
            yield Member(path, None, info.file_size, "error", "压缩包内文件已加密，无法读取")
            continue
        try:
            data = _read_member(zf, info, limits)
        except PackageError:
            raise
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
            yield Member(path, None, info.file_size, "error", f"无法解压：{exc}")
            continue
        budget.add_bytes(len(data))
        if path.lower().endswith(".zip"):
            yield from _nested(path, data, depth + 1, limits, budget)
        else:
            yield Member(path, data, len(data))


def _nested(
    path: str, data: bytes, depth: int, limits: PackageLimits, budget: _Budget
) -> Iterator[Member]:
    """A zip inside the package: its members, or one entry saying why not."""
    if depth > limits.max_depth:
        reason = f"压缩包嵌套超过 {limits.max_depth} 层，未展开"
        yield Member(path, None, len(data), "skipped", reason)
        return
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        yield Member(path, None, len(data), "error", "不是有效的 zip 压缩包")
        return
    members: list[Member] = []
    try:
        with zf:
            # Collected first so a bomb found half-way rejects this nested zip as a whole.
            members = list(_iter_zip(zf, path + "/", depth, limits, budget))
    except _BudgetError:
        raise
    except PackageError as exc:
        yield Member(path, None, len(data), "error", f"内嵌压缩包未读取：{exc}")
        return
    yield from members


def iter_package(path: Path, limits: PackageLimits | None = None) -> Iterator[Member]:
    """Every file of a package, in path order. Raises PackageError if it cannot be opened."""
    limits = limits or PackageLimits()
    budget = _Budget(limits)
    if not path.exists():
        raise PackageError(f"找不到证据包“{path}”")
    if path.is_dir():
        yield from _iter_dir(path, limits, budget)
        return
    if not zipfile.is_zipfile(path):
        raise PackageError(f"“{path.name}”不是文件夹，也不是 zip 压缩包，无法作为证据包读取")
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise PackageError(f"无法打开压缩包“{path.name}”：{exc}") from None
    with zf:
        yield from _iter_zip(zf, "", 0, limits, budget)


def _iter_dir(root: Path, limits: PackageLimits, budget: _Budget) -> Iterator[Member]:
    entries: list[tuple[str, Path]] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        for name in filenames:
            full = Path(dirpath) / name
            entries.append((full.relative_to(root).as_posix(), full))
        for name in dirnames:
            full = Path(dirpath) / name
            if full.is_symlink():
                entries.append((full.relative_to(root).as_posix(), full))
    for rel, full in sorted(entries):
        budget.add_file()
        if full.is_symlink():
            yield Member(rel, None, 0, "skipped", "符号链接，未跟随读取")
            continue
        size = full.stat().st_size
        litter = litter_reason(rel)
        if litter:
            yield Member(rel, None, size, "skipped", litter)
            continue
        if size > limits.max_member_bytes:
            reason = f"文件 {size // MiB} MB，超过单个文件上限 {limits.max_member_bytes // MiB} MB"
            yield Member(rel, None, size, "error", reason)
            continue
        budget.add_bytes(size)
        try:
            data = full.read_bytes()
        except OSError as exc:
            yield Member(rel, None, size, "error", f"无法读取：{exc.strerror}")
            continue
        if rel.lower().endswith(".zip"):
            yield from _nested(rel, data, 1, limits, budget)
        else:
            yield Member(rel, data, size)
