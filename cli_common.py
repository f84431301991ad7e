"""What the CLI's modules share: exit codes, the Chinese error line, and click in Chinese.

click writes its help and its errors in English through gettext (`Usage:`, `Options:`,
`Show this message and exit.`, `Error: Missing argument …`). Rather than patch click's
modules, the CLI uses its own classes — a help formatter, Command, Group, Option and
parameter types — that write those strings in Chinese, and `Group.main` shows every error
itself: click's usage errors from their structured fields (the parameter, the option
name), a file problem as a sentence naming the file, Ctrl-C as 已中断. No Python traceback
reaches a user; an unexpected one is written to a file whose name is shown.

Exit codes, the same for every command:
  0    done;
  1    input refused, wholly or in part (a record's fields, roster rows, case rules);
  2    usage or environment (bad option, unknown form or profile, a file that cannot be
       read or written, fonts missing);
  130  interrupted (Ctrl-C): no half-written output is left behind.
"""

from __future__ import annotations

import errno
import os
import re
import sys
import tempfile
import traceback
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from gettext import gettext
from typing import Any, NoReturn, TypeVar

import click
from click.exceptions import (
    BadOptionUsage,
    BadParameter,
    MissingParameter,
    NoArgsIsHelpError,
    NoSuchOption,
)

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

INTERRUPTED = "已中断"
HELP_HINT = "查看用法：{command} --help"

F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, code: int) -> NoReturn:
    click.echo(f"错误：{message}", err=True)
    sys.exit(code)


def day_or_today(text: str | None) -> Any:
    """A date option's value: the date written (any form forms.dates reads), or today when it
    is not given; an unreadable date stops the command with a usage error."""
    from datetime import date

    from forms.dates import DateParseError, parse_date

    if text is None:
        return date.today()
    try:
        return parse_date(text)
    except DateParseError as exc:
        fail(str(exc), EXIT_USAGE)


def display_width(text: str) -> int:
    """Columns a terminal gives `text`: CJK and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


# ---------------------------------------------------------------- parameter types


class Integer(click.types.IntParamType):
    name = "整数"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        try:
            return int(str(value).strip())
        except ValueError:
            self.fail(f"“{value}”不是整数", param, ctx)


class IntegerRange(click.IntRange):
    """An integer between `min` and `max` (both included)."""

    name = "整数"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = Integer().convert(value, param, ctx)
        if (self.min is not None and number < self.min) or (
            self.max is not None and number > self.max
        ):
            self.fail(f"{number}不在{self.describe()}之内", param, ctx)
        return number

    def describe(self) -> str:
        if self.max is None:
            return f"{self.min}及以上"
        if self.min is None:
            return f"{self.max}及以下"
        return f"{self.min}至{self.max}"


class OneOf(click.Choice):  # type: ignore[type-arg]
    """One of a few words; the error lists them."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if value in self.choices:
            return value
        listed = "、".join(str(c) for c in self.choices)
        self.fail(f"“{value}”不是可选的值（可选：{listed}）", param, ctx)


class Keyword(click.ParamType):  # type: ignore[type-arg]
    """A code word or its Chinese name (with or without the part in brackets) → the code.

    `Keyword({"returned": "复学"})` takes “returned” or “复学” and gives “returned”.
    """

    name = "keyword"

    def __init__(self, names: dict[str, str]) -> None:
        self.names = names
        self.lookup: dict[str, str] = {}
        for code, chinese in names.items():
            for word in (code, chinese, re.sub(r"（[^）]*）", "", chinese)):
                self.lookup.setdefault(word, code)

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "|".join(self.names.values())

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        code = self.lookup.get(str(value).strip())
        if code is None:
            self.fail(f"“{value}”不是可选的值（可选：{self.listing()}）", param, ctx)
        return code

    def listing(self) -> str:
        return "、".join(f"{chinese}（{code}）" for code, chinese in self.names.items())


