"""What the CLI's modules share: exit codes and the Chinese error line."""

from __future__ import annotations

import sys
from typing import NoReturn

import click

EXIT_INVALID = 1
EXIT_USAGE = 2


def fail(message: str, code: int) -> NoReturn:
    click.echo(f"错误：{message}", err=True)
    sys.exit(code)
