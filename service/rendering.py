"""Rendering for web requests (a document, its viewing copy, an audit report's export) in a
worker process of the web process, started by the first render and ended when idle.

A web process that rendered one document held WeasyPrint and the loaded CJK fonts from then
on: ≈ 110 MB after the first document, ≈ 150 MB after a few, in each web process — most of
the 1.2 GB a service that had been used held at rest (issue 23 §6). The renderer is one
spawned process per web process (`service.workers.IdlePool`, `config.job_idle_seconds`);
the request waits for its result as it waited for the rendering before. In thread mode
(tests, `job_mode="thread"`) rendering stays in the calling process.

The worker gets picklable arguments (form and profile ids, the validated record, a report as
JSON) and returns bytes; an exception that cannot be pickled (the forms' errors carry
structured fields) comes back as `RenderFailed` with its message.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import threading
from concurrent.futures import BrokenExecutor, Executor, ProcessPoolExecutor
from typing import TYPE_CHECKING, Any

from service.config import ServiceConfig
from service.ops import ServiceError
from service.workers import IdlePool, init_worker

if TYPE_CHECKING:
    from audit.report.model import AuditResult
    from forms.profiles import Profile
    from forms.registry import FormKind

_pool: IdlePool | None = None
_lock = threading.Lock()


class RenderFailed(Exception):
    """An error raised in the renderer that could not travel back as itself."""


def configure(config: ServiceConfig) -> None:
    """Render in a worker process (process mode) or in this process (thread mode). One web
    process serves one app: the last app configured decides."""
    global _pool
    with _lock:
        if _pool is not None:
            _pool.shutdown(wait=False)
        _pool = None
        if config.job_mode == "process":
            _pool = IdlePool(_make, config.job_idle_seconds, "document renderer")


def shutdown() -> None:
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=False)


def renderer_alive() -> bool:
    return _pool is not None and _pool.alive


def _make() -> Executor:
    return ProcessPoolExecutor(
        max_workers=1,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=init_worker,
        initargs=(os.getpid(),),
    )


def render_document(
    kind: FormKind,
    record: Any,
    profile: Profile,
    formats: tuple[str, ...] = ("pdf", "docx"),
    viewing_copy: bool = False,
) -> dict[str, bytes]:
    """`forms.render.document.render_record` (or the viewing copy's), in the renderer."""
    result: dict[str, bytes] = _call(_document, kind.id, profile.id, record, formats, viewing_copy)
    return result


def render_audit_report(result: AuditResult, fmt: str) -> bytes:
    """`audit.report.render_report`, in the renderer."""
    data: bytes = _call(_report, result.model_dump_json(by_alias=True), fmt)
    return data


def render_monthly(report: Any, profile: Profile) -> dict[str, tuple[str, bytes]]:
    """A school's monthly report from its cases (PDF, DOCX, XLSX), in the renderer:
    {format: (file name, bytes)}."""
    files: dict[str, tuple[str, bytes]] = _call(_monthly, report, profile.id)
    return files


def render_with(fn: Any, *args: Any) -> Any:
    """Any module-level rendering function (picklable arguments), in the renderer: the
    supervision round's 督导报告 and 通报 (service/ops/round_docs.py)."""
    return _call(fn, *args)


def _call(fn: Any, *args: Any) -> Any:
    pool = _pool
    if pool is None:
        return fn(*args)
    try:
        return pool.submit(_guarded, fn, *args).result()
    except BrokenExecutor:  # the renderer died (killed, out of memory)
        raise ServiceError("生成文件的进程意外退出（可能内存不足），请重试", status=503) from None


def _guarded(fn: Any, *args: Any) -> Any:
    """In the renderer: an exception goes back as itself if it survives pickling."""
    try:
        return fn(*args)
    except Exception as exc:
        try:
            pickle.loads(pickle.dumps(exc))
        except Exception:
            raise RenderFailed(f"{type(exc).__name__}: {exc}") from None
        raise


def _document(
    form_id: str, profile_id: str, record: Any, formats: tuple[str, ...], viewing_copy: bool
) -> dict[str, bytes]:
    from forms.profiles import get_profile
    from forms.registry import get_form

    kind, profile = get_form(form_id), get_profile(profile_id)
    if viewing_copy:
        from forms.viewcopy import render_viewing_copy

        return render_viewing_copy(kind, record, profile, formats)
    from forms.render.document import render_record

    return render_record(kind, record, profile, formats)


def _report(result_json: str, fmt: str) -> bytes:
    from audit.report import load_result, render_report

    return render_report(load_result(result_json), fmt)


def _monthly(report: Any, profile_id: str) -> dict[str, tuple[str, bytes]]:
    import tempfile
    from pathlib import Path

    from cases.report import write_monthly
    from forms.profiles import get_profile

    with tempfile.TemporaryDirectory() as tmp:
        return {
            path.suffix.lstrip("."): (path.name, path.read_bytes())
            for path in write_monthly(report, get_profile(profile_id), Path(tmp))
        }
