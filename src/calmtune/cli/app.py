"""The ``calmtune`` command group: global options, lazy command loading, and the one place where
errors become a message and an exit code."""

from __future__ import annotations

import importlib
import os
import sys

import click

from calmtune import __version__
from calmtune.errors import CalmtuneError

# name -> (where the command lives, its one-line summary for `calmtune --help`). Commands are
# imported only when they run. The summaries are copies of each command's first docstring line
# (tests/core/test_readme.py keeps them equal) because reading them from the commands would
# import every command module on `calmtune --help`: 202M -> 241M instructions (+19%, against
# 172M for `import click`; `python benchmarks/bench_startup.py --instructions`, December 2026).
COMMANDS: dict[str, tuple[str, str]] = {
    "relax": ("calmtune.cli.play:relax", "A calming session."),
    "focus": ("calmtune.cli.play:focus", "A focus session: steady music for study and work."),
    "upbeat": ("calmtune.cli.play:upbeat", "An energising session that climbs in tempo."),
    "play": (
        "calmtune.cli.play:play",
        "Play SOURCEs: recipes, saved playlists, playlist files, audio files or folders.",
    ),
    "scan": (
        "calmtune.cli.scan:scan",
        "Index audio files under PATHS (default: the library roots).",
    ),
    "analyze": (
        "calmtune.cli.analyze:analyze",
        "Measure tempo (BPM), loudness (LUFS), peak and energy of tracks and store them.",
    ),
    "roots": (
        "calmtune.cli.roots:roots",
        "The library roots that a plain `calmtune scan` walks (default: list them).",
    ),
    "tracks": ("calmtune.cli.tracks:tracks", "List indexed tracks with their mood."),
    "show": (
        "calmtune.cli.tracks:show",
        "One track: tags, measured features, mood scores and the reasons behind them.",
    ),
    "tag": (
        "calmtune.cli.tag:tag",
        "Write the mood into the files under PATHS (default: every indexed track).",
    ),
    "like": (
        "calmtune.cli.prefs:like",
        "Like the tracks at PATHS (files, or folders of indexed tracks).",
    ),
    "ban": (
        "calmtune.cli.prefs:ban",
        "Ban the tracks at PATHS (files, or folders of indexed tracks) from playlists.",
    ),
    "playlist": (
        "calmtune.cli.playlist:playlist",
        "Receptive playlists: recipes, building, saved playlists, showing.",
    ),
    "journal": (
        "calmtune.cli.journal:journal",
        "Past sessions: start, length, recipe, tracks played, stress before/after, how each ended.",
    ),
    "goal": (
        "calmtune.cli.goal:goal",
        "Set a plain listening goal, or show your goals and how far along you are.",
    ),
    "schedule": (
        "calmtune.cli.schedule:schedule",
        "Print a crontab line (or systemd user units) that runs a calmtune command at a set time.",
    ),
    "doctor": ("calmtune.cli.doctor:doctor", "Check the set-up and say what to fix."),
}


# Commands whose unattended runs are written to the log file in the state folder.
LOGGED_COMMANDS = frozenset({"scan", "analyze", "tag", "play", "relax", "focus", "upbeat"})


class CalmtuneGroup(click.Group):
    """Loads commands lazily and turns calmtune's errors into one line and an exit code."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)  # in the order of COMMANDS: sessions first, then the library

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        entry = COMMANDS.get(name)
        if entry is None:
            return None
        module_name, attr = entry[0].split(":")
        return getattr(importlib.import_module(module_name), attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list from the registry, without importing every command module."""
        with formatter.section("Commands"):
            formatter.write_dl([(name, summary) for name, (_target, summary) in COMMANDS.items()])

    def make_context(self, info_name, args, parent=None, **extra) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.ClickException as exc:
            raise _printable_click_error(exc) from None

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except click.ClickException as exc:  # usage errors: they may quote what the user typed
            raise _printable_click_error(exc) from None
        except CalmtuneError as exc:
            _report(ctx, f"calmtune: error: {exc}", exc)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("calmtune: interrupted", err=True)
            ctx.exit(130)
        except (click.exceptions.Exit, click.exceptions.Abort):
            raise
        except BrokenPipeError:
            _silence_stdout()
            ctx.exit(141)
        except Exception as exc:
            index_problem = _index_error(ctx, exc)
            if index_problem is not None:  # a damaged, read-only or newer index: say so
                _report(ctx, f"calmtune: error: {index_problem}", exc)
                ctx.exit(index_problem.exit_code)
            # a bug: say so plainly, traceback only on request
            _report(
                ctx,
                f"calmtune: internal error: {type(exc).__name__}: {exc} "
                "(run with --debug for the traceback, and please report it)",
                exc,
            )
            ctx.exit(1)


