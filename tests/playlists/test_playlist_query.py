"""Queries narrow a recipe's pool: `playlist build RECIPE QUERY...`, `--query`, and a recipe's own
`query`, on real tagged files scanned into the index."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from audiofiles import make_tagged_file
from calmtune.cli import cli


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def calm_library(tmp_path):
    """Six calm tracks: three ambient from the 1990s, three piano from the 2000s."""
    root = tmp_path / "music"
    for i in range(6):
        folder = root / ("nineties" if i < 3 else "noughties")
        folder.mkdir(parents=True, exist_ok=True)
        make_tagged_file(
            folder / f"calm{i}",
            "flac",
            seconds=1.0 + i * 0.1,
            title=f"Calm {i}",
            artist=f"Artist {i}",
            album=f"Album {i}",
            genre="Ambient" if i < 3 else "Piano",
            year=str(1991 + i) if i < 3 else str(2001 + i),
            bpm=60 + i * 4,
            mood="Relaxed",
        )
    result = run("scan", str(root))
    assert result.exit_code == 0, result.output
    return root


def built(*args: str) -> list[str]:
    result = run("playlist", "build", *args, "--duration", "20m", "--format", "paths")
    assert result.exit_code == 0, result.output
    return [line.rsplit("/", 1)[1] for line in result.stdout.splitlines()]


def test_query_arguments_and_option_narrow_the_pool(calm_library):
    assert len(built("calm")) == 6
    assert sorted(built("calm", "genre:piano")) == ["calm3.flac", "calm4.flac", "calm5.flac"]
    assert sorted(built("calm", "year:..1992")) == ["calm0.flac", "calm1.flac"]
    both = built("calm", "^path:nineties/", "--query", 'artist:"artist 5"')
    assert both == ["calm5.flac"]


def test_a_recipe_query_narrows_its_pool_and_a_command_line_query_narrows_it_further(
    calm_library, isolated_home
):
    (isolated_home / "recipes").mkdir()
    (isolated_home / "recipes" / "nineties.toml").write_text(
        'description = "Calm from the nineties"\nmood = "calm"\nquery = "year:1990..1999"\n',
        encoding="utf-8",
    )
    assert sorted(built("nineties")) == ["calm0.flac", "calm1.flac", "calm2.flac"]
    assert built("nineties", "bpm:64") == ["calm1.flac"]


def test_a_query_nothing_matches_is_nothing_to_play(calm_library):
    result = run("playlist", "build", "calm", "artist:nobody")
    assert result.exit_code == 4
    assert "no indexed track matches the query 'artist:nobody'" in result.stderr


def test_a_bad_recipe_query_names_the_file_the_field_and_the_term(calm_library, isolated_home):
    (isolated_home / "recipes").mkdir()
    recipe = isolated_home / "recipes" / "broken.toml"
    recipe.write_text('description = "x"\nmood = "calm"\nquery = "bpm:slow"\n', encoding="utf-8")
    result = run("playlist", "build", "broken")
    assert result.exit_code == 1
    assert str(recipe) in result.stderr
    assert "field 'query'" in result.stderr and "'bpm:slow'" in result.stderr
    assert "Traceback" not in result.output


def test_a_bad_query_argument_is_a_usage_error(calm_library):
    result = run("playlist", "build", "calm", "genre:ambient", "tempo:slow")
    assert result.exit_code == 2
    assert "'tempo:slow'" in result.stderr and "unknown field 'tempo'" in result.stderr


@pytest.mark.parametrize("text", ['title:"unclosed', "colour:red", "bpm:1..x", "year:..", "'", '"'])
def test_a_bad_query_option_is_a_usage_error(calm_library, text):
    result = run("playlist", "build", "calm", "--query", text)
    assert result.exit_code == 2
    assert "bad query term" in result.stderr and "Traceback" not in result.output
