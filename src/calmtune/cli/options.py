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


# Written as \uXXXX escapes inside JSON strings: lone surrogates (file names that are not valid
# UTF-8 reach us that way through surrogateescape; as JSON escapes they stay valid UTF-8 JSON, and
# Python's json.loads + os.fsencode gives the original bytes back), and the characters that act on
# a terminal but that json.dumps leaves raw with ensure_ascii=False: DEL, the C1 controls (U+009B
# is CSI, the start of an escape sequence) and the bidirectional overrides. C0 controls are
# escaped by json.dumps itself. The JSON means the same; it just cannot act on a terminal.
_JSON_ESCAPED = "[\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"


def to_json_text(value: object, *, indent: int | None = 2) -> str:
    import json  # only JSON output needs it

    # ensure_ascii=False keeps names readable (UTF-8) for people who look at the JSON.
    text = json.dumps(value, ensure_ascii=False, indent=indent, default=_fallback)
    return re.sub(_JSON_ESCAPED, lambda m: f"\\u{ord(m.group()):04x}", text)


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


# The ranges of numbers users type (docs/cli.md, "Numbers"). Beyond them a value means nothing
# calmtune can do (a billion worker processes, a week-long fade) or breaks what stores it (SQLite
# integers are 64-bit), so it is a usage error naming the value and the range.
MAX_JOBS = 256
MAX_COUNT = 1_000_000_000  # --limit: more than any index holds
MAX_SEED = 2**32 - 1  # a seed calmtune picks is below 2**31


class FiniteFloatRange(click.FloatRange):
    """click's FloatRange, without ``nan`` (which compares false with both ends, so FloatRange
    lets it through) and ``inf``."""

    def convert(self, value, param, ctx):
        import math

        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a number; use {self._describe_range()}", param, ctx)
        return number


def seed_option(help_text: str = "The same seed and index give the same playlist."):
    return click.option("--seed", type=click.IntRange(0, MAX_SEED), help=help_text)


def jobs_option(help_text: str = "Worker processes (default: the number of cores)."):
    return click.option(
        "--jobs", "-j", type=click.IntRange(1, MAX_JOBS), default=None, help=help_text
    )


class DurationType(click.ParamType):
    """``90s``, ``20m``, ``1h15m``, ``1:30:00`` or bare minutes, as seconds.

    ``allow_zero`` for options where 0 means "off" (``--wind-down 0``).
    """

    name = "duration"

    def __init__(self, *, allow_zero: bool = False) -> None:
        self.allow_zero = allow_zero

    def convert(self, value, param, ctx):
        from calmtune.durations import MAX_SECONDS, parse_duration

        if isinstance(value, float):
            return value
        try:
            seconds = parse_duration(value)
        except ValueError as err:
            self.fail(str(err), param, ctx)
        if seconds <= 0 and not self.allow_zero:
            self.fail("must be longer than zero", param, ctx)
        if seconds > MAX_SECONDS:
            self.fail(
                f"{value!r} is longer than a day (24h), the longest calmtune plays", param, ctx
            )
        return seconds


QUERY_HELP = (
    "QUERY terms narrow the tracks: artist:NAME, album:, albumartist:, title:, genre:, path:, "
    "mood:calm, format:flac, year:1990..1999, bpm:60..80, loudness:..-18, duration:3m..5m; "
    'a bare word looks in title, artist, album and genre; ^ negates; "quotes" make a phrase; '
    "all terms must match."
)


def _terms_from_arguments(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]):
    """Command-line words as query terms (each argument is one term)."""
    if not value:
        return ()
    from calmtune.query import QueryError, parse_terms

    try:
        return parse_terms(value)
    except QueryError as err:
        raise click.BadParameter(str(err), ctx, param) from None


def _terms_from_text(ctx: click.Context, param: click.Parameter, value: str | None):
    """A query string (``--query``) as terms: split at spaces outside quotes."""
    if not value:
        return ()
    from calmtune.query import QueryError, parse_query

    try:
        return parse_query(value)
    except QueryError as err:
        raise click.BadParameter(str(err), ctx, param) from None


def complete_query_fields(ctx: click.Context, param: click.Parameter, incomplete: str) -> list:
    """Field names (``artist:``, ``bpm:``, ...) for the word being typed."""
    from click.shell_completion import CompletionItem

    from calmtune.query import FIELDS

    negated = incomplete.startswith("^")
    typed = incomplete[1:] if negated else incomplete
    if ":" in typed:
        return []
    prefix = "^" if negated else ""
    return [
        CompletionItem(f"{prefix}{name}:", type="plain")
        for name in FIELDS
        if name.startswith(typed.lower())
    ]


query_argument = click.argument(
    "query",
    nargs=-1,
    metavar="[QUERY]...",
    callback=_terms_from_arguments,
    shell_complete=complete_query_fields,
)
query_option = click.option(
    "--query",
    "query_text",
    metavar="TERMS",
    callback=_terms_from_text,
    help="The same terms in one string, e.g. --query 'title:\"rain song\" ^genre:metal'.",
)
