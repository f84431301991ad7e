"""OCR: an image of a page → text lines with boxes and confidence, in reading order.

The one place that runs the engine, RapidOCR with the PP-OCRv4 Chinese detection and
recognition models its wheel ships (rapidocr-onnxruntime: offline, nothing downloaded at run
time). The engine runs in a child process (audit/readers/ocr_process.py), where a page that
overruns its time limit can be stopped; it is created there once and kept for the child's life.

A page is deskewed from its boxes (a scan is rarely square: 1–3° is common), lines are grouped
by vertical overlap and read left to right, and ruled tables are rebuilt from the image
(audit/readers/ocr_grid.py), so the extractors read an OCR'd page as they read a PDF's text
layer. Words below the confidence threshold (checklists/evidence/ocr.yaml) are not used.
"""

from __future__ import annotations

import importlib.util
import logging
import math
import os
from dataclasses import dataclass, field
from functools import lru_cache
from statistics import median
from typing import Any

import numpy as np
from PIL import Image

from audit.readers.model import Block, Item, Table, clean
from forms.paths import CHECKLISTS_DIR
from forms.yamlload import load_yaml

log = logging.getLogger(__name__)

SETTINGS_FILE = CHECKLISTS_DIR / "evidence" / "ocr.yaml"
ENGINE = "RapidOCR PP-OCRv4"
# Skew below this (degrees) is left alone: rotating costs more than it gains.
MIN_SKEW = 0.15


@dataclass(frozen=True)
class Settings:
    min_confidence: float
    noise_floor: float
    render_dpi: int
    detect_max_side: int
    document_min_lines: int
    min_chars: int
    paper_share: float
    paper_min_brightness: int
    paper_max_saturation: int
    paper_min_contrast: float
    paper_levels_percentile: float
    paper_min_print: float
    max_periods_a_visit: int
    picture_page_min_area: float
    picture_page_max_lines: int
    corrections: tuple[tuple[str, str], ...]

    def correct(self, text: str) -> str:
        for wrong, right in self.corrections:
            text = text.replace(wrong, right)
        return text


@lru_cache(maxsize=1)
def settings() -> Settings:
    data: dict[str, Any] = load_yaml(SETTINGS_FILE.read_text(encoding="utf-8"))
    return Settings(
        min_confidence=float(data["min_confidence"]),
        noise_floor=float(data["noise_floor"]),
        render_dpi=int(data["render_dpi"]),
        detect_max_side=int(data["detect_max_side"]),
        document_min_lines=int(data["document_min_lines"]),
        min_chars=int(data["min_chars"]),
        paper_share=float(data["paper"]["share"]),
        paper_min_brightness=int(data["paper"]["min_brightness"]),
        paper_max_saturation=int(data["paper"]["max_saturation"]),
        paper_min_contrast=float(data["paper"]["min_contrast"]),
        paper_levels_percentile=float(data["paper"]["levels_percentile"]),
        paper_min_print=float(data["paper"]["min_print"]),
        max_periods_a_visit=int(data["max_periods_a_visit"]),
        picture_page_min_area=float(data["picture_page"]["min_area"]),
        picture_page_max_lines=int(data["picture_page"]["max_lines"]),
        corrections=tuple((str(k), str(v)) for k, v in (data.get("corrections") or {}).items()),
    )


@dataclass(frozen=True)
class OcrLimits:
    """How much OCR one read may do (from PackageLimits)."""

    pages: int = 200  # pages (or photos) put through the engine
    page_seconds: float = 30.0  # a page is stopped at this; the rest of its file is not tried
    start_seconds: float = 60.0  # for the OCR process to start (import, load the models)


def enabled() -> bool:
    """OCR runs unless BAOXUE_OCR=0 (or the engine is not installed)."""
    if os.environ.get("BAOXUE_OCR", "1").strip().lower() in {"0", "false", "no", "off"}:
        return False
    return _installed()


