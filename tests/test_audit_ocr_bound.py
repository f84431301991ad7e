"""OCR's hard time limit and its process (audit/readers/ocr_process.py), real engine.

A page is recognised in a child process that is killed when the page overruns: the page stays
scanned with its note, the rest of the package is read, and no process is left behind. Photos
that may hold a paper go to the worker processes as PDFs do, with the same results.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from concurrent.futures import Future
from datetime import date
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from fixtures.packages.build import PERIOD, package_path
from fixtures.packages.docs import photo_of
from PIL import Image

import audit.parallel
from audit.facts import PackageFacts, PackageFile
from audit.ingest import PackageLimits, read_package
from audit.readers import ocr_process
from audit.readers.ocr import OcrLimits
from audit.readers.ocr_process import OcrProcess, OcrTimeout

RECORD = "四、送教上门/莫小芳/送教上门记录（扫描汇编）.pdf"
LIMIT = 0.05  # seconds: no real page is recognised this fast


def _group() -> set[int]:
    """The live processes of this test run's process group (spawned children keep it)."""
    group = os.getpgid(0)
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[2]) == group and not _tracker(entry):
            found.add(int(entry.name))
    return found


def _tracker(entry: Path) -> bool:
    """multiprocessing's resource tracker: one for the life of the test run, by design."""
    try:
        return b"resource_tracker" in (entry / "cmdline").read_bytes()
    except OSError:
        return False


@pytest.fixture
def no_process_left() -> Iterator[None]:
    before = _group()
    yield
    # a bound for the leftovers to go, not a speed: a killed parent's child notices within a
    # second, but on a loaded 2-core machine it (and multiprocessing's helpers) may take longer
    deadline = time.monotonic() + 30
    while _group() - before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _group() - before == set(), "a worker or OCR process survived the read"


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture(scope="module")
def page() -> Image.Image:
    doc = pdfium.PdfDocument((package_path("scanned") / RECORD).read_bytes())
    try:
        image: Image.Image = doc[0].render(scale=200 / 72, grayscale=True).to_pil()
    finally:
        doc.close()
    return image


def test_an_overrun_kills_the_process_and_the_next_page_gets_a_new_one(
    page: Image.Image, no_process_left: None
) -> None:
    process = OcrProcess()
    try:
        with pytest.raises(OcrTimeout):
            process.recognise(page, OcrLimits(page_seconds=LIMIT))
        assert process.pid is None and (process.started, process.killed) == (1, 1)
        found = process.recognise(page, OcrLimits())
        assert found.legible and process.started == 2
        second = process.pid
        assert second is not None and _alive(second)
    finally:
        process.close()
    assert not _alive(second)


def _package(folder: Path) -> Path:
    """A scanned record, the same record born digital, then a phone photo of it."""
    folder.mkdir()
    born = (package_path("scanned-born") / RECORD).read_bytes()
    (folder / "1-送教上门记录（扫描）.pdf").write_bytes(
        (package_path("scanned") / RECORD).read_bytes()
    )
    (folder / "2-送教上门记录.pdf").write_bytes(born)
    (folder / "3-IMG_20260309.jpg").write_bytes(photo_of(born, "2026:03:09 10:00:00"))
    return folder


def _entry(facts: PackageFacts, start: str) -> PackageFile:
    return next(f for f in facts.files if f.path.startswith(start))


@pytest.mark.parametrize("workers", [1, 2])
def test_a_page_over_time_is_left_scanned_and_the_package_read_on(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, workers: int, no_process_left: None
) -> None:
    monkeypatch.setattr(audit.parallel, "POOL_AFTER_BYTES", 0)  # workers=2: OCR in the workers
    limits = PackageLimits(ocr_page_seconds=LIMIT)
    facts = read_package(_package(tmp_path / "p"), period=PERIOD, limits=limits, workers=workers)
    scan = _entry(facts, "1-")
    assert (scan.status, scan.scanned_pages) == ("scanned", [1, 2, 3])
    assert scan.page_notes == {
        1: "文字识别超过每页 0.05 秒的时限，已中止，未识别",
        2: "第 1 页文字识别超过每页 0.05 秒的时限，其后各页未识别",
        3: "第 1 页文字识别超过每页 0.05 秒的时限，其后各页未识别",
    }
    assert "第 1 页为扫描图像，文字识别超过每页 0.05 秒的时限，已中止，未识别，需人工查看" in (
        scan.reason or ""
    )
    # the next file is read as usual: the born-digital record gives its sessions
    born = _entry(facts, "2-")
    assert born.status == "ok" and born.kind == "home_teaching_record"
    assert {s.prov.file for s in facts.sessions} == {born.path}
    assert [s.date for s in sorted(facts.sessions, key=lambda s: s.date)] == [
        date(2026, 3, 9),
        date(2026, 3, 23),
        date(2026, 4, 13),
    ]
    # the photo may hold a paper: it stays a photo, and says why it was not read
    photo = _entry(facts, "3-")
    assert photo.kind == "photo" and photo.photo_date == date(2026, 3, 9)
    assert (
        photo.reason
        == "图片可能为拍摄的纸质文书，文字识别超过每页 0.05 秒的时限，已中止，未识别，需人工查看"
    )


