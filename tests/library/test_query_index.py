"""Queries against a real index: generated, tagged files of several formats, scanned and analysed
by calmtune's own commands, then asked for through ``calmtune tracks`` (click's CliRunner).

Every field and every operator is checked against the tracks it must return, and hostile text
(quotes, SQL, control characters, unpaired surrogates, NUL, very long terms) gives results or a
usage error, never an SQL error or a traceback.
"""

from __future__ import annotations

import itertools
import json
import os

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audiofiles import make_tagged_file
from calmtune.cli import cli
from calmtune.library import Library
from calmtune.query import FIELDS, QueryError, parse_terms

# name -> (relative path, format, seconds, gain dB, tags)
FILES = {
    "rain": ("calm/Rain Song", "flac", 2.0, -20.0, {
        "title": "Rain Song", "artist": "Björk", "albumartist": "Björk", "album": "Homogenic",
        "genre": "Ambient", "bpm": 66, "year": "1997-09-22", "mood": "Relaxed"}),
    "storm": ("rock/Storm", "mp3v23", 1.0, 0.0, {
        "title": "Metal Storm", "artist": "IRON MAIDEN", "album": "Powerslave",
        "genre": "Heavy Metal", "bpm": 160, "year": "1984", "mood": "Energetic"}),
    "dont": ("live/Kaufman - Dont", "ogg", 3.0, -10.0, {
        "title": "Don't Stop", "artist": "Kaufman", "albumartist": "Various Artists",
        "album": "Live at Home", "genre": "Piano", "bpm": 72, "year": "2003", "mood": "Study"}),
    "strasse": ("live/strasse", "opus", 1.5, -30.0, {"title": "Straße", "artist": "Ümlaut"}),
    "blank": ("misc/blank", "wav", 0.5, -6.0, {}),
    "dance": ("misc/dance", "m4a", 2.5, -3.0, {
        "title": "Rain Dance", "artist": "kaufman", "album": "Floors", "genre": "Dance",
        "bpm": 128, "year": "1999"}),
}  # fmt: skip
ALL = set(FILES)


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    """The generated library, scanned and analysed into its own index (``--db``)."""
    home = tmp_path_factory.mktemp("query-home")
    root = tmp_path_factory.mktemp("query-music")
    db = home / "query.db"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("CALMTUNE_HOME", str(home))
        env.setenv("SDL_AUDIODRIVER", "dummy")
        for rel, fmt, seconds, gain, tags in FILES.values():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            make_tagged_file(root / rel, fmt, seconds=seconds, gain_db=gain, **tags)
        for command in (["scan", str(root)], ["analyze"]):
            result = CliRunner().invoke(cli, ["--db", str(db), *command], catch_exceptions=False)
            assert result.exit_code == 0, result.output
    return db, root


def names(index, *args: str) -> set[str]:
    """The FILES keys ``calmtune tracks ARGS`` lists."""
    result = tracks(index, *args)
    assert result.exit_code == 0, result.output
    return {_name(t["path"]) for t in json.loads(result.stdout)}


def tracks(index, *args: str, sort: tuple[str, ...] = ()):
    db, _ = index
    return CliRunner().invoke(cli, ["--db", str(db), "tracks", "--json", *sort, "--", *args])


def _name(path: str) -> str:
    stem = os.path.splitext(path)[0]
    return next(n for n, (rel, *_) in FILES.items() if stem.endswith(rel))


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        # text fields: case-insensitive substrings, Unicode case folding, phrases
        (["artist:björk"], {"rain"}),
        (["artist:BJÖRK"], {"rain"}),
        (["artist:kauf"], {"dont", "dance"}),
        (["albumartist:various"], {"dont"}),
        (["album:live at"], {"dont"}),
        (['album:"live at"'], {"dont"}),
        (["title:rain"], {"rain", "dance"}),
        (["title:rain song"], {"rain"}),
        (["title:STRASSE"], {"strasse"}),
        (["title:don't"], {"dont"}),
        (["genre:metal"], {"storm"}),
        (["genre:"], {"strasse", "blank"}),
        # bare words and phrases look in title, artist, album artist, album and genre
        (["rain"], {"rain", "dance"}),
        (["kaufman"], {"dont", "dance"}),
        (["ambient"], {"rain"}),
        (["various"], {"dont"}),
        (['"rain song"'], {"rain"}),
        # path: bytes, a substring anywhere in the absolute path
        (["path:live/"], {"dont", "strasse"}),
        (["^path:live/"], ALL - {"dont", "strasse"}),
        (["path:Live/"], set()),
        # format: an exact word
        (["format:FLAC"], {"rain"}),
        (["format:m4a"], {"dance"}),
        (["format:fla"], set()),
        # year: exact, ranges open at either end, missing
        (["year:1984"], {"storm"}),
        (["year:1990..1999"], {"rain", "dance"}),
        (["year:..1990"], {"storm"}),
        (["year:2000.."], {"dont"}),
        (["year:"], {"strasse", "blank"}),
        (["^year:"], {"rain", "storm", "dont", "dance"}),
        # bpm: the tempo calmtune plans with (here the BPM tag: 0.5-3 s tones have no beat)
        (["bpm:60..80"], {"rain", "dont"}),
        (["bpm:100.."], {"storm", "dance"}),
        (["bpm:..70"], {"rain"}),
        (["bpm:72"], {"dont"}),
        (["bpm:72.4"], {"dont"}),
        (["bpm:"], {"strasse", "blank"}),
        # duration: durations, a bare number is minutes
        (["duration:2.8s.."], {"dont"}),
        (["duration:..0.8s"], {"blank"}),
        (["duration:1.3s..1.7s"], {"strasse"}),
        (["duration:1..5"], set()),
        (["duration:0:02..0:03"], {"rain", "dont", "dance"}),
        # negation keeps the tracks whose value is unknown
        (["^genre:metal"], ALL - {"storm"}),
        (["^bpm:60..80"], ALL - {"rain", "dont"}),
        # AND
        (["artist:kaufman", "year:..2000"], {"dance"}),
        (["rain", "^format:m4a"], {"rain"}),
        (["kaufman", "^kaufman"], set()),
    ],
)
def test_every_field_and_operator_finds_the_right_tracks(index, args, expected):
    assert names(index, *args) == expected


