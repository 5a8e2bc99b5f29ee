"""Shared state for every command (``ctx.obj``): where things live, settings, consoles, the index."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from calmtune.config import Paths, Settings, load_settings
from calmtune.safetext import printable

if TYPE_CHECKING:
    from rich.console import Console

    from calmtune.errors import ConfigError
    from calmtune.library import Library
    from calmtune.playlists.recipe import Recipe


class AppContext:
    """What every command shares: global options, folders, settings, consoles and the index,
    each made on first use."""

    def __init__(
        self,
        config_file: Path | None = None,
        db_file: Path | None = None,
        quiet: bool = False,
        verbose: int = 0,
        debug: bool = False,
    ) -> None:
        self.config_file = config_file
        self.db_file = db_file
        self.quiet = quiet
        self.verbose = verbose
        self.debug = debug
        self._library: Any = None
        self._writable = False

    @cached_property
    def paths(self) -> Paths:
        return Paths.discover()

    @cached_property
    def settings(self) -> Settings:
        if self.config_file is not None:
            return load_settings(self.config_file, required=True)
        return load_settings(self.paths.settings_file)

    def recipe(self, name: str) -> Recipe:
        """The recipe called ``name``: the user's own, else the built-in one."""
        from calmtune.playlists.recipe import get_recipe

        return get_recipe(name, self.paths.recipes_dir)

    def recipes(self) -> dict[str, Recipe]:
        """Every recipe that loads, by name, the user's winning over built-in ones of the same
        name. One that does not load is left out and its error is in ``recipe_problems``: a
        broken recipe of the user's must not stop commands that do not use it."""
        return self._loaded_recipes[0]

    @property
    def recipe_problems(self) -> dict[str, ConfigError]:
        """The recipes that do not load: name -> the error that says why."""
        return self._loaded_recipes[1]

    @cached_property
    def _loaded_recipes(self) -> tuple[dict[str, Recipe], dict[str, ConfigError]]:
        from calmtune.playlists.recipe import load_recipes

        problems: dict[str, ConfigError] = {}
        return load_recipes(self.paths.recipes_dir, problems=problems), problems

    @property
    def db_path(self) -> Path:
        return self.db_file if self.db_file is not None else self.paths.default_db

    @cached_property
    def mood_settings(self) -> Any:
        section = self.settings.section("mood")
        if not section:
            return None
        from calmtune.mood import MoodSettings

        return MoodSettings.from_mapping(section, str(self.settings.source))

    def open_library(self, *, write: bool = False) -> Library:
        """The index, opened once per command and closed when the command ends.

        ``write=True`` for commands that change the index or files: the index is created if
        needed and proved writable before anything changes. Otherwise a missing index reads as
        empty and nothing is created (a listing never makes folders)."""
        if self._library is None or (write and not self._writable):
            from calmtune.library import Library

            ctx = click.get_current_context()
            library = Library.open(self.db_path, mood_settings=self.mood_settings, create=write)
            self._library = ctx.with_resource(library)
            self._writable = write
        if write:
            self._library.require_writable()
        return self._library

    @cached_property
    def console(self) -> Console:
        from calmtune.ui.console import make_console

        return make_console()

    @cached_property
    def err_console(self) -> Console:
        from calmtune.ui.console import make_console

        return make_console(stderr=True, quiet=False)

    def say(self, message: str) -> None:
        """A status line for people, on stderr; silent with --quiet. One line: a file name or tag
        inside it is shown with visible escapes (``calmtune.safetext.printable``)."""
        if not self.quiet:
            _echo_to_stderr(printable(message))

    def warn(self, message: str) -> None:
        _echo_to_stderr(f"calmtune: warning: {printable(message)}")


def _echo_to_stderr(line: str) -> None:
    try:
        click.echo(line, err=True)
    except OSError:  # the terminal hung up: nobody can read this line any more
        from calmtune.ui.console import release_lost_terminal

        release_lost_terminal()
