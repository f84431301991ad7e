"""Site configuration: an optional `baoxue.toml` that overrides the font stack.

Looked up from $BAOXUE_CONFIG, then ./baoxue.toml, then the project root. Example:

    [fonts]
    dir = "/opt/fonts"
    [fonts.stacks]
    fang = ["仿宋_GB2312:/opt/fonts/FangSong_GB2312.ttf", "Noto Serif CJK SC"]
    [docx_fonts]
    fang = "仿宋_GB2312"
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from forms.paths import DEFAULT_FONT_DIR, PROJECT_ROOT


class ConfigError(Exception):
    """The site configuration file cannot be used."""


@dataclass(frozen=True)
class Config:
    path: Path | None = None
    font_dir: Path = DEFAULT_FONT_DIR
    font_stacks: dict[str, list[str]] = field(default_factory=dict)
    docx_fonts: dict[str, str] = field(default_factory=dict)


def _candidates() -> list[Path]:
    env = os.environ.get("BAOXUE_CONFIG")
    if env:
        return [Path(env)]
    return [Path.cwd() / "baoxue.toml", PROJECT_ROOT / "baoxue.toml"]


def _str_list_map(raw: Any, key: str, path: Path) -> dict[str, list[str]]:
    if not isinstance(raw, dict) or not all(
        isinstance(v, list) and all(isinstance(s, str) for s in v) for v in raw.values()
    ):
        raise ConfigError(f"{path}: {key} 应为“角色 = [字体, …]”的表")
    return {str(k): list(v) for k, v in raw.items()}


@lru_cache(maxsize=1)
def load_config() -> Config:
    for path in _candidates():
        if not path.is_file():
            if os.environ.get("BAOXUE_CONFIG"):
                raise ConfigError(f"找不到配置文件 {path}（来自环境变量 BAOXUE_CONFIG）")
            continue
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: 配置文件格式错误：{exc}") from exc
        fonts = data.get("fonts", {})
        font_dir = Path(fonts["dir"]) if "dir" in fonts else DEFAULT_FONT_DIR
        stacks = _str_list_map(fonts.get("stacks", {}), "fonts.stacks", path)
        docx = data.get("docx_fonts", {})
        if not isinstance(docx, dict) or not all(isinstance(v, str) for v in docx.values()):
            raise ConfigError(f"{path}: docx_fonts 应为“角色 = 字体名”的表")
        return Config(path=path, font_dir=font_dir, font_stacks=stacks, docx_fonts=dict(docx))
    return Config()
