"""``calmtune journal --insights`` and ``calmtune goal`` on a generated journal, checked against
figures computed here independently (numpy for the means and deviations, scipy for Student's t)."""

from __future__ import annotations

import json
import random
import time
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from scipy import stats

from calmtune.cli import cli
from calmtune.library import Library
from calmtune.listening import EndedBy

DAY = 24 * 3600.0


def generate_journal(db: Path, count: int, *, seed: int = 7) -> list[dict]:
    """``count`` sessions over the last 60 days; most rated, calm with the largest drops. Returns
    what was written, for the independent computation."""
    rng = random.Random(seed)
    now = time.time()
    written = []
    with Library.open(db) as library:
        journal = library.journal
        for n in range(count):
            recipe = rng.choice(["calm", "calm", "focus", "sleep"])
            # whole hours and lengths away from the band edges, days away from the 7/28-day edges
            started = now - (n * 59 / count + 0.5) * DAY
            started -= started % 3600 - 1800
            minutes = rng.choice([10, 20, 35, 50])
            before = rng.randint(4, 9)
            mean_drop = {"calm": 3, "focus": 1, "sleep": 2}[recipe]
            after = max(0, min(10, before - mean_drop + rng.randint(-2, 2)))
            rated = rng.random() < 0.85
            sid = journal.start(recipe, stress_before=before if rated else None, started=started)
            journal.track_played(sid, f"/m/{n}.flac", minutes * 60.0)
            journal.finish(
                sid,
                EndedBy.COMPLETED,
                stress_after=after if rated else None,
                ended=started + minutes * 60,
            )
            written.append(
                {"recipe": recipe, "started": started, "minutes": minutes, "rated": rated,
                 "drop": before - after}
            )  # fmt: skip
    return written


def expected_figure(drops: list[float]) -> tuple[int, float, float | None, float | None]:
    values = np.array(drops, dtype=float)
    n, mean = len(values), float(values.mean())
    if n < 2:
        return n, mean, None, None
    half = stats.t.ppf(0.975, n - 1) * values.std(ddof=1) / np.sqrt(n)
    return n, mean, mean - half, mean + half


def band_of_hour(hour: int) -> str:
    return ["night (0-6 h)", "morning (6-12 h)", "afternoon (12-18 h)", "evening (18-24 h)"][
        hour // 6
    ]


def band_of_length(minutes: int) -> str:
    return {10: "under 15 min", 20: "15-30 min", 35: "30-45 min", 50: "45 min or more"}[minutes]


