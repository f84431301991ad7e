"""Sending stored files to the browser with their Chinese names."""

from __future__ import annotations

from fastapi.responses import FileResponse

from service.blobs import BlobStore
from service.scope import NotFound

MEDIA = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".zip": "application/zip",
    ".csv": "text/csv; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".png": "image/png",
}


def send_blob(blobs: BlobStore, sha256: str, filename: str) -> FileResponse:
    path = blobs.path(sha256)
    if not path.is_file():
        raise NotFound("文件")
    suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return FileResponse(
        path, media_type=MEDIA.get(suffix, "application/octet-stream"), filename=filename
    )
