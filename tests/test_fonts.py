"""Real fonts, rare name characters, and no tofu: a character no font has is an error."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import pdf_text, squash
from forms import config, fonts
from forms.errors import RecordError
from forms.profiles import get_profile
from forms.registry import get_form
from forms.render.document import render_record, validate_record

KIND = get_form("return_notice")


def _render(data: dict[str, Any]) -> bytes:
    record = validate_record(KIND, data)
    return render_record(KIND, record, get_profile("liupu-2026"), ("pdf",))["pdf"]


def test_fandol_and_noto_are_found() -> None:
    report = fonts.font_report()
    found = {r["spec"] for r in report if r["found"]}
    assert "FandolFang-Regular.otf" in found and "Noto Serif CJK SC" in found
    for role in fonts.ROLES:
        assert any(r["found"] for r in report if r["role"] == role), role


@pytest.mark.parametrize("name", ["韦䶮", "韦𠮷", "韦堃", "张喆", "李昇", "阿卜杜拉·买买提"])
def test_rare_name_characters_print(
    sample: Callable[[str, str], dict[str, Any]], name: str
) -> None:
    data = sample("return_notice", "liupu-2026")
    data["student"]["name"] = name
    text = squash(pdf_text(_render(data)))
    assert f"你（们）的子女{name}" in text


def test_pdf_embeds_the_project_fangsong(sample: Callable[[str, str], dict[str, Any]]) -> None:
    import io

    import pdfplumber

    pdf = _render(sample("return_notice", "liupu-2026"))
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        names = {c["fontname"].split("+")[-1] for c in doc.pages[0].chars}
    assert "bx-fang-0" in names  # FandolFang for the body
    assert "bx-song-0" in names  # FandolSong Bold for the title


@pytest.mark.parametrize("char", ["𠀀", "𱍐"])
def test_character_no_font_covers_is_a_clear_error(
    sample: Callable[[str, str], dict[str, Any]], char: str
) -> None:
    data = sample("return_notice", "liupu-2026")
    data["guardian"]["name"] = f"韦{char}"
    with pytest.raises(RecordError) as info:
        _render(data)
    message = str(info.value)
    assert f"“{char}”" in message and f"U+{ord(char):04X}" in message
    assert "监护人 › 监护人姓名" in message
    assert "无法排版" in message


def test_site_font_stack_override(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sample: Callable[[str, str], dict[str, Any]]
) -> None:
    """A site that lists only FandolFang gets an error for 䶮, which only Noto has."""
    conf = tmp_path / "baoxue.toml"
    conf.write_text('[fonts.stacks]\nfang = ["FandolFang-Regular.otf"]\n', encoding="utf-8")
    monkeypatch.setenv("BAOXUE_CONFIG", str(conf))
    config.load_config.cache_clear()
    fonts.font_stack.cache_clear()
    try:
        assert [f.spec for f in fonts.font_stack("fang")] == ["FandolFang-Regular.otf"]
        data = sample("return_notice", "liupu-2026")
        data["student"]["name"] = "韦䶮"
        with pytest.raises(RecordError, match="“䶮”（U\\+4DAE）"):
            _render(data)
    finally:
        monkeypatch.delenv("BAOXUE_CONFIG")
        config.load_config.cache_clear()
        fonts.font_stack.cache_clear()


def test_missing_font_folder_is_an_environment_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    conf = tmp_path / "baoxue.toml"
    conf.write_text(
        f'[fonts]\ndir = "{tmp_path}"\n[fonts.stacks]\nfang = ["FandolFang-Regular.otf"]\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("BAOXUE_CONFIG", str(conf))
    config.load_config.cache_clear()
    fonts.font_stack.cache_clear()
    try:
        with pytest.raises(fonts.FontError, match="找不到仿宋（正文）字体"):
            fonts.check_coverage([("姓名", "张三")])
    finally:
        monkeypatch.delenv("BAOXUE_CONFIG")
        config.load_config.cache_clear()
        fonts.font_stack.cache_clear()
