"""Files in and out, with a Chinese sentence naming the file when one cannot be used.

Every output is written whole or not at all: the bytes go to a hidden file beside the
target and are renamed over it only once complete, so an interrupted run (Ctrl-C, a full
disk) never leaves a half-written document behind. The CLI, the batch printer and the case
store share these helpers; the messages never carry Python's English (`[Errno 2] …`,
`'utf-8' codec can't decode …`).
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path


class FileProblem(Exception):
    """A file or folder that cannot be read or written; the message is Chinese and names it."""


_REASONS: dict[int, str] = {
    errno.ENOENT: "不存在",
    errno.EISDIR: "是一个文件夹，不是文件",
    errno.ENOTDIR: "所在的路径中有一段是文件而不是文件夹",
    errno.EEXIST: "已经存在，且是文件而不是文件夹",
    errno.EACCES: "没有读写权限",
    errno.EPERM: "没有读写权限",
    errno.EROFS: "在只读的磁盘上，不能写入",
    errno.ENOSPC: "无法写入：磁盘空间已满",
    errno.EDQUOT: "无法写入：磁盘配额已满",
    errno.ENAMETOOLONG: "的名称太长",
    errno.ELOOP: "的符号链接循环指向自身",
    errno.EBUSY: "正被其他程序占用",
    errno.ETXTBSY: "正被其他程序占用",
    errno.EFBIG: "太大，无法写入",
}


def describe_os_error(exc: OSError, path: Path | str | None = None) -> str:
    """“x.pdf”是一个文件夹，不是文件 — the file named (`path` when given, else the one the
    error names), the reason in Chinese."""
    name = path if path is not None else exc.filename
    shown = "（未知文件）" if name is None else os.fsdecode(name)
    reason = _REASONS.get(exc.errno or 0)
    if reason is None:
        reason = f"无法读写（系统错误代码 {exc.errno}）" if exc.errno else "无法读写"
    return f"“{shown}”{reason}"


def describe_write_error(exc: OSError, path: Path) -> str:
    if exc.errno == errno.ENOENT:
        return f"不能写入“{path}”：此处不能建立文件"
    return f"不能写入：{describe_os_error(exc, path)}"


def describe_decode_error(path: Path | str) -> str:
    return (
        f"无法读取“{path}”：不是 UTF-8 编码的文本文件"
        "（可能是 Word、Excel、PDF、图片等其他类型的文件，或用了 GBK 编码：请另存为 UTF-8 文本）"
    )


def read_text(path: Path) -> str:
    """A text file (UTF-8, a BOM allowed), or FileProblem naming the file."""
    if path.is_dir():
        raise FileProblem(f"无法读取“{path}”：这是一个文件夹，这里需要一个文件")
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise FileProblem(describe_decode_error(path)) from None
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            raise FileProblem(f"无法读取“{path}”：找不到这个文件") from None
        raise FileProblem(f"无法读取：{describe_os_error(exc, path)}") from None


def check_output(path: Path, suffixes: Sequence[str], what: str = "输出文件") -> str:
    """The format of an output file from its suffix, or FileProblem before any work is done.

    Refused: a suffix the command cannot write (an XLSX named .pdf), a path that is a
    folder, a parent that is a file, a folder that cannot be written.
    """
    fmt = path.suffix.lower().lstrip(".")
    allowed = [s.lower().lstrip(".") for s in suffixes]
    if fmt not in allowed:
        listed = " ".join(f".{s}" for s in allowed)
        if path.is_dir() or not path.suffix:
            raise FileProblem(
                f"{what}“{path}”没有扩展名，无法确定格式：请写文件名，"
                f"扩展名为 {listed}（如 {path / ('文件.' + allowed[0])}）"
            )
        raise FileProblem(f"{what}“{path}”：不支持的输出格式“{path.suffix}”（可用 {listed}）")
    if path.is_dir():
        raise FileProblem(f"{what}“{path}”是一个已有的文件夹，请写文件名")
    check_folder(path.parent, what=f"{what}“{path}”所在的文件夹")
    return fmt


def check_folder(folder: Path, what: str = "输出文件夹") -> None:
    """A folder that exists or can be made, and that can be written."""
    probe = folder
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        raise FileProblem(f"{what}“{folder}”不能建立：“{probe}”是一个文件，不是文件夹")
    if probe.is_dir() and not os.access(probe, os.W_OK | os.X_OK):
        raise FileProblem(f"{what}“{folder}”不能写入：“{probe}”没有写入权限")


def make_folder(folder: Path, what: str = "输出文件夹") -> None:
    check_folder(folder, what)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FileProblem(f"{what}不能建立：{describe_os_error(exc, folder)}") from None


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextmanager
def output_path(path: Path) -> Iterator[Path]:
    """A hidden temporary path beside `path`, renamed over it when the block completes.

    On any exception (KeyboardInterrupt included) the temporary file is removed and `path`
    is left as it was. OS errors become FileProblem naming `path`.
    """
    make_folder(path.parent, what=f"文件“{path}”所在的文件夹")
    try:
        handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as exc:
        raise FileProblem(describe_write_error(exc, path)) from None
    os.close(handle)
    tmp = Path(name)
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp's 0600 would make the document private
        yield tmp
        os.replace(tmp, path)
    except OSError as exc:
        raise FileProblem(describe_write_error(exc, path)) from None
    finally:
        tmp.unlink(missing_ok=True)


def write_output(path: Path, data: bytes) -> Path:
    """Write `data` to `path` whole or not at all (see `output_path`)."""
    with output_path(path) as tmp:
        tmp.write_bytes(data)
    return path


def syntax_where(exc: Exception) -> str:
    """“第3行第5列” where a JSON or YAML text is malformed, or ""."""
    line = col = None
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        line, col = mark.line + 1, mark.column + 1
    elif isinstance(exc, ValueError) and hasattr(exc, "lineno"):  # json.JSONDecodeError
        line, col = exc.lineno, getattr(exc, "colno", None)
    if line is None:
        return ""
    return f"第{line}行" + (f"第{col}列" if col else "")


def syntax_error(exc: Exception) -> str:
    """Where a JSON or YAML text is malformed, in Chinese (the parsers' English left out)."""
    where = syntax_where(exc)
    return f"{where}附近格式有误" if where else "格式有误"
