"""Stored files and their database rows."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.blobs import BlobStore, StoredFile
from service.tables import Blob


def register_blob(db: Session, blobs: BlobStore, stored: StoredFile) -> str:
    """Record a stored file once, whoever uploads the same bytes again."""
    if db.get(Blob, stored.sha256) is None:
        try:
            with db.begin_nested():
                db.add(Blob(sha256=stored.sha256, size=stored.size))
        except IntegrityError:  # a concurrent upload of the same bytes won
            pass
    return stored.sha256
