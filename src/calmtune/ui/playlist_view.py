"""Playlists and recipes for people: a table per track and a small chart of the tempo arc.

Tag text goes through ``printable`` and rich ``Text`` so titles never act as markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from calmtune.ui.text import printable
from calmtune.ui.tracks_view import MOOD_STYLES, format_duration

if TYPE_CHECKING:
    from pathlib import Path

    from rich.console import Console

    from calmtune.models import Track
    from calmtune.playlists.m3u import Entry
    from calmtune.playlists.recipe import Recipe

BARS = "▁▂▃▄▅▆▇█"


def spark(values: Sequence[float | None]) -> str:
    """One bar per value, scaled between the smallest and largest; a gap for unknown values."""
    known = [v for v in values if v is not None]
    if not known:
        return ""
    lo, hi = min(known), max(known)
    span = hi - lo or 1.0
    return "".join(
        " " if v is None else BARS[round((v - lo) / span * (len(BARS) - 1))] for v in values
    )


def print_recipes(console: Console, recipes: Sequence[Recipe]) -> None:
    from rich.table import Table
    from rich.text import Text

    from calmtune.durations import format_duration as short_duration

    table = Table(box=None, header_style="bold", pad_edge=False)
    for name in ("Recipe", "Mood", "Arc", "Length", "Source", "Description"):
        table.add_column(name)
    for r in recipes:
        table.add_row(
            Text(printable(r.name)),
            Text(r.mood, style=MOOD_STYLES.get(r.mood, "")),
            r.arc.shape,
            short_duration(r.duration),
            r.source,
            Text(printable(r.description)),
        )
    console.print(table)


def print_saved(console: Console, rows: Sequence[tuple[str, Path, int, float, int]]) -> None:
    """Saved playlists: name, tracks, length, entries no longer found, file."""
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, header_style="bold", pad_edge=False)
    for name, justify in (
        ("Name", "left"), ("Tracks", "right"), ("Length", "right"), ("Missing", "right"),
        ("File", "left"),
    ):  # fmt: skip
        table.add_column(name, justify=justify)
    for name, path, tracks, seconds, missing in rows:
        table.add_row(
            Text(printable(name)),
            str(tracks),
            format_duration(seconds),
            str(missing) if missing else "",
            Text(printable(str(path)), style="dim"),
        )
    console.print(table)


def print_playlist(
    console: Console,
    rows: Sequence[tuple[Entry, Track | None]],
    *,
    target_lufs: float | None = None,
) -> None:
    """The table, then the tempo and loudness arcs as one bar per track.

    With the level the playlist was planned for (``target_lufs``), loudness is drawn as the
    listener will hear it (louder tracks are turned down to the target); without it, as mastered.
    """
    from rich.table import Table
    from rich.text import Text

    from calmtune.levels import heard_loudness
    from calmtune.playlists.select import track_loudness, track_tempo

    table = Table(box=None, header_style="bold", pad_edge=False)
    for name, justify in (
        ("#", "right"), ("Artist - Title", "left"), ("Time", "right"), ("Mood", "left"),
        ("BPM", "right"), ("LUFS" if target_lufs is None else "Heard", "right"),
    ):  # fmt: skip
        table.add_column(name, justify=justify)
    tempos: list[float | None] = []
    levels: list[float | None] = []
    total = 0.0
    for position, (entry, track) in enumerate(rows, start=1):
        bpm = track_tempo(track) if track else None
        lufs = track_loudness(track) if track else None
        if track is not None and target_lufs is not None:
            lufs = heard_loudness(lufs, target_lufs)
        tempos.append(bpm)
        levels.append(lufs)
        if track is not None:
            tags = track.tags
            name = f"{tags.artist} - {tags.title}" if tags.artist and tags.title else None
            name = name or tags.title or entry.title or entry.path.rsplit("/", 1)[-1]
            duration = tags.duration
            mood = track.scores.mood.value if track.scores else "unknown"
        else:
            name = entry.title or entry.path.rsplit("/", 1)[-1]
            duration, mood = entry.duration, "not indexed"
        total += duration or 0.0
        table.add_row(
            str(position),
            Text(printable(name)),
            format_duration(duration),
            Text(mood, style=MOOD_STYLES.get(mood, "dim")),
            "" if bpm is None else f"{bpm:.0f}",
            "" if lufs is None else f"{lufs:.1f}",
        )
    console.print(table)
    known_bpm = [v for v in tempos if v is not None]
    known_lufs = [v for v in levels if v is not None]
    if known_bpm:
        console.print(
            Text(f"tempo    {spark(tempos)}  {known_bpm[0]:.0f} -> {known_bpm[-1]:.0f} BPM")
        )
    if known_lufs:
        how = "as mastered" if target_lufs is None else f"as heard at {target_lufs:g} LUFS"
        console.print(
            Text(
                f"loudness {spark(levels)}  {known_lufs[0]:.1f} -> {known_lufs[-1]:.1f} LUFS "
                f"({how})"
            )
        )
    console.print(Text(f"{len(rows)} tracks, {format_duration(total)}"))
