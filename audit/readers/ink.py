"""Handwriting judged present or absent, never read: ink in a form's signature box that no
legible word explains.

A scanned form is signed by hand (班主任意见 同意 王某, 签字：<a scrawl>, a sign-in sheet's 签名
column). The recogniser reads print; a signature it reads poorly or not at all. So in a cell
where a signature belongs — its own printed text, its row's label or its column's heading says
签字/签名/意见/审批 … (checklists/evidence/ocr.yaml `signature:`) — the ink left after removing
the legible words' boxes, the rules and speckle is measured: strokes at least a fraction of the
page's text height tall and enough of them are a signature, and the cell reads 〔手写签名〕 at the
place the ink is. A printed blank (＿＿＿) is too flat to count; an empty box stays empty.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from statistics import median
from typing import Any

import numpy as np
import numpy.typing as npt

from audit.readers.ocr import SETTINGS_FILE, Box, Word
from forms.yamlload import load_yaml

Mask = npt.NDArray[np.bool_]

# What a judged signature reads as in the cell's text: a mark, not a name. It is none of the
# blanks or refusals the extractors look for, so an approver's box holding it is signed.
MARK = "〔手写签名〕"
INSET = 5  # px kept clear of a cell's rules (a deskewed rule wanders a pixel or two)
WORD_MARGIN = 2  # px above and below a legible word's box that is its own ink
RULE_WIDTH = 0.1  # of the line height: a stroke this thin at a cell's side is its rule
CHAR_MARGIN = 0.15  # of the line height, either side of a character's box (its edge strokes)


@dataclass(frozen=True)
class SignatureSettings:
    labels: re.Pattern[str]  # a cell, row label or column heading where a signature belongs
    min_height: float  # a stroke's height, as a share of the page's median text height
    min_ink: float  # the strokes' area, in squares of the text height
    min_mark: float  # the same, for ink outside every box the engine found (a tick)


@lru_cache(maxsize=1)
def settings() -> SignatureSettings:
    data: dict[str, Any] = load_yaml(SETTINGS_FILE.read_text(encoding="utf-8"))["signature"]
    labels = "|".join(re.escape(str(label)) for label in data["labels"])
    return SignatureSettings(
        labels=re.compile(labels),
        min_height=float(data["min_height"]),
        min_ink=float(data["min_ink"]),
        min_mark=float(data["min_mark"]),
    )


def belongs(*texts: str) -> bool:
    """Whether any of a cell's own text, its row label and its column heading asks for one."""
    pattern = settings().labels
    return any(pattern.search(text) for text in texts if text)


def text_height(words: list[Word]) -> float:
    """The page's typical line height in pixels (its printed text)."""
    return float(median(w.height for w in words)) if words else 0.0


def unexplained(dark: Mask, words: list[Word]) -> Mask:
    """Ink that is not speckle and lies outside every legible word's box."""
    # a pixel with fewer than two dark neighbours (of four) is scanner noise or JPEG ringing
    neighbours = np.zeros(dark.shape, np.uint8)
    neighbours[1:] += dark[:-1]
    neighbours[:-1] += dark[1:]
    neighbours[:, 1:] += dark[:, :-1]
    neighbours[:, :-1] += dark[:, 1:]
    return cleared(dark & (neighbours >= 2), words)


def cleared(ink: Mask, words: list[Word]) -> Mask:
    """`ink` without what these words' characters explain."""
    ink = ink.copy()
    height, width = ink.shape
    for w in words:
        # a recognised character explains the ink of its box; a line's box (“签字：M”) may
        # also hold a scrawl the recogniser made nothing of, so it is cleared only without them
        side = CHAR_MARGIN * w.height
        for x0f, y0f, x1f, y1f in w.chars or ((w.x0, w.y0, w.x1, w.y1),):
            x0, y0 = max(0, int(x0f - side)), max(0, int(min(y0f, w.y0)) - WORD_MARGIN)
            x1 = min(width, int(x1f + side) + 1)
            y1 = min(height, int(max(y1f, w.y1)) + WORD_MARGIN + 1)
            ink[y0:y1, x0:x1] = False
    return ink


Stats = list[tuple[int, int, int, int, int]]  # left, top, width, height, area


def _strokes(ink: Mask, line_height: float) -> Stats:
    """The region's strokes tall enough to be handwriting, not a rule's edge left inside."""
    import cv2

    count, _, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    width = ink.shape[1]
    tall = settings().min_height * line_height
    found: Stats = []
    for left, top, w, h, area in (tuple(int(v) for v in row) for row in stats[1:count]):
        thin = w <= RULE_WIDTH * line_height
        if thin and (left == 0 or left + w >= width):
            continue  # a vertical rule's edge the inset did not clear
        if h >= tall:
            found.append((left, top, w, h, area))
    return found


def mark_in(ink: Mask, bare: Mask, box: Box, line_height: float) -> Word | None:
    """A signature's mark in `box` (x0, y0, x1, y1: a cell inside its rules), or None. `ink` is
    what no legible word explains, `bare` that outside every box the engine found at all: a
    tick (√) is too little ink to tell from a half-read printed word, but the engine did not
    find it as text. Its confidence is 1.0 but it never counts towards a fact's OCR confidence
    (ocr_grid.py)."""
    if line_height <= 0:
        return None
    config = settings()
    x0, y0 = int(box[0]) + INSET, int(box[1]) + INSET
    x1, y1 = int(box[2]) - INSET, int(box[3]) - INSET
    if x1 <= x0 or y1 <= y0 or not ink[y0:y1, x0:x1].any():
        return None
    square = line_height * line_height
    strokes = _strokes(ink[y0:y1, x0:x1], line_height)
    if sum(s[4] for s in strokes) < config.min_ink * square:
        strokes = _strokes(bare[y0:y1, x0:x1], line_height)
        if sum(s[4] for s in strokes) < config.min_mark * square:
            return None
    left = min(s[0] for s in strokes)
    top = min(s[1] for s in strokes)
    right = max(s[0] + s[2] for s in strokes)
    bottom = max(s[1] + s[3] for s in strokes)
    return Word(x0 + left, y0 + top, x0 + right, y0 + bottom, MARK, 1.0)
