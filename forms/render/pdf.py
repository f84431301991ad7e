"""HTML → PDF with WeasyPrint, fetching nothing but the project's own fonts and assets.

One FontConfiguration per process: a fresh one per document leaks memory and re-reads
the CJK fonts (DESIGN.md § Performance).
"""

from __future__ import annotations

import logging
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from forms.fonts import font_files
from forms.paths import ASSETS_DIR

log = logging.getLogger(__name__)


class RefusedFetch(Exception):
    """WeasyPrint asked for something outside the project's own assets."""


class SafeFetcher(URLFetcher):  # type: ignore[misc]
    """URL fetcher for WeasyPrint: data: URIs, our font files and templates/assets only.

    Everything else (http, ftp, file:///etc/passwd …) is refused and remembered, so a
    test — or an operator reading the log — can see what a document tried to load.
    """

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("data", "file"), allow_redirects=False)
        self.refused: list[str] = []
        self._lock = threading.Lock()

    @staticmethod
    def allowed_path(url: str) -> Path | None:
        parsed = urlparse(url)
        if parsed.scheme != "file" or parsed.netloc not in ("", "localhost"):
            return None
        path = Path(unquote(parsed.path)).resolve()
        if path in font_files():
            return path
        assets = ASSETS_DIR.resolve()
        if path.is_relative_to(assets) and path.is_file():
            return path
        return None

    def fetch(self, url: str, headers: Any = None) -> Any:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        path = self.allowed_path(url)
        if path is None:
            with self._lock:
                self.refused.append(url)
            log.warning("refused to fetch a resource outside the project's assets")
            raise RefusedFetch(f"拒绝读取外部资源：{url}")
        return URLFetcherResponse(path.as_uri(), path.read_bytes())


@lru_cache(maxsize=1)
def font_configuration() -> Any:
    return FontConfiguration()


def html_to_pdf(html: str, fetcher: SafeFetcher | None = None) -> bytes:
    fetcher = fetcher or SafeFetcher()
    document = HTML(string=html, base_url=ASSETS_DIR.as_uri() + "/", url_fetcher=fetcher)
    pdf: bytes = document.write_pdf(
        font_config=font_configuration(), uncompressed_pdf=False, custom_metadata=True
    )
    return pdf