@lru_cache(maxsize=1)
def _installed() -> bool:
    """Whether the engine's package is there — looked up, not imported: importing it (with
    onnxruntime and OpenCV, ~0.1–1 s and 50 MB) is the OCR process's business, and a package
    with only meeting photos needs none of it. One that is there but cannot be imported (OpenCV
    without libGL) fails to start the OCR process, which says so once (ocr_process.py)."""
    if importlib.util.find_spec("rapidocr_onnxruntime") is None:
        log.warning("OCR unavailable: rapidocr-onnxruntime is not installed")
        return False
    return True


_threads = -1  # onnxruntime's threads for this process's engine (-1: a thread per core)


def use_threads(threads: int) -> None:
    """Set the engine's onnxruntime threads (before it is created). The OCR process of a worker
    process (audit/parallel.py) asks for one: the workers are the parallelism, and onnxruntime's
    own threads on top of them fight for the same cores (audit/readers/ocr_process.py)."""
    global _threads
    if threads != _threads:
        _threads = threads
        engine.cache_clear()


@lru_cache(maxsize=1)
def engine() -> Any:
    """The engine of this process, created once (loading the models takes ~0.3 s).

    Its angle classifier is off: it turns some upright lines of a scanned form upside down
    (and reads them as “《”); photos are turned upright from their EXIF orientation instead.
    """
    from rapidocr_onnxruntime import RapidOCR

    config = settings()
    return RapidOCR(
        text_score=config.noise_floor,
        use_cls=False,
        max_side_len=config.detect_max_side,
        intra_op_num_threads=_threads,
    )


Box = tuple[float, float, float, float]  # x0, y0, x1, y1


@dataclass(frozen=True)
class Word:
    """One recognised text box, in the deskewed page's pixels."""

    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    confidence: float
    chars: tuple[Box, ...] = ()  # each character's box, if known

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    @property
    def height(self) -> float:
        return self.y1 - self.y0


@dataclass
class Recognised:
    """What the engine saw on one image: words kept and dropped, and the deskewed image."""

    image: Image.Image  # grayscale, deskewed
    words: list[Word] = field(default_factory=list)  # at or above the threshold
    dropped: list[Word] = field(default_factory=list)  # below it: not used

    @property
    def legible(self) -> bool:
        return sum(len(w.text.strip()) for w in self.words) >= settings().min_chars


def recognise(image: Image.Image) -> Recognised:
    """Run the engine on one page image; words in reading coordinates (skew removed)."""
    gray = image.convert("L")
    config = settings()
    # the characters' own boxes too: a signature judged from ink (audit/readers/ink.py) must
    # know which ink the recognised characters explain, not just their line's box
    raw, _ = engine()(
        np.asarray(gray.convert("RGB")),
        return_word_box=True,
        text_score=config.noise_floor,
        box_thresh=BOX_THRESH,
        unclip_ratio=UNCLIP_RATIO,
    )
    quads: list[tuple[list[tuple[float, float]], str, float, list[Any]]] = [
        (
            _points(entry[0]),
            str(entry[1]),
            float(entry[2]),
            list(entry[3]) if len(entry) > 3 and entry[3] else [],
        )
        for entry in (raw or [])
    ]
    angle = _skew([points for points, *_ in quads])
    turned = abs(angle) >= MIN_SKEW
    if turned:
        gray = gray.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=255)
    centre = (gray.width / 2, gray.height / 2)
    found = Recognised(image=gray)
    for points, text, score, char_quads in quads:
        if not text.strip():
            continue
        if turned:
            points = [_rotate(p, centre, angle) for p in points]
        chars = tuple(
            _extent([_rotate(p, centre, angle) if turned else p for p in _points(q)])
            for q in char_quads
        )
        word = Word(*_extent(points), config.correct(text.strip()), score, chars)
        (found.words if score >= config.min_confidence else found.dropped).append(word)
    return found


# The engine's own defaults, restated: passing any option to a call resets the others to these.
BOX_THRESH = 0.5
UNCLIP_RATIO = 1.6


def _points(quad: Any) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in quad]


def _extent(points: list[tuple[float, float]]) -> Box:
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def _skew(boxes: list[list[tuple[float, float]]]) -> float:
    """The page's skew in degrees (PIL's sense), from the top edges of wide boxes."""
    angles = []
    for points in boxes:
        (x0, y0), (x1, y1), _, (_, y3) = points
        width, height = math.hypot(x1 - x0, y1 - y0), abs(y3 - y0)
        if width > 2 * max(height, 1):
            angles.append(math.degrees(math.atan2(y1 - y0, x1 - x0)))
    return median(angles) if len(angles) >= 3 else 0.0


