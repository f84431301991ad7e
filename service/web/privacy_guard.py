"""The last line of the personal-data rule: no full 身份证号 leaves the service for a role
without the right to it (pure ASGI middleware, after every route has done its part).

Routes already give such roles masked renditions (viewing copies of documents and batches,
audit exports from a masked report). This guard holds each response to them: text (HTML,
JSON, CSV) has any valid 18-digit ID number masked; a file (PDF, Word, Excel, zip) that still
carries one is refused with 403 rather than sent — so a route added later cannot leak one.
Images are passed (they are not read; previews are rendered from viewing copies).
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from typing import Any

import anyio.to_thread
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from forms.viewcopy import find_id_numbers, mask_data, mask_text
from service.privacy import ids_in_file
from service.scope import sees_full_ids

REFUSED = (
    "这个文件含有完整的身份证号，您的角色不能下载。"
    "请在学校文员处查看原件，或请学校上传隐去身份证号的版本。"
)
_TEXT_TYPES = ("text/", "application/json", "application/javascript", "application/xml")
_IMAGE_TYPES = ("image/",)
OWN_FILES = ("/static/", "/favicon.ico")
_CHECKED: OrderedDict[str, bool] = OrderedDict()  # sha256 of a file → it carries an ID
_CHECKED_MAX = 512


def _role(scope: Scope) -> str | None:
    auth = (scope.get("state") or {}).get("auth")
    user = getattr(auth, "user", None)
    return getattr(user, "role", None)


def _file_carries_ids(body: bytes, filename: str) -> bool:
    key = hashlib.sha256(body).hexdigest()
    if key in _CHECKED:
        _CHECKED.move_to_end(key)
        return _CHECKED[key]
    found = bool(ids_in_file(body, filename))
    _CHECKED[key] = found
    while len(_CHECKED) > _CHECKED_MAX:
        _CHECKED.popitem(last=False)
    return found


def _filename(headers: MutableHeaders) -> str:
    disposition = headers.get("content-disposition", "")
    for part in disposition.split(";"):
        key, _, value = part.strip().partition("=")
        if key.lower() in ("filename", "filename*"):
            return value.strip('"').rsplit("'", 1)[-1]
    return ""


def _masked_text(body: bytes, content_type: str) -> bytes | None:
    """The body with every ID number masked, or None when it holds none."""
    bom = b"\xef\xbb\xbf" if body.startswith(b"\xef\xbb\xbf") else b""  # errors.csv for Excel
    text = body[len(bom) :].decode("utf-8", errors="replace")
    if not find_id_numbers(text):
        return None
    if content_type.startswith("application/json"):
        try:
            data: Any = json.loads(text)
        except ValueError:
            return bom + mask_text(text).encode("utf-8")
        return json.dumps(mask_data(data), ensure_ascii=False).encode("utf-8")
    return bom + mask_text(text).encode("utf-8")


def refusal(path: str) -> tuple[bytes, str]:
    if path.startswith("/api/"):
        return json.dumps({"detail": REFUSED}, ensure_ascii=False).encode(), "application/json"
    page = (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<title>不能下载</title><link rel="stylesheet" href="/static/site.css"></head>'
        f'<body><main id="main"><h1>不能下载</h1><p role="alert">{REFUSED}</p>'
        '<p><a href="javascript:history.back()">返回</a></p></main></body></html>'
    )
    return page.encode("utf-8"), "text/html; charset=utf-8"


class PersonalDataGuard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path", "").startswith(OWN_FILES):
            await self.app(scope, receive, send)  # the project's own scripts, styles, icon
            return
        extensions = scope.get("extensions") or {}
        if "http.response.pathsend" in extensions:  # every body must pass through here
            scope = {**scope, "extensions": {
                k: v for k, v in extensions.items() if k != "http.response.pathsend"
            }}  # fmt: skip
        start: Message | None = None
        passthrough = False
        chunks: list[bytes] = []

        async def guarded(message: Message) -> None:
            nonlocal start, passthrough
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                kind = headers.get("content-type", "")
                if sees_full_ids(_role(scope)) or kind.startswith(_IMAGE_TYPES):
                    passthrough = True
                    await send(message)
                    return
                start = message
                return
            if passthrough or message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            await self._send_guarded(scope, start, b"".join(chunks), send)

        await self.app(scope, receive, guarded)

    async def _send_guarded(self, scope: Scope, start: Message, body: bytes, send: Send) -> None:
        headers = MutableHeaders(scope=start)
        kind = headers.get("content-type", "")
        for name in ("content-disposition", "location"):
            if name in headers and find_id_numbers(headers[name]):
                headers[name] = mask_text(headers[name])
        status = start["status"]
        if body and scope.get("method") != "HEAD":
            if kind.startswith(_TEXT_TYPES):
                masked = _masked_text(body, kind)
                if masked is not None:
                    body = masked
            elif await anyio.to_thread.run_sync(_file_carries_ids, body, _filename(headers)):
                body, kind = refusal(scope.get("path", ""))
                status = 403
                headers["content-type"] = kind
                if "content-disposition" in headers:
                    del headers["content-disposition"]
        if "content-length" in headers:
            headers["content-length"] = str(len(body))
        await send({**start, "status": status, "headers": headers.raw})
        await send({"type": "http.response.body", "body": body, "more_body": False})