def check_breakdown(figures: list[dict], rated: list[dict], key) -> None:
    groups: dict[str, list[float]] = {}
    for s in rated:
        groups.setdefault(key(s), []).append(s["drop"])
    assert {f["label"] for f in figures} == set(groups)
    means = [f["mean_drop"] for f in figures]
    assert means == sorted(means, reverse=True)  # largest drop first
    for f in figures:
        n, mean, low, high = expected_figure(groups[f["label"]])
        assert f["sessions"] == n
        assert f["mean_drop"] == pytest.approx(mean, abs=0.001)
        if low is None:
            assert f["low"] is None and f["high"] is None
        else:  # the t table has three decimals: within 0.0005 times the standard error
            assert f["low"] == pytest.approx(low, abs=0.01)
            assert f["high"] == pytest.approx(high, abs=0.01)


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_insights_match_an_independent_computation(isolated_home: Path) -> None:
    written = generate_journal(isolated_home / "library.db", 40)
    assert run("goal", "sessions", "4", "--recipe", "calm").exit_code == 0
    assert run("goal", "drop", "2").exit_code == 0
    result = run("journal", "--insights", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    rated = [s for s in written if s["rated"]]
    assert data["rated_sessions"] == len(rated) and data["enough_data"] is True
    assert data["interval"] == "95% Student's t"
    n, mean, low, high = expected_figure([s["drop"] for s in rated])
    overall = data["overall"]
    assert overall["sessions"] == n and overall["mean_drop"] == pytest.approx(mean, abs=0.001)
    assert overall["low"] == pytest.approx(low, abs=0.01)
    assert overall["high"] == pytest.approx(high, abs=0.01)
    check_breakdown(data["by_recipe"], rated, lambda s: s["recipe"])
    check_breakdown(data["by_length"], rated, lambda s: band_of_length(s["minutes"]))
    check_breakdown(
        data["by_time_of_day"],
        rated,
        lambda s: band_of_hour(datetime.fromtimestamp(s["started"]).hour),
    )
    now = time.time()
    goals = {g["kind"]: g for g in data["goals"]}
    week = [s for s in written if s["recipe"] == "calm" and now - s["started"] < 7 * DAY]
    assert goals["sessions"]["value"] == len(week) and goals["sessions"]["recipe"] == "calm"
    assert goals["sessions"]["met"] == (len(week) >= 4)
    month = [s["drop"] for s in rated if now - s["started"] < 28 * DAY]
    n, mean, low, high = expected_figure(month)
    assert goals["drop"]["sessions"] == n
    assert goals["drop"]["value"] == pytest.approx(mean, abs=0.01)
    assert goals["drop"]["low"] == pytest.approx(low, abs=0.01)
    assert goals["drop"]["met"] == (mean >= 2)


def test_insights_in_words_give_sessions_intervals_and_no_more_certainty(
    isolated_home: Path,
) -> None:
    generate_journal(isolated_home / "library.db", 40)
    result = run("journal", "--insights")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "95% Student's t" in text and "By recipe, largest drop first:" in text
    assert "By length" in text and "By time of day" in text
    figure_lines = [
        line for line in text.splitlines() if line.startswith("  ") and "points" in line
    ]
    assert figure_lines and all("session" in line for line in figure_lines)
    assert "not what causes them" in text and "not medical advice" in text
    for line in text.splitlines():  # a comparison is hedged unless the intervals are apart
        if "went with a larger drop" in line or "do not tell them apart" in line:
            break
    else:
        pytest.fail("no comparison line")


def test_fewer_than_five_rated_sessions_is_not_enough_data(isolated_home: Path) -> None:
    written = generate_journal(isolated_home / "library.db", 5, seed=3)
    rated = sum(s["rated"] for s in written)
    if rated >= 5:  # make one of them unrated: four rated sessions
        with Library.open(isolated_home / "library.db") as library, library.conn:
            library.conn.execute("UPDATE sessions SET stress_after = NULL WHERE id = 1")
        rated = 4
    result = run("journal", "--insights")
    assert result.exit_code == 0
    assert f"Not enough data yet: {rated} session" in result.stdout
    assert "By recipe" not in result.stdout
    data = json.loads(run("journal", "--insights", "--json").stdout)
    assert data["enough_data"] is False and data["overall"] is None and data["by_recipe"] == []


def test_no_sessions_at_all_is_not_enough_data(isolated_home: Path) -> None:
    result = run("journal", "--insights")
    assert result.exit_code == 0 and "Not enough data yet: 0 sessions" in result.stdout


def test_goal_set_show_replace_and_clear(isolated_home: Path) -> None:
    assert "no goals yet" in run("goal").stderr
    assert run("goal", "sessions", "4", "--recipe", "calm").exit_code == 0
    assert run("goal", "sessions", "3", "--recipe", "calm").exit_code == 0  # replaces it
    shown = run("goal")
    assert shown.stdout == "3 sessions a week of calm: 0 in the last 7 days (3 to go)\n"
    assert json.loads(run("goal", "--json").stdout)[0]["target"] == 3
    cleared = run("goal", "--clear")
    assert "removed 1 goal" in cleared.stderr and run("goal", "--json").stdout.strip() == "[]"


@pytest.mark.parametrize(
    "args, message",
    [
        (["goal", "sessions"], "say how much"),
        (["goal", "sessions", "0"], "not in the range 1 to 50"),
        (["goal", "drop", "nan"], "not in the range 0.5 to 10"),
        (["goal", "drop", "2", "--recipe", "nosuch"], "no recipe called 'nosuch'"),
        (["goal", "--recipe", "calm"], "name the kind of goal first"),
        (["goal", "weekly", "2"], "weekly"),
    ],
)
def test_goal_usage_errors_are_one_line_and_exit_2(args, message) -> None:
    result = run(*args)
    assert result.exit_code == 2 and message in result.stderr
    assert "Traceback" not in result.output
