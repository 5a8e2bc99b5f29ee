"""Option sets shared by several commands, built once."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable

import click

json_option = click.option(
    "--json", "as_json", is_flag=True, help="Write JSON to stdout instead of a table."
)
nl_option = click.option(
    "--nl", "as_nl", is_flag=True, help="Write one JSON object per line (newline-delimited)."
)


# File names that are not valid UTF-8 reach us as lone surrogates (surrogateescape). Written as
# JSON \udcXX escapes they stay valid UTF-8 JSON, and Python's json.loads + os.fsencode gives the
# original bytes back.
_LONE_SURROGATE = "[\udc80-\udcff]"


def to_json_text(value: object, *, indent: int | None = 2) -> str:
    import json  # only JSON output needs it

    text = json.dumps(value, ensure_ascii=False, indent=indent, default=_fallback)
    return re.sub(_LONE_SURROGATE, lambda m: f"\\u{ord(m.group()):04x}", text)


def emit_json(value: object) -> None:
    """Data for scripts: UTF-8 JSON on stdout, nothing else there."""
    click.echo(to_json_text(value))


def emit_nl(values: Iterable[object]) -> None:
    out = sys.stdout
    for value in values:
        out.write(to_json_text(value, indent=None))
        out.write("\n")
    out.flush()


def _fallback(value: object) -> object:
    return str(value)


def jobs_option(help_text: str = "Worker processes (default: the number of cores)."):
    return click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help=help_text)


class DurationType(click.ParamType):
    """``90s``, ``20m``, ``1h15m``, ``1:30:00`` or bare minutes, as seconds.

    ``allow_zero`` for options where 0 means "off" (``--wind-down 0``).
    """

    name = "duration"

    def __init__(self, *, allow_zero: bool = False) -> None:
        self.allow_zero = allow_zero

    def convert(self, value, param, ctx):
        from calmtune.durations import parse_duration

        if isinstance(value, float):
            return value
        try:
            seconds = parse_duration(value)
        except ValueError as err:
            self.fail(str(err), param, ctx)
        if seconds <= 0 and not self.allow_zero:
            self.fail("must be longer than zero", param, ctx)
        return seconds
