"""The font stacks of the official-document layout, and the guarantee of no tofu.

Each typographic role (FangSong body, Song title, Hei and Kai headings) has a stack:
project fonts from the font folder (Fandol, extracted by the set-up) first, then system
fonts found through fontconfig (Noto CJK SC) as fallback for rare characters. A site can
replace a stack in baoxue.toml. Before anything is rendered, every character of every
field is checked against the stack, so a character no font covers is a clear error, never
a blank box on a notice a guardian will sign.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from forms.config import load_config

ROLES: dict[str, str] = {
    "fang": "仿宋（正文）",
    "song": "小标宋（标题）",
    "songti": "宋体（页码）",
    "hei": "黑体（一级标题）",
    "kai": "楷体（二级标题）",
}

DEFAULT_STACKS: dict[str, list[str]] = {
    "fang": ["FandolFang-Regular.otf", "Noto Serif CJK SC"],
    "song": ["FandolSong-Bold.otf", "Noto Serif CJK SC"],
    "songti": ["FandolSong-Regular.otf", "Noto Serif CJK SC"],
    "hei": ["FandolHei-Regular.otf", "Noto Sans CJK SC"],
    "kai": ["FandolKai-Regular.otf", "Noto Serif CJK SC"],
}

# Names given to DOCX runs: fonts found on every Chinese Windows/WPS install.
DEFAULT_DOCX_FONTS: dict[str, str] = {
    "fang": "仿宋",
    "song": "宋体",
    "songti": "宋体",
    "hei": "黑体",
    "kai": "楷体",
}

# Characters that are layout, not content; never looked up.
_IGNORED = frozenset("\n\r\t \u3000")


class FontError(Exception):
    """No usable font: an environment problem (exit code 2)."""


class FontCoverageError(ValueError):
    """A value holds a character that no configured font can draw."""

    def __init__(self, field: str, char: str, role: str) -> None:
        self.field = field
        self.char = char
        self.role = role
        super().__init__(
            f"字段“{field}”中的字“{char}”（U+{ord(char):04X}）在已配置的{ROLES[role]}字体中都没有，"
            f"无法排版。请改用规范字，或在 baoxue.toml 中配置包含该字的字体（运行 baoxue fonts 查看当前字体）。"
        )


@dataclass(frozen=True)
class FontFace:
    """One resolved entry of a stack."""

    spec: str
    family: str  # CSS family name used in the stylesheet
    path: Path | None
    index: int
    origin: str  # "project" (our font folder / a file) or "system" (fontconfig)

    @property
    def found(self) -> bool:
        return self.path is not None and self.path.is_file()


def _fc_match(family: str) -> tuple[Path, int] | None:
    """Ask fontconfig for an installed family; None when it would only substitute."""
    if shutil.which("fc-match") is None:
        return None
    result = subprocess.run(
        ["fc-match", "--format=%{file}|%{index}|%{family}", family],
        capture_output=True,
        text=True,
        check=False,
    )
    parts = result.stdout.split("|")
    if result.returncode != 0 or len(parts) != 3:
        return None
    file, index, families = parts
    if family.lower() not in [f.strip().lower() for f in families.split(",")]:
        return None
    return Path(file), int(index or 0)


def _resolve(spec: str, role: str, position: int, font_dir: Path) -> FontFace:
    family_name, _, file_part = spec.partition(":") if ":" in spec else ("", "", spec)
    if file_part.lower().endswith((".otf", ".ttf", ".ttc", ".otc")):
        path = Path(file_part)
        if not path.is_absolute():
            path = font_dir / path
        family = family_name or f"bx-{role}-{position}"
        return FontFace(spec, family, path if path.is_file() else None, 0, "project")
    matched = _fc_match(spec)
    if matched is None:
        return FontFace(spec, spec, None, 0, "system")
    return FontFace(spec, spec, matched[0], matched[1], "system")


@cache
def font_stack(role: str) -> tuple[FontFace, ...]:
    config = load_config()
    specs = config.font_stacks.get(role, DEFAULT_STACKS[role])
    return tuple(_resolve(s, role, i, config.font_dir) for i, s in enumerate(specs))


def docx_font_name(role: str) -> str:
    return load_config().docx_fonts.get(role, DEFAULT_DOCX_FONTS[role])


@cache
def _cmap(path: Path, index: int) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(str(path), fontNumber=index, lazy=True) as font:
        return frozenset(font.getBestCmap())


def usable_faces(role: str) -> list[FontFace]:
    faces = [f for f in font_stack(role) if f.found]
    if not faces:
        specs = "、".join(f.spec for f in font_stack(role))
        raise FontError(
            f"找不到{ROLES[role]}字体（已配置：{specs}）。请先运行 make demo 或 make setup 安装字体，"
            f"或在 baoxue.toml 中指向已安装的字体。"
        )
    return faces


def covered(char: str, role: str) -> bool:
    return any(ord(char) in _cmap(f.path, f.index) for f in usable_faces(role) if f.path)


def check_coverage(values: Iterable[tuple[str, str]], role: str = "fang") -> None:
    """Raise FontCoverageError for the first character of any (field, value) no font draws."""
    for field, value in values:
        for char in value:
            if char not in _IGNORED and not covered(char, role):
                raise FontCoverageError(field, char, role)


def font_face_css() -> str:
    """@font-face rules for the project's font files and the family list of each role."""
    rules: list[str] = []
    for role in ROLES:
        for face in font_stack(role):
            if face.origin == "project" and face.found and face.path is not None:
                rules.append(
                    f'@font-face {{ font-family: "{face.family}"; '
                    f'src: url("{face.path.resolve().as_uri()}"); }}'
                )
        families = ", ".join(f'"{f.family}"' for f in font_stack(role) if f.found)
        rules.append(f":root {{ --font-{role}: {families}; }}")
    return "\n".join(rules)


def font_files() -> set[Path]:
    """Files the renderer may read for fonts (the URL fetcher's allow-list)."""
    return {
        f.path.resolve()
        for role in ROLES
        for f in font_stack(role)
        if f.origin == "project" and f.found and f.path is not None
    }


def font_report() -> list[dict[str, object]]:
    """What `baoxue fonts` prints: each role's stack, found or not, with glyph counts."""
    rows: list[dict[str, object]] = []
    for role, label in ROLES.items():
        for face in font_stack(role):
            rows.append(
                {
                    "role": role,
                    "label": label,
                    "spec": face.spec,
                    "origin": face.origin,
                    "found": face.found,
                    "path": str(face.path) if face.path else None,
                    "glyphs": len(_cmap(face.path, face.index)) if face.path else 0,
                    "docx_name": docx_font_name(role),
                }
            )
    return rows