def _chinese_type(kind: Any) -> Any:
    if isinstance(kind, IntegerRange | Integer | OneOf | Keyword):
        return kind
    if isinstance(kind, click.IntRange):
        if kind.min_open or kind.max_open or kind.clamp:
            raise TypeError("IntegerRange takes closed, unclamped ranges only")
        return IntegerRange(kind.min, kind.max)
    if isinstance(kind, click.types.IntParamType):
        return Integer()
    if isinstance(kind, click.Choice):
        return OneOf(list(kind.choices), kind.case_sensitive)
    return kind


_METAVARS = {"text": "值", "path": "路径", "整数": "整数"}


# ---------------------------------------------------------------- help


_NO_LINE_START = set("，。、；：？！）》」』”’")


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most `width` terminal columns; Chinese breaks anywhere, words at spaces."""
    lines: list[str] = []
    line = ""
    for token in re.findall(r"\[[^\]\n]{0,12}\]|[\x21-\x7e]+|\s+|.", text):
        if token.isspace():
            token = " "
        # “，” “）” never start a line: they may use the two columns kept in reserve
        limit = width if token in _NO_LINE_START else width - 2
        if display_width(line + token) > limit and line.strip():
            lines.append(line.rstrip())
            line = "" if token == " " else token
        else:
            line += token
    if line.strip():
        lines.append(line.rstrip())
    return lines


class HelpFormatter(click.HelpFormatter):
    """click's help layout, in Chinese, measured in terminal columns (CJK counts two)."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, "用法：" if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading}：\n")

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        width = max(self.width - self.current_indent, 20)
        out: list[str] = []
        for para in re.split(r"\n\s*\n", text.strip("\n")):
            lines = para.splitlines()
            if lines and lines[0].strip() == "\b":  # click's mark: keep these lines as written
                out += [indent + line.strip() for line in lines[1:]]
            else:
                out += [indent + line for line in wrap(" ".join(lines), width)]
            out.append("")
        self.write("\n".join(out[:-1]) + "\n")

    def write_dl(
        self, rows: Iterable[tuple[str, str]], col_max: int = 30, col_spacing: int = 2
    ) -> None:
        rows = list(rows)
        first_col = min(max(display_width(first) for first, _ in rows), col_max) + col_spacing
        text_width = max(self.width - first_col - self.current_indent, 20)
        for first, second in rows:
            self.write(f"{'':>{self.current_indent}}{first}")
            if not second:
                self.write("\n")
                continue
            if display_width(first) <= first_col - col_spacing:
                self.write(" " * (first_col - display_width(first)))
            else:
                self.write("\n" + " " * (first_col + self.current_indent))
            lines = wrap(second, text_width) or [""]
            self.write(lines[0] + "\n")
            for line in lines[1:]:
                self.write(" " * (first_col + self.current_indent) + line + "\n")


class Context(click.Context):
    formatter_class = HelpFormatter


def _help_option(command: click.Command, ctx: click.Context) -> click.Option | None:
    names = command.get_help_option_names(ctx)
    if not names or not command.add_help_option:
        return None

    def show_help(ctx: click.Context, param: click.Parameter, value: bool) -> None:
        if value and not ctx.resilient_parsing:
            click.echo(ctx.get_help(), color=ctx.color)
            ctx.exit()

    return Option(
        names,
        is_flag=True,
        is_eager=True,
        expose_value=False,
        callback=show_help,
        help="显示本帮助后退出",
    )


def short_help(command: click.Command) -> str:
    """The one line a group lists: `short_help`, else the help's first sentence, whole."""
    if command.short_help:
        return command.short_help
    text = " ".join((command.help or "").strip().split("\n\n", 1)[0].split())
    return text.split("。", 1)[0]


class Command(click.Command):
    context_class = Context

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        if getattr(self, "_zh_help_option", None) is None:
            self._zh_help_option = _help_option(self, ctx)
        return self._zh_help_option

    def get_short_help_str(self, limit: int = 45) -> str:
        return short_help(self)

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        pieces = super().collect_usage_pieces(ctx)
        return ["[选项]" if p == self.options_metavar else p for p in pieces]

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        _format_options(self, ctx, formatter)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return _parse_args(super().parse_args, ctx, args)


