"""The ``calmtune`` command group: global options, lazy command loading, and the one place where
errors become a message and an exit code."""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

import click

from calmtune import __version__
from calmtune.cli.context import AppContext
from calmtune.errors import CalmtuneError

# name -> "module:function". Modules are imported only when their command runs (or for --help).
COMMANDS: dict[str, str] = {
    "scan": "calmtune.cli.scan:scan",
    "analyze": "calmtune.cli.analyze:analyze",
    "tracks": "calmtune.cli.tracks:tracks",
    "show": "calmtune.cli.tracks:show",
    "doctor": "calmtune.cli.doctor:doctor",
    "playlist": "calmtune.cli.playlist:playlist",
    "schedule": "calmtune.cli.schedule:schedule",
    "journal": "calmtune.cli.journal:journal",
    "tag": "calmtune.cli.tag:tag",
    "play": "calmtune.cli.play:play",
    "relax": "calmtune.cli.play:relax",
    "focus": "calmtune.cli.play:focus",
    "upbeat": "calmtune.cli.play:upbeat",
}


# Commands whose unattended runs are written to the log file in the state folder.
LOGGED_COMMANDS = frozenset({"scan", "analyze", "tag", "play", "relax", "focus", "upbeat"})


class CalmtuneGroup(click.Group):
    """Loads commands lazily and turns calmtune's errors into one line and an exit code."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        return getattr(importlib.import_module(module_name), attr)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except CalmtuneError as exc:
            _report(ctx, f"calmtune: error: {exc}", exc)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("calmtune: interrupted", err=True)
            ctx.exit(130)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except BrokenPipeError:
            _silence_stdout()
            ctx.exit(141)
        except Exception as exc:  # a bug: say so plainly, traceback only on request
            _report(
                ctx,
                f"calmtune: internal error: {type(exc).__name__}: {exc} "
                "(run with --debug for the traceback, and please report it)",
                exc,
            )
            ctx.exit(1)


def _debugging(ctx: click.Context) -> bool:
    app = ctx.find_object(AppContext)
    return bool(app and app.debug) or os.environ.get("CALMTUNE_DEBUG", "") not in ("", "0")


def _report(ctx: click.Context, message: str, exc: BaseException) -> None:
    if _debugging(ctx):
        import traceback

        traceback.print_exception(exc, file=sys.stderr)
    click.echo(message, err=True)


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
    type=click.Path(dir_okay=False, path_type=Path),
    help="Settings file to use (default: settings.toml in the config folder).",
)
@click.option(
    "--db",
    "db_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Library index to use (default: library.db in the data folder).",
)
@click.option("-q", "--quiet", is_flag=True, help="Print only errors.")
@click.option("-v", "--verbose", count=True, help="Say more about what is happening.")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.version_option(__version__, "--version", prog_name="calmtune")
@click.pass_context
def cli(
    ctx: click.Context,
    config_file: Path | None,
    db_file: Path | None,
    quiet: bool,
    verbose: int,
    debug: bool,
) -> None:
    """calmtune: a stress-relief music player for the terminal.

    Scan your music, let calmtune tag it by mood, and play receptive playlists that settle you
    down (or lift you up). Start with `calmtune scan ~/Music`, then `calmtune relax`.

    CALMTUNE_HOME=DIR keeps settings, the index and logs under DIR.
    """
    ctx.obj = AppContext(
        config_file=config_file, db_file=db_file, quiet=quiet, verbose=verbose, debug=debug
    )
    from calmtune.ui.console import is_terminal

    # Unattended runs (cron, timers, scripts) of commands that change or play something leave a
    # record. Queries (tracks, show, journal, ...) already hand their answer to the caller, and
    # skipping them keeps scripted start-up free of the logging import.
    if ctx.invoked_subcommand in LOGGED_COMMANDS and not is_terminal():
        from calmtune.logs import start_unattended_log

        start_unattended_log(ctx, ctx.obj.paths.state_dir, verbose=verbose)
