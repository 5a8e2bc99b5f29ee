"""Everything a session command does, in order: lock, check in, build, play, check out, and the
exit code of the command-line contract (docs/cli.md). ``cli/play.py`` only parses options and
hands in a ``Listener``: the part that talks to the person (lines, prompts, the live view), since
this package prints nothing and imports no click or rich.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from calmtune.errors import NothingToPlayError
from calmtune.listening import EndedBy
from calmtune.playback.output import Output
from calmtune.playlists.recipe import Recipe
from calmtune.session.lock import REPLACE_SIGNAL, SessionLock
from calmtune.session.rules import SessionTiming, session_crossfade, session_target_lufs
from calmtune.session.runner import KeySource, Remote, Reporter, Session, SessionResult
from calmtune.session.signals import SignalFlags, SignalReceived
from calmtune.session.sources import (
    HOW_TO_FILL,
    Playable,
    loudness_meter,
    recipe_items,
    soundscape_bed,
    soundscape_items,
)

# Sessions that fall back to the built-in soundscape when there is nothing to play.
SOUNDSCAPE_SESSIONS = ("relax",)
LIVE_BLOCK_SECONDS = 0.25
PLAIN_BLOCK_SECONDS = 0.75


class Listener(Protocol):
    """The person at the other end: how the session tells and asks them things."""

    def say(self, text: str) -> None: ...

    def warn(self, text: str) -> None: ...

    def ask_rating(self, question: str) -> int | None: ...

    def display(
        self, *, live: bool, breathe: bool
    ) -> AbstractContextManager[tuple[Reporter, KeySource | None]]: ...


@dataclass(slots=True)
class SessionRequest:
    """What to play and how, as the command's options and the settings decided it."""

    build: Callable[[int | None], Playable]  # stress rating -> what to play
    timing: Callable[[Playable], SessionTiming]
    open_journal: Callable[[], Any]
    state_dir: Path
    cache_dir: Path
    playback: Mapping[str, Any]  # the [playback] settings
    volume: int = 100
    check_in: bool = False
    interactive: bool = False  # a terminal on stdin and stdout
    live: bool = False  # the live view (else plain lines)
    breathe: bool = False
    wait: bool = False
    replace: bool = False
    output: Output | None = None  # None: pygame's mixer (tests pass a null output)
    sleep: Callable[[float], None] | None = None
    # The listener's likes and bans (keys l and b); None: those keys only say so.
    open_preferences: Callable[[], Any] | None = None
    # The desktop's media controls while the session plays (the CLI's MPRIS bridge, or None
    # when there is no bus); None here: no media controls.
    media_controls: Callable[[], AbstractContextManager[Remote | None]] | None = None


def listen(request: SessionRequest, listener: Listener) -> int:
    """Run one session; returns the exit code (0, or 128+N after a signal). Raises
    ``CalmtuneError`` subclasses for the other codes (4 nothing to play, 5 locked, 3 device)."""
    check_in = request.check_in
    if check_in and not request.interactive:
        listener.say("calmtune: check-in skipped: it needs a terminal")
        check_in = False
    # The handlers come before the lock, the prompt, the terminal's mode and the journal entry:
    # whenever a signal arrives, each of them is given back (docs/cli.md, "Exit codes").
    with SignalFlags() as signals:
        try:
            return _session(request, listener, signals, check_in)
        except SignalReceived as stop:  # while waiting for the lock or at a prompt
            return _stopped_waiting(listener, stop.signum)


def _session(
    request: SessionRequest, listener: Listener, signals: SignalFlags, check_in: bool
) -> int:
    lock = SessionLock(request.state_dir / "session.lock")
    with signals.raising():
        lock.acquire(
            wait=request.wait,
            replace=request.replace,
            on_wait=lambda pid: listener.say(_waiting(pid, request.replace)),
        )
    try:
        before = None
        if check_in:
            with signals.raising():
                before = listener.ask_rating("How stressed do you feel right now")
        result = _play(request, listener, before, signals)
    finally:
        lock.release()
    if result.nothing_playable:
        raise NothingToPlayError(
            "none of the tracks could be played: "
            + "; ".join(f"{path}: {why}" for path, why in result.skipped[:3]),
            hint="check the files, or run 'calmtune doctor'",
        )
    ended = result.ended_by
    if check_in and ended in (EndedBy.COMPLETED, EndedBy.FINISH_KEY, EndedBy.QUIT):
        try:
            with signals.raising():
                after = listener.ask_rating("And now, how stressed do you feel")
        except SignalReceived as stop:  # the session is saved; only the rating is not
            result.signal = stop.signum
            after = None
        if after is not None and result.session_id is not None:
            request.open_journal().set_stress_after(result.session_id, after)
            if before is not None:
                listener.say(f"Stress {before} -> {after}. Saved in the journal.")
    listener.say(summary(result))
    if result.signal is not None and result.signal != REPLACE_SIGNAL:
        return 128 + result.signal
    return 0


