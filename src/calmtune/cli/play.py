"""``calmtune play`` and the listening sessions ``relax``, ``focus``, ``upbeat``.

Thin callbacks: ``calmtune.session`` holds the rules and the loop, ``calmtune.ui`` the displays.
This module only chooses values (option > settings > recipe), wires the parts together in the
right order, and turns the way a session ended into the exit code (docs/cli.md, "Exit codes").
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from calmtune.cli.completion import complete_sources
from calmtune.cli.context import AppContext
from calmtune.cli.options import DurationType, FiniteFloatRange, seed_option

if TYPE_CHECKING:
    from calmtune.session import Remote, SessionTiming
    from calmtune.session.sources import Playable

SESSION_RECIPES = {"relax": "calm", "focus": "focus", "upbeat": "upbeat"}


def _common_options(func: Callable) -> Callable:
    options = [
        click.option(
            "--duration", "-d", type=DurationType(), help="Session length, e.g. 20m, 90s, 1h15m."
        ),
        click.option("--volume", type=click.IntRange(0, 100), help="Volume 0-100 (default 100)."),
        click.option(
            "--breathe/--no-breathe", default=None, help="Show a breathing pacer (6 a minute)."
        ),
        click.option("--no-ui", is_flag=True, help="One plain line per track, no keys."),
        click.option("--wait", is_flag=True, help="If a session is playing, start after it."),
        click.option(
            "--replace", is_flag=True, help="If a session is playing, stop it and take over."
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _session_command(name: str, recipe_name: str, summary: str) -> click.Command:
    @click.command(name, help=summary + _SESSION_HELP.format(recipe=recipe_name))
    @_common_options
    @click.option(
        "--wind-down",
        type=DurationType(allow_zero=True),
        help="Lower the volume slowly to silence over the last D (e.g. 5m; 0: off).",
    )
    @click.option(
        "--check-in/--no-check-in",
        default=None,
        help="Rate your stress 0-10 before and after (only on a terminal).",
    )
    @seed_option()
    @click.pass_obj
    def command(app: AppContext, wind_down: float | None, check_in: bool | None, **opts) -> None:
        _recipe_session(app, name, recipe_name, wind_down=wind_down, check_in=check_in, **opts)

    return command


_SESSION_HELP = """

    Builds the '{recipe}' recipe from your index and plays it with the session rules: a gentle
    fade-in, a tempo arc, a volume ramp down during --wind-down, a fade into silence at the end.

    Keys: space pause, n next, p previous, +/- volume, l like, b ban (and skip), f finish
    after this track, q quit.
    """

relax = _session_command(
    "relax",
    "calm",
    "A calming session. With an empty library it plays a built-in soundscape.",
)
focus = _session_command("focus", "focus", "A focus session: steady music for study and work.")
upbeat = _session_command("upbeat", "upbeat", "An energising session that climbs in tempo.")


@click.command()
@click.argument("sources", nargs=-1, metavar="[SOURCE]...", shell_complete=complete_sources)
@_common_options
@click.option("--fade-in", type=FiniteFloatRange(0, 600), help="Seconds of fade-in (0-600).")
@click.option(
    "--fade-out", type=FiniteFloatRange(0, 1800), help="Seconds of fade-out at the end (0-1800)."
)
@click.option("--shuffle", is_flag=True, help="Play in random order.")
@click.pass_obj
def play(
    app: AppContext,
    sources: tuple[str, ...],
    fade_in: float | None,
    fade_out: float | None,
    shuffle: bool,
    **opts,
) -> None:
    """Play SOURCEs: recipes, saved playlists, playlist files, audio files or folders.

    A playlist file is .m3u, .m3u8 or the JSON of `playlist build --format json`; a saved
    playlist is named as in `calmtune playlist list`. Without SOURCE, the whole index plays. Missing files and URLs are skipped with a warning.

    Keys: space pause, n next, p previous, +/- volume, l like, b ban (and skip), f finish
    after this track, q quit.
    """
    from calmtune.session.rules import session_timing
    from calmtune.session.sources import resolve_sources

    def build(stress: int | None) -> Playable:
        recipes = app.recipes()
        for source in sources:  # a recipe of that name that does not load: say why
            if source in app.recipe_problems and not os.path.exists(source):
                raise app.recipe_problems[source]
        return resolve_sources(
            sources,
            library=app.open_library(),
            recipes=recipes,
            duration=opts["duration"],
            shuffle=shuffle,
        )

    def timing(playable: Playable) -> SessionTiming:
        return session_timing(
            recipe=playable.recipe if len(sources) == 1 else None,
            playback=app.settings.section("playback"),
            session=app.settings.section("session"),
            duration=opts["duration"],
            fade_in=fade_in,
            fade_out=fade_out,
            wind_down=0.0,
        )

    _listen(app, build=build, timing=timing, check_in=False, **opts)


def _recipe_session(
    app: AppContext,
    name: str,
    recipe_name: str,
    *,
    wind_down: float | None,
    check_in: bool | None,
    seed: int | None,
    **opts,
) -> None:
    from calmtune.session.listen import recipe_playable
    from calmtune.session.rules import first_set, session_timing

    recipe = app.recipe(recipe_name)
    session_settings = app.settings.section("session")
    fixed = session_timing(
        recipe=recipe,
        playback=app.settings.section("playback"),
        session=session_settings,
        duration=opts["duration"],
        wind_down=wind_down,
    )

    def build(stress: int | None) -> Playable:
        from calmtune.playlists.arousal import arousal_from_rating

        return recipe_playable(
            app.open_library(),
            recipe,
            session=name,
            cache_dir=app.paths.cache_dir,
            playback=app.settings.section("playback"),
            duration=fixed.music_end,
            start_arousal=arousal_from_rating(stress) if stress is not None else None,
            seed=seed,
        )

    check = bool(first_set(check_in, session_settings.get("check_in"), False))
    _listen(app, build=build, timing=lambda _playable: fixed, check_in=check, **opts)


def _listen(
    app: AppContext,
    *,
    build: Callable[[int | None], Playable],
    timing: Callable[[Playable], SessionTiming],
    check_in: bool,
    duration: float | None,
    volume: int | None,
    breathe: bool | None,
    no_ui: bool,
    wait: bool,
    replace: bool,
) -> None:
    """Hand the session its request and this terminal; exit with the code it returns."""
    from calmtune.session.listen import SessionRequest, listen
    from calmtune.session.rules import first_set
    from calmtune.ui.console import is_terminal

    if wait and replace:
        raise click.UsageError("use either --wait or --replace, not both")
    interactive = is_terminal(sys.stdout) and is_terminal(sys.stdin)
    request = SessionRequest(
        build=build,
        timing=timing,
        open_journal=lambda: app.open_library(write=True).journal,
        open_preferences=lambda: app.open_library(write=True).preferences,
        state_dir=app.paths.state_dir,
        cache_dir=app.paths.cache_dir,
        playback=app.settings.section("playback"),
        volume=first_set(volume, app.settings.get("playback", "volume"), 100),
        check_in=check_in,
        interactive=interactive,
        live=interactive and not no_ui,
        breathe=bool(first_set(breathe, app.settings.get("session", "breathe"), False)),
        wait=wait,
        replace=replace,
        media_controls=lambda: _media_controls(app),
    )
    code = listen(request, _Terminal(app))
    if code:
        click.get_current_context().exit(code)


@contextmanager
def _media_controls(app: AppContext) -> Iterator[Remote | None]:
    """MPRIS2 on the session bus while the session plays, so media keys and playerctl control it;
    None when there is no bus (cron, ssh, a container), which is normal and said only with -v."""
    from calmtune.desktop import NoSessionBus, start_media_controls

    try:
        bridge = start_media_controls(app.paths.cache_dir)
    except NoSessionBus as err:
        if app.verbose:
            app.say(f"calmtune: {err}: media keys and playerctl cannot control this session")
        yield None
        return
    if app.verbose:
        app.say(f"calmtune: media controls on the session bus as {bridge.bus_name}")
    try:
        yield bridge
    finally:
        bridge.close()


class _Terminal:
    """The session's ``Listener`` on this terminal: plain lines, prompts, the live view."""

    def __init__(self, app: AppContext) -> None:
        self._app = app

    def say(self, text: str) -> None:
        self._app.say(text)

    def warn(self, text: str) -> None:
        self._app.warn(text)

    def ask_rating(self, question: str) -> int | None:
        return _ask_rating(self._app, question)

    def display(self, *, live: bool, breathe: bool) -> _display:
        return _display(self._app, live=live, breathe=breathe)


