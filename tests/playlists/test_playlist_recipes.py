"""Recipes: the built-ins load, user recipes add and override, broken ones say what to fix."""

from __future__ import annotations

import pytest

from calmtune.errors import ConfigError
from calmtune.playlists.recipe import builtin_recipes_dir, get_recipe, load_recipe, load_recipes

GOOD = """
description = "Mine"
mood = "focus"
duration = "40m"
[select]
bpm = [70, 110]
[arc]
shape = "steady"
"""


def write(folder, name, text):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_load_recipes_has_the_builtins():
    recipes = load_recipes()
    assert {"calm", "upbeat", "focus", "sleep", "wind-down"} <= set(recipes)
    assert all(r.source == "builtin" and r.description for r in recipes.values())
    assert (builtin_recipes_dir() / "calm.toml").is_file()


def test_builtin_sleep_is_long_quiet_and_ends_in_silence():
    sleep, calm = get_recipe("sleep"), get_recipe("calm")
    assert sleep.duration >= 40 * 60
    assert sleep.select.loudness[1] < calm.select.loudness[1]
    assert sleep.end_silence > 0 and sleep.wind_down >= 5 * 60
    assert sleep.arc.shape == "descending"


def test_builtin_arcs_point_the_right_way():
    assert get_recipe("calm").arc.shape == "descending"
    assert get_recipe("wind-down").arc.shape == "descending"
    assert get_recipe("upbeat").arc.shape == "ascending"
    assert get_recipe("focus").arc.shape == "steady"


def test_load_recipes_user_adds_and_overrides(tmp_path):
    user = tmp_path / "recipes"
    write(user, "mine", GOOD)
    write(user, "calm", GOOD.replace("Mine", "My calm"))
    recipes = load_recipes(user)
    assert recipes["mine"].source == "user"
    assert recipes["mine"].duration == 2400
    assert recipes["mine"].select.bpm == (70.0, 110.0)
    assert recipes["calm"].description == "My calm"
    assert recipes["calm"].source == "user"
    assert recipes["upbeat"].source == "builtin"


def test_load_recipes_missing_user_folder_adds_nothing(tmp_path):
    assert set(load_recipes(tmp_path / "nope")) == set(load_recipes())


def test_get_recipe_unknown_name_lists_the_choices():
    with pytest.raises(ConfigError, match=r"no recipe named 'zen'.*calm"):
        get_recipe("zen")


def test_load_recipe_syntax_error_names_file_and_line(tmp_path):
    path = write(tmp_path, "bad", 'description = "x"\nmood = "calm"\n[arc\nshape = "steady"\n')
    with pytest.raises(ConfigError) as err:
        load_recipe(path)
    assert str(path) in str(err.value)
    assert "line 3" in str(err.value)


@pytest.mark.parametrize(
    ("text", "field", "allowed"),
    [
        ('description = "x"\nmood = "sleepy"', "'mood'", "calm, upbeat, focus"),
        ('mood = "calm"', "'description'", "a text string"),
        ('description = "x"\nmood = "calm"\ncolour = 1', "'colour'", "one of"),
        ('description = "x"\nmood = "calm"\n[arc]\nshape = "up"', "'arc.shape'", "descending"),
        (
            'description = "x"\nmood = "calm"\n[select]\nbpm = [90, 50]',
            "'select.bpm'",
            "low <= high",
        ),
        (
            'description = "x"\nmood = "calm"\n[select]\nmin_score = 2',
            "'select.min_score'",
            "0 to 1",
        ),
        ('description = "x"\nmood = "calm"\nduration = "soon"', "'duration'", "1h15m"),
        ('description = "x"\nmood = "calm"\nartist_gap = -1', "'artist_gap'", "0 to 20"),
        (
            'description = "x"\nmood = "calm"\n[select]\nmoods = ["happy"]',
            "'select.moods'",
            "unknown",
        ),
        ('description = "x"\nmood = "calm"\n[select]\npinned = "a.mp3"', "'select.pinned'", "list"),
        (
            'description = "x"\nmood = "calm"\n[arc]\nshape = "descending"\nstart_bpm = 60\nend_bpm = 80',
            "'arc.end_bpm'",
            "end_bpm <= start_bpm",
        ),
        ('description = "x"\nmood = "calm"\nselect = 3', "'select'", "a table"),
        (
            'description = "x"\nmood = "calm"\n[select]\nmin_score = nan',
            "'select.min_score'",
            "0 to 1",
        ),
        (
            'description = "x"\nmood = "calm"\n[select]\nmin_score = inf',
            "'select.min_score'",
            "0 to 1",
        ),
        ('description = "x"\nmood = "calm"\nfade_out = inf', "'fade_out'", "0 to 1800"),
        ('description = "x"\nmood = "calm"\n[arc]\nstart_bpm = -inf', "'arc.start_bpm'", "20"),
        ('description = "x"\nmood = "calm"\nduration = "9999h"', "'duration'", "up to 24h"),
        ('description = "x"\nmood = "calm"\nduration = "nan"', "'duration'", "up to 24h"),
        ('description = "x"\nmood = "calm"\ntarget_lufs = -5', "'target_lufs'", "-40 to -10"),
        ('description = "x"\nmood = "calm"\ntarget_lufs = nan', "'target_lufs'", "a number"),
        (
            'description = "x"\nmood = "calm"\n[arc]\nmax_lu_rise = 3',
            "'arc.max_lu_rise'",
            "at most 1 for a calm recipe",
        ),
    ],
)
def test_load_recipe_bad_field_names_field_and_allowed(tmp_path, text, field, allowed):
    path = write(tmp_path, "broken", text)
    with pytest.raises(ConfigError) as err:
        load_recipe(path)
    message = str(err.value)
    assert str(path) in message
    assert f"field {field}" in message
    assert allowed in message


