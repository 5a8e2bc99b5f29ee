"""``calmtune playlist``: list recipes, build a playlist from the index, show a playlist file."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click

from calmtune.cli.completion import complete_recipe_names
from calmtune.cli.context import AppContext
from calmtune.cli.options import (
    QUERY_HELP,
    DurationType,
    emit_json,
    json_option,
    query_argument,
    query_option,
)

FORMATS = ("m3u8", "json", "paths")
_SAVE_NAME = r"^[\w][\w .-]{0,99}$"


@click.group()
def playlist() -> None:
    """Receptive playlists: recipes, building, showing."""


@playlist.command("recipes")
@json_option
@click.pass_obj
def recipes(app: AppContext, as_json: bool) -> None:
    """The recipes: built-in ones and your own (a recipe of yours with the same name wins)."""
    found = app.recipes()
    if as_json:
        emit_json(
            [
                {"name": r.name, "description": r.description, "mood": r.mood, "source": r.source}
                for r in found.values()
            ]
        )
        return
    from calmtune.ui.playlist_view import print_recipes

    print_recipes(app.console, list(found.values()))


@playlist.command("build", epilog=QUERY_HELP)
@click.argument("recipe", shell_complete=complete_recipe_names)
@query_argument
@query_option
@click.option("--duration", "-d", type=DurationType(), help="Length, e.g. 20m, 1h15m, 45.")
@click.option("--seed", type=int, help="The same seed and index give the same playlist.")
@click.option("--from", "from_recipe", metavar="RECIPE", help="Start where this recipe ends.")
@click.option(
    "--stress", type=click.IntRange(0, 10), help="Your stress now (0-10): the arc starts there."
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="m3u8", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here.")
@click.option("--save", metavar="NAME", help="Also save as NAME.m3u8 in the settings folder.")
@click.pass_obj
def build(
    app: AppContext,
    recipe: str,
    query: tuple,
    query_text: tuple,
    duration: float | None,
    seed: int | None,
    from_recipe: str | None,
    stress: int | None,
    fmt: str,
    output: Path | None,
    save: str | None,
) -> None:
    """Build a playlist from the index following RECIPE (see `calmtune playlist recipes`).

    QUERY terms (or --query) narrow the recipe's pool, e.g. `calmtune playlist build calm
    ^genre:soundtrack year:..1999`. The playlist goes to stdout (or -o FILE) as extended M3U, JSON
    or plain paths; notes such as "the library is too small for the full length" go to stderr.
    """
    import random

    from calmtune.playlists.arousal import arousal_from_rating, arousal_from_recipe
    from calmtune.playlists.indexed import build_from_index

    if save is not None and not re.match(_SAVE_NAME, save):
        raise click.BadParameter(
            "use letters, digits, spaces, '.', '-' or '_'", param_hint="--save"
        )
    chosen = app.recipe(recipe)
    arousal = None
    if stress is not None:
        arousal = arousal_from_rating(stress)
    elif from_recipe is not None:
        arousal = arousal_from_recipe(app.recipe(from_recipe))
    if seed is None:
        seed = random.SystemRandom().randrange(2**31)
    result = build_from_index(
        app.open_library(),
        chosen,
        duration=duration,
        seed=seed,
        start_arousal=arousal,
        query=(*query, *query_text),
    )
    for note in result.notes:
        app.say(f"calmtune: note: {note}")
    text = _render(result, fmt)
    if output is not None:
        from calmtune.playlists.m3u import write_text_file

        write_text_file(output, text)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    if save is not None:
        from calmtune.playlists.m3u import m3u8_text, write_text_file

        folder = app.paths.config_dir / "playlists"
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{save}.m3u8"
        write_text_file(target, m3u8_text(result.tracks, title=_title(result)))
        app.say(f"Saved {target}")


def _title(result) -> str:
    return f"calmtune {result.recipe} (seed {result.seed})"


def _render(result, fmt: str) -> str:
    from calmtune.playlists.m3u import m3u8_text, paths_text

    if fmt == "json":
        from calmtune.cli.options import to_json_text
        from calmtune.playlists.jsonio import playlist_to_json

        return to_json_text(playlist_to_json(result)) + "\n"
    if fmt == "paths":
        return paths_text(result.tracks)
    return m3u8_text(result.tracks, title=_title(result))


@playlist.command("show")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@json_option
@click.pass_obj
def show(app: AppContext, file: Path, as_json: bool) -> None:
    """Show a playlist file: each track's mood, BPM and loudness, and a chart of the arc."""
    from calmtune.playlists.m3u import read_m3u

    parsed = read_m3u(file)
    for warning in parsed.warnings:
        app.warn(warning)
    library = app.open_library()
    rows = [(entry, library.get_track(entry.path)) for entry in parsed.entries]
    if as_json:
        from calmtune.trackjson import track_to_json

        items = []
        for position, (entry, track) in enumerate(rows, start=1):
            obj = track_to_json(track) if track else {"path": entry.path, "title": entry.title}
            obj.update({"position": position, "indexed": track is not None})
            items.append(obj)
        emit_json({"file": str(file), "tracks": items, "warnings": parsed.warnings})
        return
    from calmtune.ui.playlist_view import print_playlist

    print_playlist(app.console, rows)
    missing = sum(1 for _, track in rows if track is None)
    if missing:
        app.say(f"{missing} track(s) are not in the index: `calmtune scan` their folder.")
