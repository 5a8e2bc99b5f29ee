"""Tables of tracks for people. Every tag value goes through ``printable`` and rich ``Text``, so
markup and escape codes in titles show literally."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from calmtune.ui.text import printable

if TYPE_CHECKING:
    from rich.console import Console

    from calmtune.listening import ListeningSummary
    from calmtune.models import Track

MOOD_STYLES = {"calm": "cyan", "upbeat": "yellow", "focus": "green", "unknown": "dim"}


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    seconds = round(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _bpm(track: Track) -> str:
    from calmtune.models import effective_bpm

    bpm, _source = effective_bpm(track.features, track.tags.bpm)
    return "" if bpm is None else f"{bpm:.0f}"


def print_tracks(console: Console, tracks: Iterable[Track]) -> int:
    """Print a table; returns how many rows it had."""
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, header_style="bold", pad_edge=False)
    for name, justify in (
        ("Artist", "left"), ("Title", "left"), ("Album", "left"), ("Time", "right"),
        ("BPM", "right"), ("Mood", "left"), ("Conf", "right"),
    ):  # fmt: skip
        table.add_column(name, justify=justify, overflow="ellipsis", no_wrap=True)
    rows = 0
    for track in tracks:
        mood = track.scores.mood.value if track.scores else "unknown"
        conf = f"{track.scores.confidence:.2f}" if track.scores else ""
        title = track.tags.title or _file_name(track.path)
        table.add_row(
            Text(printable(track.tags.artist)),
            Text(printable(title)),
            Text(printable(track.tags.album)),
            format_duration(track.tags.duration),
            _bpm(track),
            Text(mood, style=MOOD_STYLES.get(mood, "")),
            conf,
        )
        rows += 1
    if rows:
        console.print(table)
    return rows


def write_plain_tracks(stream, tracks: Iterable[Track]) -> int:
    """Tab-separated rows for pipes and files: no colours, no truncation, no rich import."""
    rows = 0
    for track in tracks:
        mood = track.scores.mood.value if track.scores else "unknown"
        fields = (
            track.tags.artist,
            track.tags.title or _file_name(track.path),
            track.tags.album,
            format_duration(track.tags.duration),
            _bpm(track),
            mood,
            track.path,
        )
        stream.write("\t".join(printable(f) for f in fields) + "\n")
        rows += 1
    return rows


def _file_name(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def _times(n: int) -> str:
    return f"{n} time" if n == 1 else f"{n} times"


def listening_text(s: ListeningSummary) -> str:
    """How the listener treated a track, in plain words: "skipped 4 of 5 times (after 8 s, the
    median); heard to the end 1 time"."""
    if s.plays == 0:
        return "not played in a session yet"
    parts = []
    if s.skipped:
        after = "" if s.skipped_after is None else f" (after {s.skipped_after:.0f} s, the median)"
        parts.append(
            f"skipped {s.skipped} of {s.plays} {'time' if s.plays == 1 else 'times'}{after}"
        )
    if s.finished:
        parts.append(f"heard to the end {_times(s.finished)}")
    if s.cut:
        parts.append(f"cut short {_times(s.cut)}")
    if s.back:
        parts.append(f"left for the track before {_times(s.back)}")
    if s.replayed:
        parts.append(f"replayed {_times(s.replayed)}")
    if s.unknown:
        parts.append(f"no recorded end {_times(s.unknown)}")
    if not s.skipped:
        parts.insert(0, f"started {_times(s.plays)}")
    return "; ".join(parts)


def print_track_details(
    console: Console, track: Track, listening: ListeningSummary | None = None
) -> None:
    from rich.table import Table
    from rich.text import Text

    t, f, s = track.tags, track.features, track.scores
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()

    def row(label: str, value: object) -> None:
        if value not in (None, ""):
            grid.add_row(label, Text(printable(value)))

    row("Path", track.path)
    row("Title", t.title)
    row("Artist", t.artist)
    row("Album", t.album)
    row("Genre", t.genre)
    row("Format", f"{t.format}" + ("" if track.playable else " (not playable without ffmpeg)"))
    row("Duration", format_duration(t.duration))
    if track.damage:
        grid.add_row("Damaged", Text(printable(track.damage), style="yellow"))
    row("BPM (tag)", t.bpm)
    row("Key", t.key)
    if f is not None:
        if f.silent:
            row("Analysis", "silent")
        row(
            "BPM (measured)",
            None if f.bpm is None else f"{f.bpm:.1f} (confidence {f.bpm_confidence or 0:.2f})",
        )
        row("Loudness", None if f.loudness_lufs is None else f"{f.loudness_lufs:.1f} LUFS")
        row("Peak", None if f.peak_dbfs is None else f"{f.peak_dbfs:.1f} dBFS")
        row("Loudness range", None if f.loudness_range is None else f"{f.loudness_range:.1f} LU")
        plr = f.peak_to_loudness
        row("Peak to loudness", None if plr is None else f"{plr:.1f} dB")
        row("Onsets", None if f.onset_density is None else f"{f.onset_density:.2f} per second")
        strength = f.onset_strength
        row("Onset strength", None if strength is None else f"{strength:.1f} dB rise")
        row("Spectral flux", None if f.spectral_flux is None else f"{f.spectral_flux:.2f} dB")
        share = f.percussive_share
        row("Percussive share", None if share is None else f"{share:.0%}")
        low = f.low_percussive_share
        row("Low hits", None if low is None else f"{low:.0%} of the power (kick, timpani)")
        row("Bass share", None if f.bass_share is None else f"{f.bass_share:.0%} under 150 Hz")
        row("Brightness", None if f.brightness is None else f"{f.brightness:.0f} Hz")
        clarity = f.tonal_clarity
        row("Tonal clarity", None if clarity is None else f"{clarity:.0f} dB peaks over valleys")
        row("Roughness", None if f.roughness is None else f"{f.roughness:.4f}")
        change = f.texture_change
        row("Texture change", None if change is None else f"{change:.2f} dB over 4 s")
    else:
        row("Analysis", "not analysed yet (run `calmtune analyze`)")
    row(
        "ReplayGain",
        None if t.replaygain_track_gain is None else f"{t.replaygain_track_gain:+.2f} dB",
    )
    mood_origin = (
        "written by calmtune" if t.mood_by_calmtune else "set by the user or another tagger"
    )
    row("Mood tag in file", None if t.mood is None else f"{t.mood} ({mood_origin})")
    row("Mood set in calmtune", track.user_mood)
    if s is not None:
        style = MOOD_STYLES.get(s.mood.value, "")
        grid.add_row(
            "Mood",
            Text(f"{s.mood.value} ({s.source.value}, confidence {s.confidence:.2f})", style=style),
        )
        grid.add_row("Scores", f"calm {s.calm:.2f}  upbeat {s.upbeat:.2f}  focus {s.focus:.2f}")
    if listening is not None:
        row("Listening", listening_text(listening))
    console.print(grid)
    if s is not None and s.reasons:
        console.print(Text("Why:", style="bold"))
        for reason in s.reasons:
            console.print(Text(f"  - {printable(reason)}"))