def _format_options(
    command: click.Command, ctx: click.Context, formatter: click.HelpFormatter
) -> None:
    rows = []
    for param in command.get_params(ctx):
        record = param.get_help_record(ctx)
        if record is not None and not isinstance(param, click.Argument):
            rows.append(record)
    if rows:
        with formatter.section("选项"):
            formatter.write_dl(rows)


def _parse_args(
    parse: Callable[[click.Context, list[str]], list[str]], ctx: click.Context, args: list[str]
) -> list[str]:
    """click's parse, with the “unexpected extra arguments” refusal said in Chinese."""
    allowed = ctx.allow_extra_args
    ctx.allow_extra_args = True
    try:
        rest = parse(ctx, args)
    finally:
        ctx.allow_extra_args = allowed
    if rest and not allowed and not ctx.resilient_parsing:
        raise click.UsageError(f"多出了参数：{' '.join(rest)}", ctx)
    return rest


class Group(click.Group):
    context_class = Context
    command_class = Command
    group_class = type  # subgroups are of this class too

    def __init__(self, *args: Any, **attrs: Any) -> None:
        attrs.setdefault("subcommand_metavar", "子命令 [参数]...")
        super().__init__(*args, **attrs)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        if getattr(self, "_zh_help_option", None) is None:
            self._zh_help_option = _help_option(self, ctx)
        return self._zh_help_option

    def get_short_help_str(self, limit: int = 45) -> str:
        return short_help(self)

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        pieces = super().collect_usage_pieces(ctx)
        return ["[选项]" if p == self.options_metavar else p for p in pieces]

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        _format_options(self, ctx, formatter)
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str()))
        if rows:
            with formatter.section("子命令"):
                formatter.write_dl(rows)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return _parse_args(super().parse_args, ctx, args)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0]
        if (
            not name.startswith("-")
            and self.get_command(ctx, name) is None
            and not ctx.resilient_parsing
        ):
            known = "、".join(self.list_commands(ctx))
            raise click.UsageError(f"没有子命令“{name}”（可用：{known}）", ctx)
        return super().resolve_command(ctx, args)

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        code = run_standalone(
            lambda: super(Group, self).main(args, prog_name, complete_var, False, **extra)
        )
        sys.exit(code)


class Option(click.Option):
    def __init__(self, param_decls: Sequence[str] | None = None, **attrs: Any) -> None:
        super().__init__(param_decls, **attrs)
        self.type = _chinese_type(self.type)
        if self.metavar is None and not self.is_flag and not isinstance(self.type, click.Choice):
            self.metavar = _METAVARS.get(self.type.name, "值")

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        if self.hidden:
            return None
        extra = []
        if self.envvar and self.show_envvar:
            extra.append(f"环境变量：{self.envvar}")
        if self.show_default and self.default is not None and not self.is_flag:
            default = self.default
            if isinstance(default, list | tuple):
                default = "、".join(str(d) for d in default)
            extra.append(f"默认：{default}")
        if isinstance(self.type, IntegerRange):
            extra.append(f"{self.type.describe()}")
        if self.required:
            extra.append("必填")
        text = self.help or ""
        if extra:
            text = f"{text}  [{'；'.join(extra)}]" if text else f"[{'；'.join(extra)}]"
        record = super().get_help_record(ctx)  # for its left column: `-o, --output 路径`
        return (record[0] if record else ", ".join(self.opts)), text


class Argument(click.Argument):
    def __init__(self, param_decls: Sequence[str], **attrs: Any) -> None:
        super().__init__(param_decls, **attrs)
        self.type = _chinese_type(self.type)


def option(*decls: str, **attrs: Any) -> Callable[[F], F]:
    attrs.setdefault("cls", Option)
    return click.option(*decls, **attrs)