def _index_error(ctx: click.Context, exc: Exception) -> CalmtuneError | None:
    """The index's own error for an SQLite error that escaped the library package, else None.

    SQLite can report damage at any query, long after the index opened; the library package
    knows what each of its errors means and what fixes it."""
    if type(exc).__module__ != "sqlite3" and not isinstance(exc, UnicodeDecodeError):
        return None
    from calmtune.cli.context import AppContext
    from calmtune.library.db import as_index_error

    app = ctx.find_object(AppContext)
    return as_index_error(exc, app.db_path if app is not None else "in use")


def _debugging(ctx: click.Context) -> bool:
    from calmtune.cli.context import AppContext

    app = ctx.find_object(AppContext)
    return bool(app and app.debug) or os.environ.get("CALMTUNE_DEBUG", "") not in ("", "0")


def _report(ctx: click.Context, message: str, exc: BaseException) -> None:
    from calmtune.safetext import printable

    if _debugging(ctx):
        import traceback

        traceback.print_exception(exc, file=sys.stderr)
    click.echo(printable(message), err=True)  # messages name files: one safe line


def _printable_click_error(exc: click.ClickException) -> click.ClickException:
    """click's own message with what the user typed shown safely: an option name or argument
    holding escape codes must not reach the terminal raw (click quotes most values, not all)."""
    from calmtune.safetext import printable_lines

    exc.message = printable_lines(_byte_escapes(exc.message))
    if isinstance(exc, click.BadParameter) and isinstance(exc.param_hint, str):
        exc.param_hint = printable_lines(_byte_escapes(exc.param_hint))
    return exc


def _byte_escapes(text: str) -> str:
    """click quotes a value with repr(), which writes a byte that is not UTF-8 (os.fsdecode's
    lone surrogate U+DC80..U+DCFF) as "\\udcff"; everywhere else calmtune shows it as "\\xff".
    ``re`` is imported here, on the error path: a pattern compiled at import costs every run."""
    import re

    return re.sub(r"\\udc([89a-f][0-9a-f])", r"\\x\1", text)


def _silence_stdout() -> None:
    """After the reader of a pipe went away, make the final flush at exit harmless."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


@click.group(
    cls=CalmtuneGroup,
    context_settings={"auto_envvar_prefix": "CALMTUNE", "help_option_names": ["-h", "--help"]},
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False),
    envvar="CALMTUNE_CONFIG",
    show_envvar=True,
    help="Settings file to use (default: settings.toml in the config folder).",
)
@click.option(
    "--db",
    "db_file",
    type=click.Path(dir_okay=False),
    envvar="CALMTUNE_DB",
    show_envvar=True,
    help="Library index to use (default: library.db in the data folder).",
)
@click.option("-q", "--quiet", is_flag=True, show_envvar=True, help="Print only errors.")
@click.option(
    "-v", "--verbose", count=True, show_envvar=True, help="Say more about what is happening."
)
@click.option("--debug", is_flag=True, show_envvar=True, help="Show tracebacks for errors.")
@click.version_option(__version__, "--version", prog_name="calmtune")
@click.pass_context
def cli(
    ctx: click.Context,
    config_file: str | None,
    db_file: str | None,
    quiet: bool,
    verbose: int,
    debug: bool,
) -> None:
    """calmtune: a stress-relief music player for the terminal.

    Scan your music, let calmtune tag it by mood, and play receptive playlists that settle you
    down (or lift you up). Start with `calmtune scan ~/Music`, then `calmtune relax`.

    CALMTUNE_HOME=DIR keeps settings, the index and logs under DIR. Every option can also be set
    in the environment: CALMTUNE_DB, CALMTUNE_CONFIG, CALMTUNE_QUIET, CALMTUNE_VERBOSE,
    CALMTUNE_DEBUG for these, CALMTUNE_<COMMAND>_<OPTION> for a command's (CALMTUNE_SCAN_JOBS=2).
    """
    from pathlib import Path

    from calmtune.cli.context import AppContext

    ctx.obj = AppContext(
        config_file=Path(config_file) if config_file else None,
        db_file=Path(db_file) if db_file else None,
        quiet=quiet,
        verbose=verbose,
        debug=debug,
    )
    # Unattended runs (cron, timers, scripts) of commands that change or play something leave a
    # record. Queries (tracks, show, journal, ...) already hand their answer to the caller, and
    # skipping them keeps scripted start-up free of the logging import.
    if ctx.invoked_subcommand in LOGGED_COMMANDS:
        from calmtune.ui.console import is_terminal

        if not is_terminal():
            from calmtune.logs import start_unattended_log

            start_unattended_log(ctx, ctx.obj.paths.state_dir)