def test_no_ocr_process_for_a_package_without_scans(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    started: list[int] = []
    start = OcrProcess._start

    def counted(self: OcrProcess, seconds: float) -> Any:
        started.append(1)
        return start(self, seconds)

    monkeypatch.setattr(OcrProcess, "_start", counted)
    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "送教上门记录.pdf").write_bytes((package_path("scanned-born") / RECORD).read_bytes())
    facts = read_package(folder, period=PERIOD)
    assert facts.sessions and not started
    assert ocr_process._session.get() is None  # the read's session is over


def test_the_ocr_process_ends_when_its_parent_is_killed(no_process_left: None) -> None:
    import signal
    import subprocess
    import sys

    code = (
        "import time\n"
        "from audit.readers.ocr import OcrLimits\n"
        "from audit.readers.ocr_process import OcrProcess\n"
        "p = OcrProcess()\n"
        "p._start(OcrLimits().start_seconds)\n"
        "print(p.pid, flush=True)\n"
        "time.sleep(120)\n"
    )
    root = Path(__file__).resolve().parent.parent
    parent = subprocess.Popen([sys.executable, "-c", code], cwd=root, stdout=subprocess.PIPE)
    try:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        assert _alive(child)
    finally:
        parent.send_signal(signal.SIGKILL)  # no atexit, no finaliser: only the child's watch
        parent.wait()
    deadline = time.monotonic() + 10
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(child)


@pytest.fixture(scope="module")
def form_pdf() -> bytes:
    """A home-teaching visit record generated by baoxue itself (six lines and more: a paper)."""
    from fixtures.packages.docs import sample_pdf

    return sample_pdf("home_teaching_record")


def _photos(folder: Path, form: bytes) -> Path:
    folder.mkdir()
    (folder / "IMG_20251015.jpg").write_bytes(photo_of(form, "2025:10:15 11:20:00", angle=2.0))
    (folder / "IMG_20251016.jpg").write_bytes(photo_of(form, "2025:10:16 09:00:00", angle=-1.5))
    return folder


def _summary(facts: PackageFacts) -> list[Any]:
    files = [(f.path, f.kind, f.reason, f.scanned_pages, f.photo_date) for f in facts.files]
    sessions = sorted(
        (s.prov.file, s.date, s.periods, s.minutes_per_period) for s in facts.sessions
    )
    return [files, sessions]


def test_photos_read_in_workers_give_the_same_facts_and_budget(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, form_pdf: bytes, no_process_left: None
) -> None:
    monkeypatch.setattr(audit.parallel, "POOL_AFTER_BYTES", 0)
    sent: list[str] = []
    submit = audit.parallel.Reader._submit

    def counted(self: audit.parallel.Reader, member: Any) -> Any:
        job = submit(self, member)
        if isinstance(job, Future):
            sent.append(member.path)
        return job

    monkeypatch.setattr(audit.parallel.Reader, "_submit", counted)
    limits = PackageLimits(max_ocr_pages=1)  # the second photo is over the package's budget
    one = read_package(_photos(tmp_path / "a", form_pdf), period=PERIOD, limits=limits, workers=1)
    two = read_package(_photos(tmp_path / "b", form_pdf), period=PERIOD, limits=limits, workers=2)
    assert sent == ["IMG_20251015.jpg", "IMG_20251016.jpg"]  # both to the workers
    assert _summary(one) == _summary(two)
    first, second = one.files
    assert first.kind == "home_teaching_record" and "已文字识别" in (first.reason or "")
    assert second.kind == "photo" and second.reason is None  # read ahead, then undone
    assert two.sessions and {s.prov.file for s in two.sessions} == {first.path}
