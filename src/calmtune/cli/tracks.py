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
    """One track: tags, measured features, mood scores and the reasons behind them.

    Also how you treated it in sessions: how often it was heard to the end, skipped (and after how
    long), cut short or replayed.

    \b
    --json writes the track object (see `calmtune tracks --help`) with reasons, arousal, valence,
    tag_mood, user_mood, key, features, and listening:
      plays                  times it started in a session
      finished               heard to the end
      skipped                skipped with n (or b)
      skipped_after_seconds  median seconds heard before a skip, or null
      cut                    cut short by q, a signal or the session's end
      back                   left with p for the track before
      replayed               plays asked for again with p
      no_outcome             plays with no recorded end (the session was killed)
      last_played            local ISO-8601 time of the latest start, or null
    """
    from calmtune.errors import CalmtuneError
    from calmtune.trackjson import track_to_json

    library = app.open_library()
    track = library.get_track(str(path))
    if track is None:
        raise CalmtuneError(f"{path} is not in the index", hint="run `calmtune scan` on its folder")
    listening = library.journal.listening(track.id)
    if as_json:
        data = track_to_json(track)
        data.update(_details_json(track))
        data["listening"] = _listening_json(listening)
        emit_json(data)
    else:
        from calmtune.ui.tracks_view import print_track_details

        print_track_details(app.console, track, listening)


def _listening_json(s) -> dict:
    """How the listener treated the track in sessions (docs/cli.md, "show")."""
    from calmtune.cli.journal import iso_local

    return {
        "plays": s.plays,
        "finished": s.finished,
        "skipped": s.skipped,
        "skipped_after_seconds": None if s.skipped_after is None else round(s.skipped_after, 1),
        "cut": s.cut,
        "back": s.back,
        "replayed": s.replayed,
        "no_outcome": s.unknown,
        "last_played": iso_local(s.last_played),
    }


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
        "damage": track.damage,
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
            "onset_strength": f.onset_strength,
            "spectral_flux": f.spectral_flux,
            "percussive_share": f.percussive_share,
            "bass_share": f.bass_share,
            "low_percussive_share": f.low_percussive_share,
            "tonal_clarity": f.tonal_clarity,
            "roughness": f.roughness,
            "texture_change": f.texture_change,
            "peak_to_loudness": f.peak_to_loudness,
            "silent": f.silent,
        },
    }
