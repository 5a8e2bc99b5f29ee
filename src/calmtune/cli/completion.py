"""Shell completion helpers (bash, zsh, fish through click's ``_CALMTUNE_COMPLETE`` machinery).

Enable it with ``eval "$(_CALMTUNE_COMPLETE=bash_source calmtune)"`` (``zsh_source`` for zsh,
``fish_source`` for fish); see the README. Commands and options complete by themselves; arguments
that name a recipe use ``complete_recipe_names``::

    @click.argument("recipe", shell_complete=complete_recipe_names)

A completion runs on every Tab press, so it reads only what it needs and never fails loudly: a
broken recipe file still completes by its name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import click
    from click.shell_completion import CompletionItem


def recipe_choices() -> dict[str, str]:
    """Recipe name -> description, built-in first, the user's own winning on a shared name."""
    from calmtune.config import Paths
    from calmtune.errors import CalmtuneError
    from calmtune.playlists.recipe import load_recipe, recipe_files, recipe_files_in

    paths = Paths.discover()
    try:
        files = recipe_files(paths.recipes_dir)
    except CalmtuneError:  # a broken install still completes the user's recipes
        files = [(p, "user") for p in recipe_files_in(paths.recipes_dir)]
    choices: dict[str, str] = {}
    for path, source in files:
        try:
            description = load_recipe(path, source=source).description
        except CalmtuneError as exc:
            description = f"(broken: {exc})"
        choices[path.stem] = " ".join(str(description or "").split())
    return choices


def complete_recipe_names(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """click ``shell_complete`` callback: recipe names starting with what was typed so far."""
    from click.shell_completion import CompletionItem

    return [
        CompletionItem(name, help=description or None)
        for name, description in recipe_choices().items()
        if name.startswith(incomplete)
    ]


def complete_sources(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """For `play SOURCE...`: recipe names, then files and folders (completed by the shell)."""
    from click.shell_completion import CompletionItem

    return [*complete_recipe_names(ctx, param, incomplete), CompletionItem(incomplete, type="file")]