def _stopped_waiting(listener: Listener, signum: int) -> int:
    """A signal before anything played: nothing to save; say so and give the signal's code (a
    session replaced while it waited hands over, which is no failure)."""
    if signum == REPLACE_SIGNAL:
        listener.say("calmtune: another session took over before this one started")
        return 0
    listener.say(f"calmtune: stopped by {signal.Signals(signum).name} before the session started")
    return 128 + signum


def _play(
    request: SessionRequest, listener: Listener, stress_before: int | None, signals: SignalFlags
) -> SessionResult:
    from calmtune.playback import AudioConfig, Player, PygameOutput

    # From here a signal only sets a flag: the session fades out, saves and exits 128+N.
    playable = request.build(stress_before)
    for warning in playable.warnings:
        listener.warn(warning)
    for note in playable.notes:
        listener.say(f"calmtune: note: {note}")
    playable.require_items()
    timing = request.timing(playable)
    request.state_dir.mkdir(parents=True, exist_ok=True)
    recipe = playable.recipe
    output = request.output
    if output is None:
        # With keys or media controls, a quarter-second block keeps pause and volume prompt;
        # without (cron, pipes) longer blocks ride out a busy machine's stalls without a gap
        # (a signal's fade is shortened by what is queued, so it still ends within 2 s).
        output = PygameOutput(
            AudioConfig.from_settings(request.playback),
            native_log=request.state_dir / "audio.log",
            block_seconds=LIVE_BLOCK_SECONDS if request.live else PLAIN_BLOCK_SECONDS,
        )
    player = Player(
        playable.items,
        output=output,
        config=AudioConfig.from_settings(request.playback),
        volume=round(request.volume),
        native_log=request.state_dir / "audio.log",
        target_lufs=session_target_lufs(recipe, request.playback),
        crossfade=session_crossfade(recipe, request.playback),
        end_fade=timing.fade_out,
        meter=loudness_meter,
        bed=soundscape_bed(
            request.cache_dir,
            recipe,
            timing,
            heard_lufs=playable.bed_lufs,
            target_lufs=session_target_lufs(recipe, request.playback),
        ),
    )
    journal = request.open_journal()
    extra = {"sleep": request.sleep} if request.sleep is not None else {}
    live = request.live
    media = request.media_controls() if request.media_controls else nullcontext(None)
    with (
        player,
        listener.display(live=live, breathe=request.breathe) as (reporter, keys),
        media as remote,
    ):
        if remote is not None and isinstance(output, PygameOutput):
            output.block_seconds = LIVE_BLOCK_SECONDS  # media keys: answer them promptly
        session = Session(
            player,
            timing,
            label=playable.label,
            journal=journal,
            preferences=request.open_preferences() if request.open_preferences else None,
            recipe=recipe.name if recipe is not None else None,
            stress_before=stress_before,
            reporter=reporter,
            keys=keys,
            signals=signals,
            remote=remote,
            soundscape=playable.soundscape,
            **extra,
        )
        result = session.run()
    if live:  # the live view showed skips while it ran; leave each as a line that stays
        for path, why in result.skipped:
            listener.warn(f"skipped {path}: {why}")
    return result


def recipe_playable(
    library: Any,
    recipe: Recipe,
    *,
    session: str,
    cache_dir: Path,
    playback: Mapping[str, Any],
    duration: float | None,
    start_arousal: float | None = None,
    seed: int | None = None,
) -> Playable:
    """A recipe session's music: the planned playlist, or (for relax) the built-in soundscape
    when the library is empty or nothing fits. The recipe handed to the planner carries the
    session's loudness target and crossfade, so the arc it plans is the one the player makes
    heard, and the music it plans covers the session net of the overlaps."""
    recipe = recipe._replace(
        target_lufs=session_target_lufs(recipe, playback),
        crossfade=session_crossfade(recipe, playback),
    )
    fallback = session in SOUNDSCAPE_SESSIONS
    if library.count() == 0:
        if not fallback:
            raise NothingToPlayError("the library is empty", hint=HOW_TO_FILL)
        playable = soundscape_items(cache_dir, recipe.name, recipe)
        playable.notes.append(
            "your library is empty, so calmtune plays its own calm soundscape; " + HOW_TO_FILL
        )
        return playable
    try:
        return recipe_items(
            library, recipe, duration=duration, start_arousal=start_arousal, seed=seed
        )
    except NothingToPlayError as err:
        if not fallback:
            raise
        playable = soundscape_items(cache_dir, recipe.name, recipe)
        playable.notes.append(f"{err}; playing the calm soundscape instead")
        return playable


def summary(result: SessionResult) -> str:
    from calmtune.durations import format_duration

    heard = len(result.tracks)
    return (
        f"calmtune: session ended ({result.ended_by.value}) after "
        f"{format_duration(result.elapsed)}, {heard} track{'s' if heard != 1 else ''} heard"
    )


def _waiting(pid: int | None, replace: bool) -> str:
    who = f"PID {pid}" if pid is not None else "another session"
    if replace:
        return f"calmtune: asking the session playing ({who}) to stop…"
    return f"calmtune: waiting for the session playing ({who}) to end…"


__all__ = [
    "Listener",
    "SessionRequest",
    "listen",
    "recipe_playable",
    "summary",
]