def test_load_recipes_broken_user_recipe_is_reported(tmp_path):
    write(tmp_path, "calm", 'description = "x"\nmood = "calm"\nfade_in = "slow"')
    with pytest.raises(ConfigError, match="fade_in"):
        load_recipes(tmp_path)


def test_get_recipe_reads_only_the_named_recipe(tmp_path):
    write(tmp_path, "broken", 'description = "x"\nmood = "calm"\nfade_in = "slow"')
    write(tmp_path, "calm", GOOD.replace("Mine", "My calm"))
    assert get_recipe("upbeat", tmp_path).source == "builtin"  # the broken one is not read
    mine = get_recipe("calm", tmp_path)
    assert (mine.description, mine.source) == ("My calm", "user")
    with pytest.raises(ConfigError, match="fade_in"):
        get_recipe("broken", tmp_path)


@pytest.mark.parametrize("name", ["../calm", "sub/calm", ".calm", "", "calm.toml"])
def test_get_recipe_name_is_never_a_path(tmp_path, name):
    write(tmp_path / "sub", "calm", GOOD)
    write(tmp_path, ".calm", GOOD)
    with pytest.raises(ConfigError, match=r"no recipe named .*available: calm, "):
        get_recipe(name, tmp_path)


def test_builtin_recipes_set_their_level_and_calm_ones_never_rise_more_than_1_lu():
    from calmtune import levels

    for recipe in load_recipes().values():
        assert recipe.target_lufs is not None
        lo, hi = levels.TARGET_RANGE
        assert lo <= recipe.target_lufs <= hi
        if recipe.mood == "calm":
            assert recipe.arc.max_lu_rise is not None and recipe.arc.max_lu_rise <= 1
            assert recipe.target_lufs <= get_recipe("focus").target_lufs
    assert get_recipe("sleep").target_lufs < get_recipe("calm").target_lufs


def test_load_recipe_upbeat_may_rise_more_than_calm(tmp_path):
    path = write(tmp_path, "mine", 'description = "x"\nmood = "upbeat"\n[arc]\nmax_lu_rise = 4')
    assert load_recipe(path).arc.max_lu_rise == 4


def test_load_recipes_with_problems_leaves_a_broken_recipe_out_and_says_why(tmp_path):
    write(tmp_path, "broken", 'description = "x"\nmood = "calm"\nfade_in = "slow"')
    write(tmp_path, "calm", "not toml at all [")
    write(tmp_path, "mine", 'description = "x"\nmood = "focus"')
    problems: dict = {}
    recipes = load_recipes(tmp_path, problems=problems)
    assert "mine" in recipes and "focus" in recipes
    assert "broken" not in recipes and "calm" not in recipes  # the user's calm is broken
    assert set(problems) == {"broken", "calm"}
    assert "fade_in" in str(problems["broken"])
