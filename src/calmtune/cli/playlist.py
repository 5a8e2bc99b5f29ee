"""``calmtune playlist``: recipes, building a playlist from the index, saved playlists, showing
a playlist file."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from calmtune.cli.context import AppContext
from calmtune.cli.options import (
    QUERY_HELP,
    DurationType,
    emit_json,
    json_option,
    query_argument,
    query_option,
    seed_option,
)

FORMATS = ("m3u8", "json", "paths")


def _complete_recipe_names(ctx: click.Context, param: click.Parameter, incomplete: str) -> list:
    """``completion.complete_recipe_names``, loaded only when the shell asks (0.4M instructions
    on every `playlist build` otherwise)."""
    from calmtune.cli.completion import complete_recipe_names

    return complete_recipe_names(ctx, param, incomplete)


@click.group()
def playlist() -> None:
    """Receptive playlists: recipes, building, saved playlists, showing."""


@playlist.command("recipes")
@json_option
@click.pass_obj
def recipes(app: AppContext, as_json: bool) -> None:
    """The recipes: built-in ones and your own (a recipe of yours with the same name wins).

    A recipe file that does not load is named on stderr with what to fix, the others are
    listed, and the exit code is 1."""
    found = app.recipes()
    if as_json:
        emit_json(
            [
                {"name": r.name, "description": r.description, "mood": r.mood, "source": r.source}
                for r in found.values()
            ]
        )
    else:
        from calmtune.ui.playlist_view import print_recipes

        print_recipes(app.console, list(found.values()))
    for name, problem in sorted(app.recipe_problems.items()):
        app.warn(f"recipe '{name}' is not listed: {problem}")
    if app.recipe_problems:
        click.get_current_context().exit(1)


@playlist.command("build", epilog=QUERY_HELP)
@click.argument("recipe", shell_complete=_complete_recipe_names)
@query_argument
@query_option
@click.option("--duration", "-d", type=DurationType(), help="Length, e.g. 20m, 1h15m, 45.")
@seed_option()
@click.option("--from", "from_recipe", metavar="RECIPE", help="Start where this recipe ends.")
@click.option(
    "--stress", type=click.IntRange(0, 10), help="Your stress now (0-10): the arc starts there."
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="m3u8", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here.")
@click.option("--save", metavar="NAME", help="Also save as NAME.m3u8 in the settings folder.")
@click.option(
    "--explain",
    is_flag=True,
    help='Say on stderr why each track was picked (with --format json, also as "why").',
)
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
    explain: bool,
) -> None:
    """Build a playlist from the index following RECIPE (see `calmtune playlist recipes`).

    QUERY terms (or --query) narrow the recipe's pool, e.g. `calmtune playlist build calm
    ^genre:soundtrack year:..1999`. The playlist goes to stdout (or -o FILE) as extended M3U, JSON
    or plain paths; notes such as "the library is too small for the full length" go to stderr.

    Bans (`calmtune ban`) keep tracks out; likes and what your sessions say (tracks heard to the
    end or skipped) are weighed beside the arc, and one pick in five goes to a track you have
    rarely or never heard. --explain says for each pick why it was chosen.
    """
    import random

    from calmtune.playlists.arousal import arousal_from_rating, arousal_from_recipe
    from calmtune.playlists.indexed import build_from_index

    if save is not None:
        _check_save_name(app, save)
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
        target_lufs=_target_lufs(app, chosen),
        explain=explain,
    )
    for note in result.notes:
        app.say(f"calmtune: note: {note}")
    for position, (track, why) in enumerate(zip(result.tracks, result.why, strict=False), 1):
        name = track.tags.title or Path(track.path).name
        if track.tags.artist:
            name += f" - {track.tags.artist}"
        app.say(f"calmtune: why {position}. {name}: {'; '.join(why)}")
    text = _render(result, fmt)
    if fmt == "paths":
        _warn_unwritable_paths(app, result.tracks)
    if output is not None:
        from calmtune.playlists.m3u import write_text_file

        write_text_file(output, text)
    else:
        _write_stdout(text)
    if save is not None:
        from calmtune.playlists.m3u import write_text_file
        from calmtune.playlists.saved import SUFFIX, saved_dir

        folder = saved_dir(app.paths.config_dir)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{save}{SUFFIX}"
        write_text_file(target, _render(result, "m3u8"))
        app.say(f"Saved {target}; play it with: calmtune play {_shell_word(save)}")


def _write_stdout(text: str) -> None:
    """The playlist on stdout: byte for byte into a pipe or a file (file names keep their bytes),
    with visible escapes on a terminal, where a tag's escape codes would act on the screen."""
    try:
        # isatty here rather than ui.console.is_terminal: loading calmtune.ui for it cost 0.8M
        # instructions, and this path prints no table.
        on_terminal = sys.stdout.isatty()
    except (AttributeError, ValueError):  # no such method, or a closed stream
        on_terminal = False
    if on_terminal:
        from calmtune.ui.text import printable_lines

        sys.stdout.write(printable_lines(text.removesuffix("\n")) + "\n")
    elif (binary := getattr(sys.stdout, "buffer", None)) is not None:
        sys.stdout.flush()
        binary.write(text.encode("utf-8", "surrogateescape"))
        binary.flush()
    else:
        sys.stdout.write(text)
    sys.stdout.flush()


def _target_lufs(app: AppContext, recipe) -> float | None:
    """The level a session of ``recipe`` would play at, so the playlist is planned for what is
    heard: ``[playback] target_lufs`` when set (the session's own rule), else the recipe's."""
    playback = app.settings.section("playback")
    if playback.get("target_lufs") is None:
        return None  # the planner takes the recipe's target, as a session would
    from calmtune.session.rules import session_target_lufs

    return session_target_lufs(recipe, playback)


def _check_save_name(app: AppContext, name: str) -> None:
    """A saved playlist is played by name, so the name must be a plain file name and must not be
    taken by a recipe (``play NAME`` would build the recipe instead)."""
    from calmtune.playlists.saved import valid_name

    if not valid_name(name):
        raise click.BadParameter(
            "use letters, digits, spaces, '.', '-' or '_' (not first, and not a final '.')",
            param_hint="--save",
        )
    if name in app.recipes() or name in app.recipe_problems:
        raise click.BadParameter(
            f"{name!r} is a recipe's name, and 'calmtune play {name}' builds that recipe; "
            "choose another name",
            param_hint="--save",
        )


def _shell_word(text: str) -> str:
    import shlex

    return shlex.quote(text)


def _title(result) -> str:
    return f"calmtune {result.recipe} (seed {result.seed})"


def _warn_unwritable_paths(app: AppContext, tracks) -> None:
    """Name each track ``--format paths`` leaves out: one path a line cannot hold a line break."""
    import os

    from calmtune.playlists.pathlist import one_line_path

    for track in tracks:
        if not one_line_path(os.path.abspath(track.path)):
            app.warn(
                f"left out {os.path.abspath(track.path)}: its name holds a line break or ends in "
                "a blank, which a list of paths cannot hold (use --format m3u8 or json)"
            )


def _render(result, fmt: str) -> str:
    if fmt == "paths":
        from calmtune.playlists.pathlist import paths_text

        return paths_text(result.tracks)  # (the paths it leaves out: _warn_unwritable_paths)
    if fmt == "json":
        from calmtune.cli.options import to_json_text
        from calmtune.playlists.jsonio import playlist_to_json

        return to_json_text(playlist_to_json(result)) + "\n"
    from calmtune.playlists.m3u import m3u8_text

    return m3u8_text(result.tracks, title=_title(result), target_lufs=result.target_lufs)


@playlist.command("list")
@json_option
@click.pass_obj
def list_saved(app: AppContext, as_json: bool) -> None:
    """The playlists saved with `playlist build --save NAME`; `calmtune play NAME` plays one."""
    from calmtune.playlists.jsonio import read_playlist
    from calmtune.playlists.saved import saved_dir, saved_playlists

    rows = []
    for name, path in saved_playlists(app.paths.config_dir):
        parsed = read_playlist(path)
        seconds = sum(e.duration or 0.0 for e in parsed.entries)
        rows.append((name, path, len(parsed.entries), seconds, len(parsed.warnings)))
    if as_json:
        emit_json(
            [
                {"name": n, "path": str(p), "tracks": t, "duration": round(d, 3), "missing": m}
                for n, p, t, d, m in rows
            ]
        )
        return
    if not rows:
        folder = saved_dir(app.paths.config_dir)
        app.say(
            f"No saved playlists in {folder}: save one with 'calmtune playlist build calm "
            "--save NAME'."
        )
        return
    from calmtune.ui.playlist_view import print_saved

    print_saved(app.console, rows)


@playlist.command("show")
@click.argument("file", metavar="FILE|NAME")
@json_option
@click.pass_obj
def show(app: AppContext, file: str, as_json: bool) -> None:
    """Show a playlist (an .m3u/.m3u8 or JSON file, or a saved playlist's NAME): each track's
    mood, BPM and loudness, and a chart of the arc."""
    from calmtune.playlists.jsonio import read_playlist
    from calmtune.playlists.saved import saved_path

    path = Path(file)
    if not path.is_file():
        saved = saved_path(file, app.paths.config_dir)
        if saved is None:
            problem = "is a folder" if path.is_dir() else "is neither a file nor a saved playlist"
            raise click.BadParameter(f"{file!r} {problem}", param_hint="FILE|NAME")
        path = saved
    parsed = read_playlist(path)
    for warning in parsed.warnings:
        app.warn(warning)
    library = app.open_library()
    rows = [(entry, library.get_track(entry.path)) for entry in parsed.entries]
    target = parsed.target_lufs
    if as_json:
        from calmtune.levels import heard_loudness
        from calmtune.playlists.select import track_loudness
        from calmtune.trackjson import track_to_json

        items = []
        for position, (entry, track) in enumerate(rows, start=1):
            obj = track_to_json(track) if track else {"path": entry.path, "title": entry.title}
            obj.update({"position": position, "indexed": track is not None})
            if target is not None and track is not None:
                obj["heard_lufs"] = round(heard_loudness(track_loudness(track), target), 2)
            items.append(obj)
        doc = {"file": str(path), "tracks": items, "warnings": parsed.warnings}
        emit_json({**doc, "target_lufs": target})
        return
    from calmtune.ui.playlist_view import print_playlist

    print_playlist(app.console, rows, target_lufs=target)
    missing = sum(1 for _, track in rows if track is None)
    if missing:
        app.say(f"{missing} track(s) are not in the index: `calmtune scan` their folder.")
