"""``calmtune like`` and ``calmtune ban``: the listener's explicit preferences, which the planner
honours (docs/music.md, "What calms you")."""

from __future__ import annotations

import sys

import click

from calmtune.cli.context import AppContext
from calmtune.cli.options import emit_json, json_option

_LIKE_HELP = """Like the tracks at PATHS (files, or folders of indexed tracks).

Playlists then favour them (a like weighs as much as four plays heard to the end). It holds
for every recipe, or with --recipe for one. --undo takes the like back. Without
PATHS, lists the tracks you like. In a session, `l` likes (or un-likes) the playing track.

\b
--json writes {"verdict", "recipe", "undo", "changed", "tracks": [path],
"not_indexed": [path]}; without PATHS, a list of {"path", "verdict", "recipe"}
(recipe null: every recipe).
"""

_BAN_HELP = """Ban the tracks at PATHS (files, or folders of indexed tracks) from playlists.

A banned track is never picked again: for every recipe, or with --recipe for one. A ban wins over
a like. --undo lifts it. Without PATHS, lists the banned tracks. In a session, `b` bans the
playing track from the session's recipe and skips it.

\b
--json writes {"verdict", "recipe", "undo", "changed", "tracks": [path],
"not_indexed": [path]}; without PATHS, a list of {"path", "verdict", "recipe"}
(recipe null: every recipe).
"""


def _verdict_command(name: str, help_text: str) -> click.Command:
    @click.command(name, help=help_text)
    @click.argument("paths", nargs=-1, type=click.Path(), metavar="[PATH]...")
    @click.option(
        "--recipe",
        metavar="NAME",
        help="Only for this recipe's playlists (default: every recipe).",
    )
    @click.option("--undo", is_flag=True, help=f"Take the {name} back.")
    @json_option
    @click.pass_obj
    def command(
        app: AppContext, paths: tuple[str, ...], recipe: str | None, undo: bool, as_json: bool
    ) -> None:
        _run(app, name, paths, recipe=recipe, undo=undo, as_json=as_json)

    return command


like = _verdict_command("like", _LIKE_HELP)
ban = _verdict_command("ban", _BAN_HELP)


def _run(
    app: AppContext,
    name: str,
    paths: tuple[str, ...],
    *,
    recipe: str | None,
    undo: bool,
    as_json: bool,
) -> None:
    from calmtune.errors import CalmtuneError
    from calmtune.listening import Verdict

    verdict = Verdict(name)
    if recipe is not None and recipe not in app.recipes():
        known = ", ".join(sorted(app.recipes()))
        raise click.BadParameter(
            f"no recipe called {recipe!r} (recipes: {known})", param_hint="--recipe"
        )
    library = app.open_library(write=bool(paths))  # a verdict is written: prove it can be
    if not paths:
        if undo:
            raise click.UsageError(f"--undo needs the PATH of what to {name} no more")
        _list(app, library.preferences.listing(), verdict, as_json=as_json)
        return
    found: dict[int, str] = {}
    missing = []
    for path in paths:
        tracks = library.tracks_under(path)
        if not tracks:
            missing.append(path)
            app.warn(f"{path} is not in the index (run `calmtune scan` on its folder)")
        found.update(tracks)
    preferences = library.preferences
    if undo:
        changed = preferences.clear(found, verdict, recipe)
    else:
        changed = preferences.set(found, verdict, recipe)
    if as_json:
        emit_json(
            {
                "verdict": verdict.value,
                "recipe": recipe,
                "undo": undo,
                "changed": changed,
                "tracks": sorted(found.values()),
                "not_indexed": missing,
            }
        )
    elif found:
        app.say(_done_line(verdict, recipe, undo=undo, count=len(found), changed=changed))
    if missing:
        raise CalmtuneError(
            f"{len(missing)} of {len(paths)} path{'s' if len(paths) != 1 else ''} not in the index",
            hint="run `calmtune scan` on their folder, then try again",
        )


def _done_line(verdict, recipe: str | None, *, undo: bool, count: int, changed: int) -> str:
    """ "banned 3 tracks from calm", "liked 1 track (every recipe; 1 was already liked)"."""
    tracks = f"{count} track{'s' if count != 1 else ''}"
    scope = f"from {recipe}" if verdict == "ban" and recipe else f"for {recipe}" if recipe else ""
    if undo:
        what = "lifted the ban on" if verdict == "ban" else "no longer liked:"
    else:
        what = "banned" if verdict == "ban" else "liked"
    line = f"calmtune: {what} {tracks}"
    line += f" {scope}" if scope else " (every recipe)"
    unchanged = count - changed
    if unchanged:
        line += f"; {unchanged} {'were' if unchanged != 1 else 'was'} already so"
    return line


def _list(app: AppContext, preferences, verdict, *, as_json: bool) -> None:
    chosen = [(path, recipe) for path, said, recipe in preferences if said == verdict]
    if as_json:
        emit_json([{"path": p, "verdict": verdict.value, "recipe": r} for p, r in chosen])
        return
    if not chosen:
        app.say(f"calmtune: nothing {'banned' if verdict == 'ban' else 'liked'} yet")
        return
    from calmtune.safetext import printable

    for path, recipe in chosen:
        sys.stdout.write(f"{printable(path)}\t{recipe or 'every recipe'}\n")
