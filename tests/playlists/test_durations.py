"""The shared duration parser: every form docs/cli.md promises, and clear refusals."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from calmtune.durations import format_clock, format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90s", 90),
        ("20m", 1200),
        ("1h15m", 4500),
        ("1h15m30s", 4530),
        ("1h", 3600),
        ("1.5h", 5400),
        ("2m30s", 150),
        ("1:30:00", 5400),
        ("0:45:10", 2710),
        ("4:30", 270),
        ("25", 1500),
        ("2.5", 150),
        (" 20M ", 1200),
        ("1h 15m", 4500),
        (30, 1800),
        (0.5, 30),
        ("0", 0),
    ],
)
def test_parse_duration_accepts_documented_forms(text, seconds):
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize(
    "text", ["", "abc", "10x", "1:60", "1:61:00", "-5", "m", "1h-5m", "h1", "1::2", True, -3]
)
def test_parse_duration_rejects_garbage_with_the_forms(text):
    with pytest.raises(ValueError, match="1h15m"):
        parse_duration(text)


@given(st.integers(min_value=0, max_value=30 * 3600))
def test_format_duration_round_trips_through_parse(seconds):
    assert parse_duration(format_duration(seconds)) == seconds
    assert parse_duration(format_clock(seconds)) == seconds


def test_format_duration_is_compact():
    assert format_duration(4500) == "1h15m"
    assert format_duration(1200) == "20m"
    assert format_duration(0) == "0s"
    assert format_clock(4530) == "1:15:30"
    assert format_clock(75) == "1:15"