def test_mood_finds_the_stored_mood(index):
    result = tracks(index)
    stored = {_name(t["path"]): t["mood"] for t in json.loads(result.stdout)}
    # Mood tags the user set win over everything, so these three are certain.
    assert (stored["rain"], stored["storm"], stored["dont"]) == ("calm", "upbeat", "focus")
    for mood in ("calm", "upbeat", "focus", "unknown"):
        assert names(index, f"mood:{mood}") == {n for n, m in stored.items() if m == mood}
        assert names(index, f"^mood:{mood.upper()}") == {n for n, m in stored.items() if m != mood}


def test_loudness_ranges_follow_the_measured_loudness(index):
    result = tracks(index)
    measured = {_name(t["path"]): t["loudness_lufs"] for t in json.loads(result.stdout)}
    known = {n: v for n, v in measured.items() if v is not None}
    assert len(known) >= 5, measured  # the tones are loud enough to measure
    ordered = sorted(known, key=known.get)
    # A cut halfway between two neighbours splits the tracks exactly there.
    for quieter, louder in itertools.pairwise(ordered):
        cut = round((known[quieter] + known[louder]) / 2, 2)
        below = {n for n in known if known[n] <= cut}
        assert names(index, f"loudness:..{cut}") == below
        assert names(index, f"loudness:{cut}..") == set(known) - below
    one = ordered[0]
    assert one in names(index, f"loudness:{round(known[one])}")
    assert names(index, "loudness:") == ALL - set(known)


def test_sort_descending_reverses_the_order_and_keeps_unknown_values_last(index):
    def order(field: str) -> list[str]:
        result = tracks(index, sort=("--sort", field))
        assert result.exit_code == 0, result.output
        return [_name(t["path"]) for t in json.loads(result.stdout)]

    assert order("year")[:4] == ["storm", "rain", "dance", "dont"]
    assert order("-year")[:4] == ["dont", "dance", "rain", "storm"]
    assert set(order("-year")[4:]) == {"strasse", "blank"}
    assert order("-bpm")[:4] == ["storm", "dance", "dont", "rain"]
    assert order("-duration") == list(reversed(order("duration")))


def test_a_bad_term_is_a_usage_error_naming_it(index):
    result = tracks(index, "artist:björk", "bpm:slow")
    assert result.exit_code == 2
    assert "'bpm:slow'" in result.stderr and "Traceback" not in result.output
    assert result.stdout == ""


@pytest.mark.parametrize(
    "term",
    [
        "artist:'; DROP TABLE tracks;--",
        "'; DROP TABLE tracks;--",
        'title:" OR 1=1 --',
        "path:%",
        "path:_",
        "genre:%' OR '1'='1",
        "title:)) OR ((1",
        "artist:\x00",
        "artist:a\x00b",
        "title:\x1b[31m",
        "title:" + "ä" * 100_000,
        "path:" + "/" * 10_000,
        "^\u202e",
        "title:🎵",
    ],
)
def test_hostile_terms_give_results_never_sql(index, term):
    db, _ = index
    result = tracks(index, term)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [] or term.startswith("^")
    with Library.open(db) as lib:
        assert lib.count() == len(FILES)  # the table is still there, whole


_ANY_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=(), min_codepoint=0, max_codepoint=0x10FFFF),
    max_size=40,
)
_TERMS = st.one_of(
    _ANY_TEXT,
    st.builds(lambda f, v: f"{f}:{v}", st.sampled_from(sorted(FIELDS)), _ANY_TEXT),
    st.builds(lambda f, v: f"^{f}:{v}", st.sampled_from(sorted(FIELDS)), _ANY_TEXT),
    st.builds(
        lambda f, a, b: f"{f}:{a}..{b}",
        st.sampled_from(["bpm", "loudness", "year", "duration"]),
        st.sampled_from(["", "-1", "0", "60", "1e9", "nan", "..", "'", "1.5", "-0"]),
        st.sampled_from(["", "-1", "0", "80", "inf", "3m", "1:30", "\x00"]),
    ),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=st.lists(_TERMS, max_size=5))
def test_any_input_gives_results_or_a_query_error(index, raw):
    db, _ = index
    try:
        terms = parse_terms(raw)
    except QueryError as err:
        assert err.exit_code == 2 and err.term in raw
        return
    with Library.open(db) as lib:
        found = {t.path for t in lib.iter_tracks(query=terms)}
        assert found <= {t.path for t in lib.iter_tracks()}
        assert lib.count(query=terms) == len(found)
