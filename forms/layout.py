"""GB/T 9704-2012 page geometry, the one source for the PDF stylesheet and the DOCX writer.

A4; type area 156 × 225 mm, 37 mm from the top and 28 mm from the left; body 3号 (16 pt)
FangSong, 22 lines of 28 characters. The character grid (156 mm / 28) is tighter than a
16 pt em, so characters sit on a 15.78 pt pitch — letter-spacing −0.22 pt, as Word's
document grid does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MM_PER_PT = 25.4 / 72


def mm_to_pt(mm: float) -> float:
    return mm / MM_PER_PT


@dataclass(frozen=True)
class Layout:
    page_width_mm: float = 210.0
    page_height_mm: float = 297.0
    top_mm: float = 37.0
    left_mm: float = 28.0
    area_width_mm: float = 156.0
    area_height_mm: float = 225.0
    body_pt: float = 16.0  # 3号
    title_pt: float = 22.0  # 2号
    page_number_pt: float = 14.0  # 4号
    lines_per_page: int = 22
    chars_per_line: int = 28
    page_number_gap_mm: float = 7.0  # page number sits 7 mm below the type area
    # The tear-off 回执 is a slip, not body text: 小四 (12 pt) on an 18 pt pitch so that a
    # notice and its receipt fit one sheet.
    slip_pt: float = 12.0
    slip_pitch_pt: float = 18.0
    # Form tables (表): 小四 on a 20 pt pitch, as printed registration forms are, so a form
    # with its opinion boxes fits one sheet. Cell padding is the same in PDF and DOCX.
    form_pt: float = 12.0
    form_pitch_pt: float = 20.0
    cell_pad_h_pt: float = 4.0
    cell_pad_v_pt: float = 2.0
    # The identity QR code: bottom-left corner of a document's first page, in the margin
    # below the type area and left of it, clear of the page number (which sits inside the
    # type area's width) and of the binding staples (70 mm from the type area's edges).
    qr_size_mm: float = 18.0
    qr_left_mm: float = 8.0  # from the page's left edge
    qr_top_mm: float = 269.0  # from the page's top edge

    @property
    def right_mm(self) -> float:
        return self.page_width_mm - self.left_mm - self.area_width_mm

    @property
    def bottom_mm(self) -> float:
        return self.page_height_mm - self.top_mm - self.area_height_mm

    @property
    def line_pitch_pt(self) -> float:
        # Rounded down to 0.01 pt: 22 × 28.991 overflows 225 mm by a hair and drops a line.
        return math.floor(mm_to_pt(self.area_height_mm) / self.lines_per_page * 100) / 100

    @property
    def char_pitch_pt(self) -> float:
        return mm_to_pt(self.area_width_mm) / self.chars_per_line

    @property
    def letter_spacing_pt(self) -> float:
        # Rounded down to 0.01 pt so 28 characters always fit (−0.207 leaves room for 27).
        return -0.22

    @property
    def indent_pt(self) -> float:
        """A first-line indent of two grid characters, not 2 em."""
        return round(2 * self.char_pitch_pt, 2)

    @property
    def signature_right_pt(self) -> float:
        """成文日期 right-aligned with four characters of space on the right."""
        return round(4 * self.char_pitch_pt, 2)


GBT9704 = Layout()
