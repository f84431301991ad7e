"""`create_app(config)`: the FastAPI application — pages, JSON API, jobs, storage."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from service import rendering
from service.auth import CsrfError, NotAuthenticated
from service.blobs import BlobStore, TooLargeError
from service.config import ServiceConfig
from service.context import ServiceContext
from service.db import Database, migrate
from service.jobs import JobRunner, PoolJobRunner, recover, submit_queued
from service.ops import ServiceError
from service.scope import Forbidden, NotFound
from service.web import (
    api_admin,
    api_cases,
    api_round,
    api_school,
    docs,
    pages_admin,
    pages_audit,
    pages_auth,
    pages_cases,
    pages_duties,
    pages_round,
    pages_school,
)
from service.web.deps import csrf_protect
from service.web.docs import DOCS_ASSETS, DOCS_STATIC
from service.web.headers import SecurityHeadersMiddleware
from service.web.limits import BodyLimitMiddleware, too_large_message
from service.web.privacy_guard import PersonalDataGuard
from service.web.render import page

log = logging.getLogger("baoxue.service")
STATIC_DIR = Path(__file__).resolve().parent / "static"
SHARED_TEMP_AGE = 6 * 3600  # no upload or job output is written for longer


def build_context(config: ServiceConfig, runner: JobRunner | None = None) -> ServiceContext:
    """Open (and on first start create) the data folder and database, migrated to head."""
    config.data_dir.mkdir(parents=True, exist_ok=True)
    database = Database(config.database_url)
    migrate(database.engine)
    blobs = BlobStore(config.blob_dir)
    if config.primary:  # on the queue the store is shared: spare what may still be written
        blobs.sweep_temp(SHARED_TEMP_AGE if config.uses_queue else 0)
    return ServiceContext(config, database, blobs, runner or make_runner(config, database))


def make_runner(config: ServiceConfig, database: Database) -> JobRunner:
    """The queue on PostgreSQL (`baoxue worker` runs the jobs), else each web process's pool."""
    if config.uses_queue:
        from service.queue.runner import QueueJobRunner

        return QueueJobRunner(config)
    return PoolJobRunner(config, database)


def create_app(config: ServiceConfig | None = None, runner: JobRunner | None = None) -> FastAPI:
    config = config or ServiceConfig()
    context = build_context(config, runner)
    rendering.configure(config)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if config.uses_queue:  # nothing reset: dead workers' jobs are found by heartbeat
            from service.queue.runner import QueueJobRunner, queue_orphans

            if isinstance(context.runner, QueueJobRunner):
                queue_orphans(config, context.runner)
        elif config.primary:
            counts = recover(context.db, config, context.runner)
            if counts["requeued"] or counts["failed"]:
                log.warning("jobs after restart: %s", counts)
        else:  # the parent reset interrupted jobs; a queued job is claimed by one worker only
            submit_queued(context.db, context.runner)
        yield
        context.runner.shutdown(wait=False)
        rendering.shutdown()
        context.db.dispose()

    app = FastAPI(
        title="保学 baoxue 服务",
        description="控辍保学文书生成与督导核查：学校文员、督学、教育局管理员共用的网页与 JSON API。",
        version="0.1.0",
        lifespan=lifespan,
        dependencies=[Depends(csrf_protect)],
        docs_url=None,  # served by service.web.docs from the project's own copy (no CDN)
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.ctx = context
    app.add_middleware(PersonalDataGuard)  # innermost: sees each response as a route made it
    app.add_middleware(
        BodyLimitMiddleware, limit=max(config.max_upload_bytes, config.max_roster_bytes)
    )
    app.add_middleware(SecurityHeadersMiddleware)

    _install_error_handlers(app)
    app.mount(DOCS_STATIC, StaticFiles(directory=DOCS_ASSETS), name="docs-static")
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for module in (
        docs,
        api_cases,
        api_round,
        api_school,
        api_admin,
        pages_auth,
        pages_admin,
        pages_school,
        pages_audit,
        pages_cases,
        pages_duties,
        pages_round,
    ):
        app.include_router(module.router)
    app.include_router(pages_duties.api)
    return app


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error(
    request: Request,
    status: int,
    message: str,
    details: list[str] | None = None,
    fields: dict[str, str] | None = None,
) -> Response:
    if _wants_json(request):
        body: dict[str, object] = {"detail": message}
        if details:
            body["errors"] = details
        if fields:
            body["fields"] = fields
        return JSONResponse(body, status_code=status)
    return page(request, "error.html", status_code=status, message=message, details=details or [])


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(NotAuthenticated)
    async def not_authenticated(request: Request, exc: NotAuthenticated) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": "请先登录，或在请求头中提供 API 令牌"}, status_code=401)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        return _error(request, 404, str(exc))

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        return _error(request, 403, str(exc))

    @app.exception_handler(CsrfError)
    async def csrf(request: Request, exc: CsrfError) -> Response:
        return _error(request, 403, str(exc))

    @app.exception_handler(ServiceError)
    async def service_error(request: Request, exc: ServiceError) -> Response:
        return _error(request, exc.status, str(exc), exc.details, exc.fields)

    @app.exception_handler(TooLargeError)
    async def too_large(request: Request, exc: TooLargeError) -> Response:
        return _error(request, 413, too_large_message(exc.limit))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        details = [
            f"{'.'.join(str(p) for p in e.get('loc', ()) if p != 'body')}：{e.get('msg', '')}"
            for e in exc.errors()
        ]
        return _error(request, 422, "请求内容不完整或格式不对", details)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        messages = {404: "找不到这个页面", 405: "不支持这种请求方式"}
        return _error(request, exc.status_code, messages.get(exc.status_code, str(exc.detail)))
