"""The query parser (``calmtune.query``): terms from text, and one clear error per bad term."""

from __future__ import annotations

import pytest

from calmtune.query import FIELDS, MAX_TERMS, QueryError, Term, parse_query, parse_terms


def test_parse_query_reads_every_form_of_the_grammar():
    terms = parse_query(
        "artist:kaufman mood:CALM bpm:60..80 loudness:..-18 year:1990.. ^genre:metal "
        "title:\"rain song\" 'bare phrase' word Format:FLAC duration:3m..5m artist:"
    )
    assert terms == (
        Term("artist", text="kaufman", source="artist:kaufman"),
        Term("mood", text="calm", source="mood:CALM"),
        Term("bpm", low=60.0, high=80.0, source="bpm:60..80"),
        Term("loudness", high=-18.0, source="loudness:..-18"),
        Term("year", low=1990.0, source="year:1990.."),
        Term("genre", text="metal", negate=True, source="^genre:metal"),
        Term("title", text="rain song", source='title:"rain song"'),
        Term(None, text="bare phrase", source="'bare phrase'"),
        Term(None, text="word", source="word"),
        Term("format", text="flac", source="Format:FLAC"),
        Term("duration", low=180.0, high=300.0, source="duration:3m..5m"),
        Term("artist", missing=True, source="artist:"),
    )


def test_one_number_matches_what_rounds_to_it_and_a_year_exactly():
    assert parse_query("bpm:72")[0][2:4] == (71.5, 72.5)
    assert parse_query("loudness:-18")[0][2:4] == (-18.5, -17.5)
    assert parse_query("year:1984")[0][2:4] == (1984.0, 1984.0)
    assert parse_query("duration:1:30")[0][2:4] == (89.5, 90.5)  # m:ss, to the second


def test_an_apostrophe_inside_a_word_is_not_a_quote():
    assert [t.text for t in parse_query("title:don't rock'n'roll")] == ["don't", "rock'n'roll"]


def test_command_line_arguments_are_one_term_each():
    # The shell turned title:"rain song" into one argument without quotes.
    terms = parse_terms(["title:rain song", "^path:live/", 'album:"x y"', "4:30"])
    assert [(t.field, t.text, t.negate) for t in terms] == [
        ("title", "rain song", False),
        ("path", "live/", True),
        ("album", "x y", False),
        (None, "4:30", False),  # a bare word may hold a colon after a digit
    ]


@pytest.mark.parametrize(
    ("query", "term", "says"),
    [
        ("bpm:fast", "bpm:fast", "bpm takes a number or a range"),
        ("colour:blue", "colour:blue", "unknown field 'colour'"),
        ('title:"rain', 'title:"rain', "the quote is never closed"),
        ('title:"rain"drop', 'title:"rain"drop', "text follows the closing quote"),
        ("mood:sad", "mood:sad", "mood is one of calm, upbeat, focus, unknown"),
        ("bpm:80..60", "bpm:80..60", "the range runs backwards; write 60..80"),
        ("year:1990.5", "year:1990.5", "a year is a whole number"),
        ("loudness:..", "loudness:..", "a range needs at least one end"),
        ("duration:soon", "duration:soon", "duration takes durations"),
        ("format:", "format:", "format needs a value"),
        ("^", "^", "nothing to look for"),
        ("bpm:nan", "bpm:nan", "bpm takes a number"),
        ("bpm:1e3", "bpm:1e3", "bpm takes a number"),
    ],
)
def test_a_bad_term_is_a_usage_error_that_names_it(query, term, says):
    with pytest.raises(QueryError) as caught:
        parse_query(f"artist:fine {query} mood:calm")
    assert caught.value.exit_code == 2
    assert caught.value.term == term
    assert says in caught.value.problem
    assert repr(term) in str(caught.value)


def test_error_messages_escape_control_characters_and_stay_short():
    with pytest.raises(QueryError) as caught:
        parse_terms(["colour:\x1b[31mred\x07" + "x" * 500])
    message = str(caught.value)
    assert "\x1b" not in message and "\x07" not in message and "\\x1b" in message
    assert len(message) < 400


def test_text_that_cannot_be_utf_8_is_refused_but_a_path_may_hold_it():
    undecodable = "caf\udce9"  # a Latin-1 byte from a command line, as Python hands it over
    with pytest.raises(QueryError, match="not UTF-8"):
        parse_terms([f"artist:{undecodable}"])
    assert parse_terms([f"path:{undecodable}"])[0].text == undecodable


def test_a_query_holds_at_most_max_terms():
    assert len(parse_query(" ".join(["a"] * MAX_TERMS))) == MAX_TERMS
    with pytest.raises(QueryError, match=f"at most {MAX_TERMS} terms"):
        parse_query(" ".join(["a"] * (MAX_TERMS + 1)))


def test_every_field_parses_a_value():
    samples = {
        "artist": "x",
        "album": "x",
        "albumartist": "x",
        "title": "x",
        "genre": "x",
        "path": "x/",
        "mood": "focus",
        "format": "mp3",
        "year": "2001",
        "bpm": "90..",
        "loudness": "..-20",
        "duration": "..4m",
    }
    assert set(samples) == set(FIELDS)
    for field, value in samples.items():
        (term,) = parse_query(f"{field}:{value}")
        assert term.field == field and not term.missing
