"""The documentation's example commands run as written on a fresh clone (issue 23 §6): the
roster and the defaults file they use are shipped in examples/, and the defaults file shown
is the one shipped."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parent.parent
BAOXUE = ROOT / ".venv/bin/baoxue"


def _pages() -> dict[str, str]:
    pages = {"README.md": (ROOT / "README.md").read_text(encoding="utf-8")}
    for path in sorted((ROOT / "docs").glob("*.md")):
        pages[f"docs/{path.name}"] = path.read_text(encoding="utf-8")
    return pages


def _commands(text: str) -> list[str]:
    """Every `baoxue …` line of a shell block, continuation lines joined, comments cut."""
    found = []
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.S):
        for line in block.replace("\\\n", " ").splitlines():
            line = re.sub(r"\s+#.*$", "", line).strip()
            if line.startswith("baoxue "):
                found.append(re.sub(r"\s+", " ", line))
    return found


def example_commands() -> list[tuple[str, str]]:
    """The commands whose inputs are shipped files (examples/, forms/samples/)."""
    out = []
    for page, text in _pages().items():
        for command in _commands(text):
            if "examples/" in command or "forms/samples/" in command:
                out.append((page, command))
    return out


def test_the_batch_example_is_documented_with_shipped_files() -> None:
    batch = [c for _, c in example_commands() if c.startswith("baoxue batch ")]
    assert any("--defaults examples/劝返默认值.yaml" in c and "--duplex" in c for c in batch), batch
    assert (ROOT / "examples/花名册.xlsx").is_file()
    assert (ROOT / "examples/劝返默认值.yaml").is_file()


@pytest.mark.parametrize(("page", "command"), example_commands())
def test_example_runs_as_written(page: str, command: str, tmp_path: Path) -> None:
    """Run in a folder holding only the files the command names (as a fresh clone has them)."""
    args = shlex.split(command)
    for arg in args:
        source = ROOT / arg
        if not arg.startswith("-") and "/" in arg and source.is_file():
            (tmp_path / arg).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, tmp_path / arg)
    result = subprocess.run(
        [str(BAOXUE), *args[1:]], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, f"{page}: {command}\n{result.stdout}\n{result.stderr}"
    outputs = [args[i + 1] for i, a in enumerate(args[:-1]) if a in ("-o", "--merged")]
    assert outputs
    for name in outputs:
        assert (tmp_path / name).is_file() and (tmp_path / name).stat().st_size > 0, name
    if args[1] == "batch":
        merged = tmp_path / args[args.index("--merged") + 1]
        pdf = pdfium.PdfDocument(merged)
        text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
        roster = load_workbook(ROOT / "examples/花名册.xlsx").active
        names = [row[1] for row in roster.iter_rows(min_row=3, values_only=True) if row[1]]
        assert len(names) == 6 and all(n in text for n in names)
        assert "荔浦二中劝返〔2026〕第006号" in text
        assert len(pdf) % 2 == 0  # --duplex: every document starts on the front of a sheet
        assert "共6行：已生成6份，失败0行" in result.stdout


def test_the_defaults_file_shown_is_the_one_shipped() -> None:
    shipped = (ROOT / "examples/劝返默认值.yaml").read_text(encoding="utf-8")
    shown = [
        block
        for text in _pages().values()
        for block in re.findall(r"`examples/劝返默认值\.yaml`:\n\n```yaml\n(.*?)```", text, re.S)
    ]
    assert shown and all(block == shipped for block in shown)
