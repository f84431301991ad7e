"""Where the project's own data lives: templates, checklists, fonts.

The package is installed in editable mode, so the data folders sit beside it in the
project root; BAOXUE_HOME points elsewhere for an unusual install.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(os.environ.get("BAOXUE_HOME", Path(__file__).resolve().parent.parent))
TEMPLATES_DIR = PROJECT_ROOT / "templates"
ASSETS_DIR = TEMPLATES_DIR / "assets"
CHECKLISTS_DIR = PROJECT_ROOT / "checklists"
PROFILES_DIR = CHECKLISTS_DIR / "profiles"
SAMPLES_DIR = PROJECT_ROOT / "forms" / "samples"
DEFAULT_FONT_DIR = PROJECT_ROOT / "fonts"
SEEDS_NAMES = ("000", "001", "002", "003", "004")
