"""The API documentation, served from the project: Swagger UI at /api/docs and ReDoc at
/api/redoc from the copies the fastapi-offline package ships (no CDN: a school's server may
have no internet), and the favicon."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

DOCS_ASSETS = Path(str(files("fastapi_offline") / "static"))
DOCS_STATIC = "/static/docs"
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

router = APIRouter(include_in_schema=False)


def _page(title: str, head: str, body: str) -> HTMLResponse:
    return HTMLResponse(
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{title}</title><link rel="icon" href="/favicon.ico">{head}</head>'
        f"<body>{body}</body></html>"
    )


@router.get("/api/docs", response_class=HTMLResponse)
def swagger_ui(request: Request) -> HTMLResponse:
    openapi = request.app.openapi_url
    return _page(
        f"{request.app.title} · API 文档",
        f'<link rel="stylesheet" href="{DOCS_STATIC}/swagger-ui.css">',
        f'<div id="swagger-ui" data-openapi="{openapi}"></div>'
        f'<script src="{DOCS_STATIC}/swagger-ui-bundle.js"></script>'
        '<script src="/static/swagger-init.js"></script>',
    )


@router.get("/api/redoc", response_class=HTMLResponse)
def redoc(request: Request) -> HTMLResponse:
    openapi = request.app.openapi_url
    return _page(
        f"{request.app.title} · API 文档（ReDoc）",
        "",
        f'<redoc spec-url="{openapi}"></redoc>'
        f'<script src="{DOCS_STATIC}/redoc.standalone.js"></script>',
    )


@router.get("/docs")
def docs_redirect() -> Response:
    return RedirectResponse("/api/docs", status_code=307)


@router.get("/favicon.ico")
def favicon() -> Response:
    return FileResponse(
        STATIC_DIR / "favicon.ico",
        media_type="image/x-icon",
        headers={"cache-control": "public, max-age=86400"},
    )
