"""Shell completion through click's own machinery: commands, options, --days, and recipe names."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap

import pytest

from calmtune.playlists.recipe import builtin_recipes_dir

CALMTUNE = [sys.executable, "-m", "calmtune"]


def _complete(argv: list[str], words: str, shell: str = "bash", prog: str = "CALMTUNE"):
    """Ask a program for completions the way the shell script click installs does."""
    cword = len(words.split()) - (0 if words.endswith(" ") else 1)
    if shell == "fish":  # fish's script passes the word being completed, not its index
        cword = "" if words.endswith(" ") else words.split()[-1]
    env = {
        **os.environ,
        f"_{prog}_COMPLETE": f"{shell}_complete",
        "COMP_WORDS": words,
        "COMP_CWORD": str(cword),
    }
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _values(bash_output: str) -> list[str]:
    return [line.split(",", 1)[1] for line in bash_output.splitlines()]


def test_completion_lists_commands_and_options():
    assert _values(_complete(CALMTUNE, "calmtune jou")) == ["journal"]
    assert "schedule" in _values(_complete(CALMTUNE, "calmtune "))
    assert "--limit" in _values(_complete(CALMTUNE, "calmtune journal --"))


def test_completion_offers_schedule_days_and_continues_a_list():
    assert _values(_complete(CALMTUNE, "calmtune schedule --days week")) == [
        "weekdays",
        "weekends",
    ]
    assert _values(_complete(CALMTUNE, "calmtune schedule --days mon,t")) == [
        "mon,tue",
        "mon,thu",
    ]


@pytest.fixture
def recipe_program(tmp_path, isolated_home):
    """A tiny click program whose RECIPE argument completes with ``complete_recipe_names``,
    and user recipes beside the built-in ones: one valid, one broken."""
    user = isolated_home / "recipes"
    user.mkdir()
    shutil.copy(builtin_recipes_dir() / "calm.toml", user / "calmer.toml")
    (user / "cafe.toml").write_text("this is = = not toml")
    program = tmp_path / "demo.py"
    program.write_text(
        textwrap.dedent(
            """
            import click
            from calmtune.cli.completion import complete_recipe_names

            @click.command()
            @click.argument("recipe", shell_complete=complete_recipe_names)
            def demo(recipe):
                pass

            demo.main(prog_name="demo")
            """
        )
    )
    return [sys.executable, str(program)]


def test_recipe_names_complete_built_in_and_user_recipes(recipe_program):
    assert _values(_complete(recipe_program, "demo ca", prog="DEMO")) == [
        "calm",
        "cafe",
        "calmer",
    ]
    everything = _values(_complete(recipe_program, "demo ", prog="DEMO"))
    assert {"calm", "focus", "sleep", "upbeat", "wind-down", "calmer", "cafe"} <= set(everything)
    assert _values(_complete(recipe_program, "demo wi", prog="DEMO")) == ["wind-down"]


def test_recipe_names_carry_descriptions_for_zsh_and_fish(recipe_program):
    fish = _complete(recipe_program, "demo sl", shell="fish", prog="DEMO")
    assert fish.startswith("plain,sleep\t") and "bedtime" in fish
    zsh = _complete(recipe_program, "demo calmer", shell="zsh", prog="DEMO").splitlines()
    assert zsh[:2] == ["plain", "calmer"]
    assert "25 minutes" in zsh[2]


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash not installed")
def test_bash_completion_script_completes_in_a_real_bash(tmp_path):
    """Source what `_CALMTUNE_COMPLETE=bash_source calmtune` prints and press Tab, in bash."""
    script = textwrap.dedent(
        """
        eval "$(_CALMTUNE_COMPLETE=bash_source calmtune)"
        COMP_WORDS=(calmtune sched)
        COMP_CWORD=1
        _calmtune_completion calmtune
        printf '%s\\n' "${COMPREPLY[@]}"
        """
    )
    bin_dir = os.path.dirname(sys.executable)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    assert shutil.which("calmtune", path=env["PATH"]), "the calmtune console script"
    done = subprocess.run(
        ["bash", "--norc", "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["schedule"]


def test_real_commands_complete_recipe_names(isolated_home):
    user = isolated_home / "recipes"
    user.mkdir()
    (user / "commute.toml").write_text((builtin_recipes_dir() / "calm.toml").read_text())
    assert _values(_complete(CALMTUNE, "calmtune playlist build c")) == ["calm", "commute"]
    play = _complete(CALMTUNE, "calmtune play w").splitlines()
    assert play == ["plain,wind-down", "file,w"]  # recipes, then the shell completes paths
