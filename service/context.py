"""What one running service holds: config, database, file store, job runner."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from service.blobs import BlobStore
from service.config import ServiceConfig
from service.db import Database

if TYPE_CHECKING:
    from service.jobs import JobRunner


@dataclass
class ServiceContext:
    config: ServiceConfig
    db: Database
    blobs: BlobStore
    runner: JobRunner
