"""Where the project's own data lives: templates, checklists, fonts; and where the user's
data goes by default.

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


DATA_DIR_NAME = "baoxue-data"


def default_data_dir() -> Path:
    """The user's data — the service's database and files, the command line's case store —
    in $BAOXUE_DATA, else ./baoxue-data: personal data, out of the way of the code and
    ignored by git (.gitignore)."""
    return Path(os.environ.get("BAOXUE_DATA") or Path.cwd() / DATA_DIR_NAME)
