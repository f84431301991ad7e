"""Which photos are worth reading: a photographed paper is, a meeting photo is not.

Every photo went through text detection (about a second each): a package of meeting photos
cost more than its thousand PDF pages. A thumbnail's brightness and colour now decide first.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fixtures.packages.docs import jpeg, photo_of
from PIL import Image, ImageDraw
from test_audit_ocr_signatures import PERIOD

from audit.readers import read_bytes
from audit.readers.ocr import looks_like_paper
from audit.run import read_facts


@pytest.fixture(scope="module")
def form_photo() -> Image.Image:
    from fixtures.packages.build import package_path

    record = next(package_path("compliant").rglob("*.pdf"))
    return Image.open(io.BytesIO(photo_of(record.read_bytes()))).convert("RGB")


def _scene() -> Image.Image:
    """A meeting room: a red banner with white characters, people in dark clothes, a wall."""
    rng = np.random.default_rng(7)
    pixels = np.full((600, 800, 3), (150, 132, 110), dtype=np.uint8)  # a wall, lit indoors
    pixels[40:120, 100:700] = (190, 30, 30)  # the banner
    for x in range(80, 760, 60):
        pixels[300:600, x : x + 40] = rng.integers(20, 90, 3)  # people
    image = Image.fromarray(pixels)
    draw = ImageDraw.Draw(image)
    for x in range(130, 680, 40):
        draw.rectangle((x, 60, x + 24, 100), fill=(250, 250, 250))  # the banner's characters
    return image


def test_a_meeting_photo_is_not_put_through_the_engine() -> None:
    out = io.BytesIO()
    _scene().save(out, "JPEG", quality=80)
    result = read_bytes("IMG_20250904_153012.jpg", out.getvalue())
    assert result.is_image and result.ocr_count == 0 and not result.items


def test_one_colour_pictures_are_not_paper() -> None:
    for colour in ((240, 240, 240), (200, 180, 150), (120, 160, 200)):
        assert not looks_like_paper(Image.open(io.BytesIO(jpeg(None, colour))))


def test_a_photographed_form_is_paper_also_in_warm_light(form_photo: Image.Image) -> None:
    assert looks_like_paper(form_photo)
    warm = np.asarray(form_photo).astype(float) * (1.0, 0.9, 0.72)  # a tungsten lamp
    assert looks_like_paper(Image.fromarray(warm.astype(np.uint8)))
    assert not looks_like_paper(_scene())


@pytest.mark.parametrize(("keystone", "shade"), [(0.02, 0.35), (0.04, 0.55), (0.08, 0.7)])
def test_a_form_photographed_on_a_desk_at_an_angle_in_dim_light(
    tmp_path: Path, keystone: float, shade: float
) -> None:
    """A phone photo of a form lying on a desk: the far edge narrower (keystone), one side in
    shadow, warm light, the desk round it. The pre-filter turned the dim ones away (the paper
    under 160 in brightness); the form's facts must equal the born-digital ones."""
    from fixtures.packages.docs import phone_photo
    from test_audit_ocr_signatures import _read, _render

    pdf = _render("home_teaching_record", "home_teaching_record")
    born = _read(tmp_path, "送教上门记录表", pdf)
    photo = phone_photo(pdf, keystone=keystone, shade=shade, taken="2025:10:15 11:20:00")
    folder = tmp_path / "photo"
    folder.mkdir()
    (folder / "IMG_20251015_112000.jpg").write_bytes(photo)
    shot = read_facts(folder, PERIOD)

    def sessions(facts: Any) -> list[tuple[Any, ...]]:
        return [(s.student, s.date, s.periods, s.minutes_per_period) for s in facts.sessions]

    assert sessions(shot) == sessions(born) != []
    (entry,) = shot.files
    assert entry.kind == "home_teaching_record"
