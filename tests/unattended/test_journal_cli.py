"""``calmtune journal``: sessions recorded in the real index, shown as a table and as the JSON of
docs/cli.md."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from click.testing import CliRunner

from calmtune.cli.app import cli
from calmtune.library import Library
from calmtune.listening import EndedBy, SessionRecord
from calmtune.ui.journal_view import sparkline, stress_change_by_recipe

DAY = 86400.0
T0 = 1_760_000_000.0  # 2025-10-09, a fixed past moment


def _record(home, sessions):
    """sessions: (recipe, before, after, ended_by or None for killed, tracks, start offset days)."""
    ids = []
    with Library.open(home / "library.db") as lib:
        journal = lib.journal
        for recipe, before, after, ended_by, tracks, day in sessions:
            started = T0 + day * DAY
            sid = journal.start(recipe, stress_before=before, started=started)
            for n in range(tracks):
                journal.track_played(sid, f"/music/{recipe}-{n}.flac", 240.0)
            if ended_by is not None:
                journal.finish(sid, ended_by, stress_after=after, ended=started + 25 * 60)
            ids.append(sid)
    return ids


SESSIONS = [
    ("calm", 7, 3, EndedBy.COMPLETED, 6, 0),
    ("focus", None, None, EndedBy.QUIT, 2, 1),
    ("calm", 8, 5, EndedBy.SIGTERM, 4, 2),
    ("sleep", 6, None, None, 3, 3),  # killed without a word: still "running"
]


def _journal(*args):
    result = CliRunner().invoke(cli, ["journal", *args])
    assert result.exit_code == 0, result.output
    return result


def test_journal_json_matches_the_cli_contract_newest_first(isolated_home):
    _record(isolated_home, SESSIONS)

    data = json.loads(_journal("--json").stdout)

    assert [d["recipe"] for d in data] == ["sleep", "calm", "focus", "calm"]
    for item in data:
        assert list(item) == [
            "started", "ended", "recipe", "minutes", "tracks", "stress_before", "stress_after",
            "ended_by",
        ]  # fmt: skip
    killed, stopped, _quit, done = data
    assert killed == {
        "started": datetime.fromisoformat(killed["started"]).isoformat(),
        "ended": None,
        "recipe": "sleep",
        "minutes": None,
        "tracks": 3,
        "stress_before": 6,
        "stress_after": None,
        "ended_by": "running",
    }
    assert stopped["ended_by"] == "sigterm" and stopped["tracks"] == 4
    assert (stopped["stress_before"], stopped["stress_after"]) == (8, 5)
    assert done["minutes"] == 25.0 and done["ended_by"] == "completed" and done["tracks"] == 6
    started = datetime.fromisoformat(done["started"])
    assert started.tzinfo is not None  # local time *with* its offset
    assert started.timestamp() == T0
    assert datetime.fromisoformat(done["ended"]).timestamp() == T0 + 25 * 60


def test_journal_limit_keeps_the_most_recent_sessions(isolated_home):
    _record(isolated_home, SESSIONS)
    data = json.loads(_journal("--json", "--limit", "2").stdout)
    assert [(d["recipe"], d["ended_by"]) for d in data] == [
        ("sleep", "running"),
        ("calm", "sigterm"),
    ]


def test_journal_table_shows_sessions_chart_and_change_per_recipe(isolated_home):
    _record(isolated_home, SESSIONS)

    out = _journal().stdout

    lines = out.splitlines()
    assert lines[0].split() == ["Started", "Length", "Recipe", "Tracks", "Stress", "Ended"]
    rows = lines[1:5]
    assert rows[0].split()[-1] == "running/killed" and "12+ min" in rows[0]  # 3 tracks x 4 min
    assert "SIGTERM" in rows[1] and "8 → 5" in rows[1]
    assert rows[3].split()[-1] == "completed" and "25 min" in rows[3] and "7 → 3" in rows[3]
    # Oldest first: 7, none, 8, 6 before; 3, none, 5, none after.
    assert f"before  {sparkline([7, None, 8, 6])}" in out
    assert f"after   {sparkline([3, None, 5, None])}" in out
    assert "calm: -3.5 over 2 rated sessions" in out
    assert "sleep:" not in out  # only rated before *and* after counts


def test_journal_empty_says_how_to_start(isolated_home):
    result = _journal()
    assert result.stdout == ""
    assert "calmtune relax" in result.stderr
    assert json.loads(_journal("--json").stdout) == []


def test_journal_shows_hostile_recipe_names_literally(isolated_home):
    _record(isolated_home, [("[bold]x[/]\x1b[2J", 5, 2, EndedBy.COMPLETED, 1, 0)])
    out = _journal().stdout
    assert "[bold]x[/]\\x1b[2J" in out
    assert "\x1b" not in out


@pytest.mark.parametrize(
    ("values", "expected"),
    [([0, 10, None, 5], "▁█·▅"), ([], ""), ([3, 3], "▃▃"), ([12, -1], "█▁")],
)
def test_sparkline_maps_ratings_to_blocks(values, expected):
    assert sparkline(values) == expected


def test_stress_change_by_recipe_averages_rated_sessions_only():
    def rec(recipe, before, after):
        return SessionRecord(
            id=None, started=0.0, recipe=recipe, stress_before=before, stress_after=after
        )

    changes = stress_change_by_recipe(
        [rec("calm", 8, 2), rec("calm", 6, 4), rec("calm", None, 1), rec("upbeat", 3, 5)]
    )
    assert [(c.recipe, c.rated, c.average_change) for c in changes] == [
        ("calm", 2, -4.0),
        ("upbeat", 1, 2.0),
    ]
