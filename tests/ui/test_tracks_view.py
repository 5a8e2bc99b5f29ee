import io

from rich.console import Console

from calmtune.models import Mood, MoodScores, MoodSource, TagInfo, Track
from calmtune.ui.tracks_view import print_tracks


def _track(title: str, artist: str) -> Track:
    scores = MoodScores(0.8, 0.1, 0.2, 0.2, 0.6, Mood.CALM, 0.7, MoodSource.INFERRED, [])
    return Track(
        "/m/x.flac", 1, 1, TagInfo("flac", duration=61, title=title, artist=artist), scores=scores
    )


def test_rich_table_shows_markup_and_escape_codes_literally():
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=200, color_system="standard")
    rows = print_tracks(console, [_track("[bold]x[/] [/]", "\x1b[31mEvil\x07")])
    text = out.getvalue()
    assert rows == 1
    assert "[bold]x[/] [/]" in text
    assert "\\x1b[31mEvil\\x07" in text
    assert "\x1b[31mEvil" not in text and "\x07" not in text
    assert "1:01" in text and "calm" in text
