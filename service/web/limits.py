"""Reject request bodies over the upload limit before they are read (pure ASGI middleware)."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.blobs import format_size


class BodyTooLarge(Exception):
    pass


def too_large_message(limit: int) -> str:
    return (
        f"上传的文件太大：超过上限 {format_size(limit)}。请压缩或拆分后再上传，已有数据不受影响。"
    )


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit
        self.overhead = 64 * 1024  # multipart boundaries and form fields

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap = self.limit + self.overhead
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > cap:
            await self._reject(scope, send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > cap:
                    raise BodyTooLarge()
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._reject(scope, send)

    async def _reject(self, scope: Scope, send: Send) -> None:
        message = too_large_message(self.limit)
        path: str = scope.get("path", "")
        body: bytes
        content_type: bytes
        if path.startswith("/api/"):
            body = json.dumps({"detail": message}, ensure_ascii=False).encode("utf-8")
            content_type = b"application/json"
        else:
            body = _page(message).encode("utf-8")
            content_type = b"text/html; charset=utf-8"
        headers: list[Any] = [(b"content-type", content_type), (b"connection", b"close")]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _page(message: str) -> str:
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<title>文件太大</title><link rel="stylesheet" href="/static/site.css"></head>'
        f'<body><main id="main"><h1>文件太大</h1><p role="alert">{message}</p>'
        '<p><a href="/">返回首页</a></p></main></body></html>'
    )