def _rotate(
    point: tuple[float, float], centre: tuple[float, float], angle: float
) -> tuple[float, float]:
    """Where PIL's rotate(angle) about `centre` moves `point`."""
    a = math.radians(angle)
    dx, dy = point[0] - centre[0], point[1] - centre[1]
    return (
        centre[0] + dx * math.cos(a) + dy * math.sin(a),
        centre[1] - dx * math.sin(a) + dy * math.cos(a),
    )


def text_lines(words: list[Word]) -> list[list[Word]]:
    """Words grouped into lines (they overlap vertically by half), each read left to right."""
    lines: list[list[Word]] = []
    spans: list[tuple[float, float]] = []
    for word in sorted(words, key=lambda w: w.cy):
        for index, (top, bottom) in enumerate(spans):
            overlap = min(bottom, word.y1) - max(top, word.y0)
            if overlap >= 0.5 * min(bottom - top, word.height):
                lines[index].append(word)
                spans[index] = (min(top, word.y0), max(bottom, word.y1))
                break
        else:
            lines.append([word])
            spans.append((word.y0, word.y1))
    ordered = sorted(zip(spans, lines, strict=True), key=lambda s: s[0][0])
    return [sorted(line, key=lambda w: w.x0) for _, line in ordered]


def lowest(words: list[Word]) -> float | None:
    """The confidence a fact resting on these words carries: that of the weakest."""
    return round(min(w.confidence for w in words), 3) if words else None


def page_items(found: Recognised, page: int) -> list[Item]:
    """The page's lines as Blocks, then the tables rebuilt from its rules or columns."""
    from audit.readers.ocr_grid import page_tables

    items: list[Item] = [
        Block(" ".join(clean(w.text) for w in line), page, ocr=lowest(line))
        for line in text_lines(found.words)
    ]
    tables: list[Table] = page_tables(found, page)
    return [*items, *tables]


PAPER_THUMBNAIL = 160  # px, the long side a photo is judged at (ocr.yaml `paper:`)


def looks_like_paper(image: Image.Image) -> bool:
    """Whether a photo may hold a paper: mostly bright and colourless, with marks on it. Judged
    on a thumbnail, so a meeting photo is turned away in milliseconds, not a second of text
    detection (and a blank or one-colour picture is not read at all). A paper in dim light or
    half in shadow is bright after auto-levels — and then must also be covered in small dark
    marks (print), which a beige wall brightened the same way is not."""
    s = settings()
    small = image.convert("RGB")
    small.thumbnail((PAPER_THUMBNAIL, PAPER_THUMBNAIL))
    hsv = np.asarray(small.convert("HSV"))
    if not hsv.size:
        return False
    value = hsv[..., 2].astype(np.float32)
    if float(value.std()) < s.paper_min_contrast:
        return False
    colourless = hsv[..., 1] <= s.paper_max_saturation
    if float(((value >= s.paper_min_brightness) & colourless).mean()) >= s.paper_share:
        return True
    top = float(np.percentile(value, s.paper_levels_percentile))
    levelled = np.minimum(value * (255.0 / top), 255.0) if top > 0 else value
    if float(((levelled >= s.paper_min_brightness) & colourless).mean()) < s.paper_share:
        return False
    return _print_share(image) >= s.paper_min_print


PRINT_THUMBNAIL = 400  # px: print is still a mark of its own at this size (A4: lines ~7 px)
PRINT_DEPTH = 25  # grey levels darker than its surroundings that make a pixel print


def _print_share(image: Image.Image) -> float:
    """The share of a thumbnail that is small dark marks on a lighter ground (a morphological
    black-hat: what closing a 5 px square fills in)."""
    import cv2

    gray = image.convert("L")
    gray.thumbnail((PRINT_THUMBNAIL, PRINT_THUMBNAIL))
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5))
    marks = cv2.morphologyEx(np.asarray(gray), cv2.MORPH_BLACKHAT, kernel)
    return float((marks > PRINT_DEPTH).mean())
