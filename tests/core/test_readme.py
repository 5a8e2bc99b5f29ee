"""The README's set-up commands are the ones CI runs, and every command is documented."""

from __future__ import annotations

import re
from pathlib import Path

from calmtune.cli.app import COMMANDS

ROOT = Path(__file__).resolve().parents[2]


def _setup_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Set up", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_readme_has_exactly_two_setup_commands_run_and_test():
    run, test = _setup_commands()
    assert run.endswith("calmtune relax")
    assert test.endswith("pytest")


def test_ci_runs_the_readme_test_command_verbatim():
    _run, test = _setup_commands()
    ci = (ROOT / ".ci" / "run").read_text()
    assert test in ci.splitlines()


def test_readme_tour_mentions_every_command():
    readme = (ROOT / "README.md").read_text()
    for name in COMMANDS:
        assert f"`calmtune {name}" in readme, name


def test_help_summaries_match_each_commands_own_help():
    import click

    from calmtune.cli.app import cli

    ctx = click.Context(cli)
    for name, (_target, summary) in COMMANDS.items():
        command = cli.get_command(ctx, name)
        assert command.get_short_help_str(limit=200) == summary, name


def test_readme_settings_example_is_a_valid_settings_file(tmp_path):
    from calmtune.config import load_settings
    from calmtune.mood import MoodSettings

    readme = (ROOT / "README.md").read_text()
    example = re.search(r"```toml\n(.*?)```", readme, re.S).group(1)
    path = tmp_path / "settings.toml"
    path.write_text(example)
    settings = load_settings(path)
    MoodSettings.from_mapping(settings.section("mood"), str(path))
    # The example shows the documented default of --volume (it showed 70 while the default was 100).
    assert settings.get("playback", "volume") == 100
    assert "Volume 0-100 (default 100)" in (ROOT / "docs" / "cli.md").read_text()
