"""Rendering the service's own pages (templates in service/templates, not the documents')."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from audit.checklist import SEVERITY_NAMES
from audit.checklist import STATUS_NAMES as AUDIT_NAMES
from forms.idcard import mask
from service.jobs import KIND_NAMES, STATUS_NAMES
from service.scope import ROLES

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parent.parent / "templates"))
LOCAL_TZ = ZoneInfo("Asia/Shanghai")

AUDIT_STATUS = dict(AUDIT_NAMES)  # the audit's own names: one wording everywhere
FINDING_STATUS = {"open": "待整改", "remediating": "整改中", "closed": "已整改"}
SEVERITY = dict(SEVERITY_NAMES)


def _local(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")


env = TEMPLATES.env
env.filters["local"] = _local
env.filters["mask_id"] = lambda v: mask(v) if v else ""
env.globals.update(
    ROLES=ROLES,
    JOB_KINDS=KIND_NAMES,
    JOB_STATUS=STATUS_NAMES,
    AUDIT_STATUS=AUDIT_STATUS,
    FINDING_STATUS=FINDING_STATUS,
    SEVERITY=SEVERITY,
)


def _default_period() -> str:
    from service.adapters.audit import default_period

    return default_period()


env.globals["default_period"] = _default_period


FLASH_COOKIE = "bx_flash"


def redirect_with_flash(request: Request, url: str, message: str) -> RedirectResponse:
    """POST/redirect/GET with a message for the next page (“已保存”): carried by a cookie
    that page reads and clears, so a refresh neither posts again nor repeats the message."""
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(
        FLASH_COOKIE,
        quote(message[:500]),
        max_age=120,
        path="/",
        httponly=True,
        secure=request.app.state.ctx.config.secure_cookies,
        samesite="strict",
    )
    return response


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    auth = getattr(request.state, "auth", None)
    context.setdefault("user", auth.user if auth else None)
    context.setdefault(
        "csrf_token",
        getattr(request.state, "csrf_token", None) or (auth.csrf_token if auth else ""),
    )
    flash = request.cookies.get(FLASH_COOKIE)
    context.setdefault("flash", unquote(flash) if flash else "")
    response = TEMPLATES.TemplateResponse(request, template, context, status_code=status_code)
    if flash:
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response
