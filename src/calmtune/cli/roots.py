"""``calmtune roots``: the library roots that ``scan`` walks, listed, added and forgotten."""

from __future__ import annotations

import os
from pathlib import Path

import click

from calmtune.cli.context import AppContext
from calmtune.cli.options import emit_json, json_option


@click.group(invoke_without_command=True)
@json_option
@click.pass_context
def roots(ctx: click.Context, as_json: bool) -> None:
    """The library roots that a plain `calmtune scan` walks (default: list them).

    Roots never overlap: a folder inside a root adds nothing, a folder holding roots replaces
    them. Forgetting a root drops its tracks from the index; the files are never touched.
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(list_roots, as_json=as_json)


def _listing(app: AppContext) -> list[dict]:
    library = app.open_library()
    return [
        {"path": root, "exists": os.path.isdir(root), "tracks": library.count_under(root)}
        for root in library.roots()
    ]


def _show(app: AppContext, as_json: bool) -> None:
    listing = _listing(app)
    if as_json:
        emit_json(listing)
        return
    from calmtune.safetext import printable

    for root in listing:
        missing = "" if root["exists"] else "  (missing: not mounted?)"
        click.echo(f"{printable(root['path'])}\t{root['tracks']} tracks{missing}")
    if not listing:
        app.say("No library roots yet: `calmtune roots add ~/Music` or `calmtune scan ~/Music`.")


@roots.command("list")
@json_option
@click.pass_obj
def list_roots(app: AppContext, as_json: bool) -> None:
    """List the roots with how many tracks each holds.

    JSON: [{"path", "exists", "tracks"}].
    """
    _show(app, as_json)


@roots.command("add")
@click.argument(
    "paths", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False, path_type=Path)
)
@json_option
@click.pass_obj
def add_roots(app: AppContext, paths: tuple[Path, ...], as_json: bool) -> None:
    """Remember folders as library roots (run `calmtune scan` to index them)."""
    from calmtune.safetext import printable

    for path in paths:
        # click's file_okay=False only refuses regular files; a device or a FIFO is no folder either.
        if not path.is_dir():
            raise click.BadParameter(f"{printable(path)} is not a folder.", param_hint="PATHS")
    library = app.open_library(write=True)
    library.add_roots(os.path.abspath(os.path.expanduser(p)) for p in paths)
    _show(app, as_json)


@roots.command("forget")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@json_option
@click.pass_obj
def forget_roots(app: AppContext, paths: tuple[Path, ...], as_json: bool) -> None:
    """Forget roots and drop their tracks from the index (the files are not touched)."""
    from calmtune.safetext import printable

    library = app.open_library(write=True)
    for path in paths:
        dropped = library.forget_root(os.path.abspath(os.path.expanduser(path)))
        app.say(f"Forgot {printable(path)}: {dropped} track(s) dropped from the index.")
    _show(app, as_json)
