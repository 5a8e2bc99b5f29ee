"""``calmtune tracks`` and ``calmtune show``: what the index knows."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from calmtune.cli.context import AppContext
from calmtune.cli.options import (
    MAX_COUNT,
    QUERY_HELP,
    emit_json,
    emit_nl,
    json_option,
    nl_option,
    query_argument,
)

MOODS = ("calm", "upbeat", "focus", "unknown")
SORTS = (
    "artist", "title", "album", "genre", "duration", "bpm", "loudness", "mood", "confidence",
    "format", "path", "year",
)  # fmt: skip


class SortType(click.ParamType):
    """``FIELD`` or ``-FIELD`` (descending), as ``(field, descending)``."""

    name = "[-]field"

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        field = value.removeprefix("-")
        if field not in SORTS:
            self.fail(f"{value!r} is not one of {', '.join(SORTS)} (a leading - sorts descending)")
        return field, value.startswith("-")

    def shell_complete(self, ctx, param, incomplete):
        from click.shell_completion import CompletionItem

        sign = "-" if incomplete.startswith("-") else ""
        typed = incomplete.removeprefix("-")
        return [CompletionItem(sign + name) for name in SORTS if name.startswith(typed)]


@click.command(epilog=QUERY_HELP)
@query_argument
@click.option("--mood", type=click.Choice(MOODS), help="Only tracks of this mood.")
@click.option("--limit", type=click.IntRange(0, MAX_COUNT), help="At most this many tracks.")
@click.option(
    "--sort",
    type=SortType(),
    default="artist",
    show_default=True,
    help=f"Order by one of {', '.join(SORTS)}; -FIELD for descending (e.g. --sort -bpm).",
)
@json_option
@nl_option
@click.pass_obj
def tracks(
    app: AppContext,
    query: tuple,
    mood: str | None,
    limit: int | None,
    sort: tuple[str, bool],
    as_json: bool,
    as_nl: bool,
) -> None:
    """List indexed tracks with their mood.

    QUERY narrows the list, e.g. `calmtune tracks artist:kaufman bpm:60..80 ^genre:metal`. On a
    terminal this is a table; in a pipe, tab-separated lines (artist, title, album, time, BPM,
    mood, path). Use --json or --nl for scripts.
    """
    from calmtune.trackjson import track_to_json

    library = app.open_library()
    field, descending = sort
    found = library.iter_tracks(
        mood=mood, sort=field, limit=limit, query=query, descending=descending
    )
    if as_nl:
        emit_nl(track_to_json(t) for t in found)
    elif as_json:
        emit_json([track_to_json(t) for t in found])
    else:
        from calmtune.ui.console import is_terminal
        from calmtune.ui.tracks_view import print_tracks, write_plain_tracks

        if is_terminal():
            shown = print_tracks(app.console, found)
        else:
            shown = write_plain_tracks(sys.stdout, found)
        if shown == 0 and library.count() == 0:
            app.say("The library is empty: run `calmtune scan ~/Music` (or your music folder).")


@click.command()
@click.argument("path", type=click.Path(path_type=Path))
@json_option
@click.pass_obj
def show(app: AppContext, path: Path, as_json: bool) -> None:
    """One track: tags, measured features, mood scores and the reasons behind them."""
    from calmtune.errors import CalmtuneError
    from calmtune.trackjson import track_to_json

    track = app.open_library().get_track(str(path))
    if track is None:
        raise CalmtuneError(f"{path} is not in the index", hint="run `calmtune scan` on its folder")
    if as_json:
        data = track_to_json(track)
        data.update(_details_json(track))
        emit_json(data)
    else:
        from calmtune.ui.tracks_view import print_track_details

        print_track_details(app.console, track)


def _details_json(track) -> dict:
    """What ``show`` adds to the track object: reasons, features, and the mood fields' origin."""
    f, s, t = track.features, track.scores, track.tags
    return {
        "reasons": list(s.reasons) if s else [],
        "arousal": s.arousal if s else None,
        "valence": s.valence if s else None,
        "tag_mood": t.mood,
        "tag_mood_written_by_calmtune": t.mood_by_calmtune,
        "user_mood": track.user_mood,
        "key": t.key,
        "features": None
        if f is None
        else {
            "bpm": f.bpm,
            "bpm_confidence": f.bpm_confidence,
            "loudness_lufs": f.loudness_lufs,
            "peak_dbfs": f.peak_dbfs,
            "loudness_range": f.loudness_range,
            "onset_density": f.onset_density,
            "brightness": f.brightness,
            "silent": f.silent,
        },
    }
