"""Read PDFs and photographed papers in worker processes while the main process classifies
and extracts, in order.

Opening pages in pdfium is most of the time spent on a large package, OCR most of it on a
scanned one; both parallelise across processes (pdfium is not thread-safe). Small packages are
read in-process: the pool starts only once `POOL_AFTER_BYTES` of PDFs and photos that may hold a
paper (`scan.may_be_paper`, judged here on a reduced decode) have been seen. At most `window`
files are in flight, so memory stays bounded whatever the number of pages.

OCR (audit/readers/scan.py) runs in an OCR process (audit/readers/ocr_process.py) of whichever
process reads the file: the package's own, opened for the read and ended with it, or a worker's.
The package's OCR page budget is counted here, in package order: a file read ahead in a worker
is given what was left when it was sent, and OCR beyond what is left when its turn comes is
undone, so the result does not depend on the number of workers.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import ExitStack
from pathlib import PurePosixPath

from audit.package import Member
from audit.readers import IMAGE_SUFFIXES, ocr_process, read_bytes
from audit.readers.model import ReadResult
from audit.readers.ocr import OcrLimits, enabled
from audit.readers.scan import limit_pages, may_be_paper

POOL_AFTER_BYTES = 4 * 1024 * 1024  # bytes of PDFs and paper photos before a pool is worth it
# Photos the OCR reads (HEIC is not decoded: audit/readers/image.py).
_PHOTOS = IMAGE_SUFFIXES - {".heic", ".heif"}


def _read(path: str, data: bytes, max_pages: int, ocr: OcrLimits) -> ReadResult:
    return read_bytes(path, data, max_pdf_pages=max_pages, ocr=ocr)


class Reader:
    """Yields (member, read result or None for unread members) in package order."""

    def __init__(
        self,
        workers: int,
        max_pages: int,
        pool_after: int | None = None,
        ocr: OcrLimits | None = None,
    ) -> None:
        self.workers = workers
        self.max_pages = max_pages
        self.ocr = ocr or OcrLimits()
        self.ocr_used = 0  # pages OCR'd so far, in package order
        self.pool_after = POOL_AFTER_BYTES if pool_after is None else pool_after
        self.pool: ProcessPoolExecutor | None = None
        self.pool_bytes = 0
        self._stack = ExitStack()

    def __enter__(self) -> Reader:
        self._stack.enter_context(ocr_process.session())  # started at the first page to OCR
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self.pool is not None:
                self.pool.shutdown(cancel_futures=True)  # a worker's OCR process ends with it
        finally:
            self._stack.close()

    def _for_pool(self, member: Member, data: bytes) -> bool:
        """Whether the member is worth a worker: a PDF, or a photo that may hold a paper."""
        if member.path.lower().endswith(".pdf") or data[:5] == b"%PDF-":
            return True
        if PurePosixPath(member.path).suffix.lower() not in _PHOTOS:
            return False
        return enabled() and self._ocr_left().pages > 0 and may_be_paper(data)

    def _submit(self, member: Member) -> Future[ReadResult] | ReadResult | None:
        if member.data is None or member.status != "ok":
            return None
        if self.workers > 1 and self._for_pool(member, member.data):
            self.pool_bytes += len(member.data)
            if self.pool is None and self.pool_bytes >= self.pool_after:
                context = multiprocessing.get_context("spawn")  # pdfium state is not fork-safe
                self.pool = ProcessPoolExecutor(self.workers, mp_context=context)
            if self.pool is not None:
                return self.pool.submit(
                    _read, member.path, member.data, self.max_pages, self._ocr_left()
                )
        return None  # read in-process when its turn comes

    def results(self, members: Iterable[Member]) -> Iterator[tuple[Member, ReadResult | None]]:
        window = max(2, self.workers * 2)
        pending: deque[tuple[Member, Future[ReadResult] | ReadResult | None]] = deque()
        for member in members:
            pending.append((member, self._submit(member)))
            while len(pending) > window:
                yield self._resolve(*pending.popleft())
        while pending:
            yield self._resolve(*pending.popleft())

    def _ocr_left(self) -> OcrLimits:
        left = max(0, self.ocr.pages - self.ocr_used)
        return OcrLimits(
            pages=left, page_seconds=self.ocr.page_seconds, start_seconds=self.ocr.start_seconds
        )

    def _resolve(
        self, member: Member, job: Future[ReadResult] | ReadResult | None
    ) -> tuple[Member, ReadResult | None]:
        if isinstance(job, Future):
            try:
                job = job.result()
            except Exception:  # a worker died (memory, signal): read it here instead
                job = None
        if job is None and member.data is not None and member.status == "ok":
            job = read_bytes(
                member.path, member.data, max_pdf_pages=self.max_pages, ocr=self._ocr_left()
            )
        if isinstance(job, ReadResult):
            limit_pages(job, self._ocr_left().pages, self.ocr)
            self.ocr_used += job.ocr_count
        return member, job