class _display:
    """The live view and key reader on a terminal, else plain lines and no keys."""

    def __init__(self, app: AppContext, *, live: bool, breathe: bool) -> None:
        self._app, self._live, self._breathe = app, live, breathe
        self._view = self._keys = None

    def __enter__(self):
        if not self._live:
            from calmtune.ui.plain import PlainLines

            return PlainLines(quiet=self._app.quiet), None
        from calmtune.ui.keys import KeyReader
        from calmtune.ui.live_view import LiveView

        self._keys = KeyReader().__enter__()
        try:
            self._view = LiveView(self._app.console, breathe=self._breathe).__enter__()
        except BaseException:
            self._keys.restore()
            raise
        return self._view, self._keys

    def __exit__(self, *exc) -> None:
        try:
            if self._view is not None:
                self._view.__exit__(*exc)
        except OSError:  # the terminal hung up (SIGHUP): there is no screen left to restore
            from calmtune.ui.console import release_lost_terminal

            release_lost_terminal()
        finally:
            if self._keys is not None:
                self._keys.restore()


def _end_prompt_line() -> None:
    try:
        click.echo(err=True)
    except OSError:  # the terminal hung up at the prompt (SIGHUP): nobody reads it any more
        from calmtune.ui.console import release_lost_terminal

        release_lost_terminal()


def _ask_rating(app: AppContext, question: str) -> int | None:
    """A 0-10 rating, or ``None`` when the listener just presses Enter (or Ctrl-D).

    A signal while waiting here (Ctrl-C, another session's ``--replace``) ends the prompt with
    ``SignalReceived``, which the session turns into its exit code."""
    from calmtune.session.signals import SignalReceived

    while True:
        try:
            answer = click.prompt(
                f"{question}, 0 (calm) to 10 (very stressed)? Enter skips",
                default="",
                show_default=False,
                err=True,
            ).strip()
        except click.Abort:  # end of input (Ctrl-D): no rating
            _end_prompt_line()
            return None
        except SignalReceived:
            _end_prompt_line()  # before the session says why it stops
            raise
        if not answer:
            return None
        if answer.isdigit() and 0 <= int(answer) <= 10:
            return int(answer)
        app.say("Please type a whole number from 0 to 10, or just press Enter.")