def argument(*decls: str, **attrs: Any) -> Callable[[F], F]:
    attrs.setdefault("cls", Argument)
    return click.argument(*decls, **attrs)


def group(**attrs: Any) -> Callable[[Callable[..., Any]], Group]:
    attrs.setdefault("cls", Group)
    return click.group(**attrs)  # type: ignore[no-any-return]


# ---------------------------------------------------------------- errors


def _param_name(param: click.Parameter | None, ctx: click.Context | None) -> str:
    if param is None:
        return "参数"
    if isinstance(param, click.Option):
        return "选项 " + " / ".join(param.opts)
    return f"参数 {param.make_metavar(ctx) if ctx else param.human_readable_name}"


def usage_message(exc: click.ClickException) -> str:
    """A click error in Chinese, from its structured fields where it has them."""
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, MissingParameter):
        return f"缺少{_param_name(exc.param, ctx)}"
    if isinstance(exc, NoSuchOption):
        text = f"没有选项 {exc.option_name}"
        if exc.possibilities:
            text += f"（是否想写 {'、'.join(sorted(exc.possibilities))}？）"
        return text
    if isinstance(exc, BadOptionUsage):
        # click's parser raises this without a context; its two messages are told apart
        # by their gettext msgid, looked up the way click formats it.
        takes_none = gettext("Option {name!r} does not take a value.")
        if exc.message == takes_none.format(name=exc.option_name):
            return (
                f"选项 {exc.option_name} 不带值（是开关，直接写 {exc.option_name.split('=')[0]}）"
            )
        return f"选项 {exc.option_name} 后面要写一个值"
    if isinstance(exc, BadParameter):
        return f"{_param_name(exc.param, ctx)} 的值不对：{exc.message}"
    return exc.format_message()


def show_usage_error(exc: click.ClickException) -> None:
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, NoArgsIsHelpError):
        click.echo(exc.ctx.get_help(), err=True)
        return
    if isinstance(exc, click.UsageError) and ctx is not None:
        click.echo(ctx.get_usage(), err=True)
        click.echo(HELP_HINT.format(command=ctx.command_path), err=True)
    click.echo(f"错误：{usage_message(exc)}", err=True)


def _crash_report(exc: BaseException) -> str | None:
    """Write the traceback of an unexpected error to a file; its path, or None."""
    try:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        handle, name = tempfile.mkstemp(prefix=f"baoxue-错误-{stamp}-", suffix=".txt")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(" ".join(sys.argv) + "\n\n")
            out.write("".join(traceback.format_exception(exc)))
        return name
    except OSError:
        return None


def run_standalone(call: Callable[[], Any]) -> int:
    """Run the CLI and return its exit code, every error shown as one Chinese message."""
    from forms.files import FileProblem, describe_decode_error, describe_os_error

    try:
        result = call()
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except (click.Abort, KeyboardInterrupt, EOFError):
        click.echo(INTERRUPTED, err=True)
        return EXIT_INTERRUPTED
    except click.ClickException as exc:
        show_usage_error(exc)
        return EXIT_USAGE
    except FileProblem as exc:
        click.echo(f"错误：{exc}", err=True)
        return EXIT_USAGE
    except OSError as exc:
        if exc.errno == errno.EPIPE:  # `baoxue … | head`: the reader went away
            return EXIT_OK
        click.echo(f"错误：{describe_os_error(exc)}", err=True)
        return EXIT_USAGE
    except UnicodeDecodeError:
        click.echo(f"错误：{describe_decode_error('输入')}", err=True)
        return EXIT_USAGE
    except Exception as exc:
        if os.environ.get("BAOXUE_DEBUG"):
            raise
        where = _crash_report(exc)
        detail = f"，详细信息已写入 {where}" if where else ""
        click.echo(
            f"错误：程序内部出错（{type(exc).__name__}）{detail}。请把这条信息和所用的命令"
            "交给维护人员。",
            err=True,
        )
        return EXIT_USAGE
    return result if isinstance(result, int) else EXIT_OK
