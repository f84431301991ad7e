"""Content-addressed file store: a file lives at files/ab/cd/<sha256>.

Writes go to a temp file in the same file system, are fsynced and then renamed into
place, so a reader never sees half a file and an interrupted upload leaves only a temp
file that start-up sweeps away. The same bytes uploaded twice are stored once.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

CHUNK = 1024 * 1024


class TooLargeError(Exception):
    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"文件超过大小上限 {format_size(limit)}")


def format_size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.0f} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} 字节"


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    created: bool  # False: the same bytes were already stored


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.tmp = root / "tmp"
        self.tmp.mkdir(parents=True, exist_ok=True)

    def path(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError("not a sha256")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def sweep_temp(self, min_age_seconds: float = 0) -> int:
        """Remove temp files left by uploads interrupted by a crash; with `min_age_seconds`,
        only those older (a store shared by several machines: another's upload is under way)."""
        removed = 0
        before = time.time() - min_age_seconds
        for leftover in self.tmp.glob("upload-*"):
            with contextlib.suppress(FileNotFoundError):
                if min_age_seconds and leftover.stat().st_mtime > before:
                    continue
                leftover.unlink(missing_ok=True)
                removed += 1
        return removed

    def put_stream(self, chunks: Iterable[bytes], limit: int | None = None) -> StoredFile:
        digest = hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(prefix="upload-", dir=self.tmp)
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in chunks:
                    size += len(chunk)
                    if limit is not None and size > limit:
                        raise TooLargeError(limit)
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            sha = digest.hexdigest()
            final = self.path(sha)
            if final.is_file():
                return StoredFile(sha, size, created=False)
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, final)
            _fsync_dir(final.parent)
            return StoredFile(sha, size, created=True)
        finally:
            tmp.unlink(missing_ok=True)

    def put_file(self, stream: BinaryIO, limit: int | None = None) -> StoredFile:
        return self.put_stream(iter(lambda: stream.read(CHUNK), b""), limit)

    def put_bytes(self, data: bytes) -> StoredFile:
        return self.put_stream([data])

    def read(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
