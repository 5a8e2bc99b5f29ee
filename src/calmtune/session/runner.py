"""The session loop: drives the engine, follows the session rules, keeps the journal.

One thread does everything, 20 times a second: drain the engine's events (journal, display),
act on a signal flag or a key, start the closing ramp when the clock says so, let the display
redraw. The loop never prints: a ``Reporter`` (plain lines or a live view, from ``calmtune.ui``)
is told what happened, and a ``KeySource`` says which keys were pressed.

How a session ends, in order of precedence: a signal (fade 1.5 s, exit 130/143, or "replaced"),
``q`` (fade 1 s), ``f`` (the current track fades out over its last seconds), the duration (the
wind-down or fade-out reaches silence exactly at the end of the music, then the closing silence),
the end of the list (the last track fades out over its last seconds). Never a hard cut.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from calmtune.models import EndedBy
from calmtune.playback import TICK_SECONDS, EventKind, FinishReason, PlayerEvent, PlayerState
from calmtune.playback.clock import PlaybackClock
from calmtune.session.controls import Command, command_for
from calmtune.session.lock import REPLACE_SIGNAL
from calmtune.session.rules import SessionTiming
from calmtune.session.snapshot import NowPlaying, SessionSnapshot, describe, with_file_tags

SIGNAL_FADE = 1.5  # the contract allows 2 s from signal to silence
QUIT_FADE = 1.0
MIN_FADE = 0.1  # a late timer still fades instead of cutting
MAX_WARNINGS = 3  # shown at once; older ones scroll away
_ENDING_WORDS = {
    EndedBy.COMPLETED: "ending gently",
    EndedBy.FINISH_KEY: "finishing after this track",
    EndedBy.QUIT: "stopping",
    EndedBy.SIGINT: "interrupted: fading out",
    EndedBy.SIGTERM: "asked to stop: fading out",
    EndedBy.REPLACED: "another session takes over: fading out",
}


class Reporter(Protocol):
    """What the loop tells a display. Implementations: ``calmtune.ui.plain``, ``ui.live_view``."""

    def track_started(self, snapshot: SessionSnapshot) -> None: ...

    def track_skipped(self, path: str, reason: str) -> None: ...

    def note(self, text: str) -> None: ...

    def refresh(self, snapshot: Callable[[], SessionSnapshot]) -> None: ...


class KeySource(Protocol):
    def read(self) -> list[str]: ...


class SignalSource(Protocol):
    def take(self) -> int | None: ...


class _Quiet:
    """No display, no keys: for embedding and tests of the loop."""

    def track_started(self, snapshot: SessionSnapshot) -> None:
        pass

    def track_skipped(self, path: str, reason: str) -> None:
        pass

    def note(self, text: str) -> None:
        pass

    def refresh(self, snapshot: Callable[[], SessionSnapshot]) -> None:
        pass

    def read(self) -> list[str]:
        return []

    def take(self) -> int | None:
        return None


@dataclass(slots=True)
class SessionResult:
    ended_by: EndedBy
    session_id: int | None
    tracks: list[str] = field(default_factory=list)  # paths, in the order they were heard
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    listened: float = 0.0  # seconds of music heard
    elapsed: float = 0.0  # session seconds, pauses excluded
    signal: int | None = None

    @property
    def nothing_playable(self) -> bool:
        return self.ended_by is EndedBy.ERROR and not self.tracks


def _ended_by_signal(signum: int) -> EndedBy:
    if signum == signal.SIGINT:
        return EndedBy.SIGINT
    if signum == REPLACE_SIGNAL:
        return EndedBy.REPLACED
    return EndedBy.SIGTERM


class Session:
    """One listening session over an open ``Engine``. Call :meth:`run` once."""

    def __init__(
        self,
        engine: Any,
        timing: SessionTiming,
        *,
        label: str,
        journal: Any = None,
        stress_before: int | None = None,
        reporter: Reporter | None = None,
        keys: KeySource | None = None,
        signals: SignalSource | None = None,
        soundscape: bool = False,
        now: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        quiet = _Quiet()
        self.engine = engine
        self.timing = timing
        self.label = label
        self._journal = journal
        self._stress_before = stress_before
        self._reporter: Reporter = reporter or quiet
        self._keys: KeySource = keys or quiet
        self._signals: SignalSource = signals or quiet
        self._soundscape = soundscape
        self._sleep = sleep
        self._clock = PlaybackClock(now)
        self._items = engine.items
        self._info = [describe(item, soundscape=soundscape) for item in self._items]
        self._ending: EndedBy | None = None
        self._closing = False  # the closing ramp (wind-down, fade-out) has begun
        self._finish: FinishReason | None = None
        self._track_started_at: float | None = None
        self._current_path: str | None = None
        self._warnings: list[str] = []
        self._note: str | None = None
        self._silence = False
        self.result = SessionResult(EndedBy.RUNNING, None)

    # -- the loop ----------------------------------------------------------------------------

    def run(self) -> SessionResult:
        """Play until the session ends; the journal entry is finished even if something fails."""
        if self._journal is not None:
            self.result.session_id = self._journal.start(
                self.label, stress_before=self._stress_before
            )
        try:
            self._clock.start()
            self.engine.play(fade_in=self.timing.fade_in)
            while True:
                self._handle_events(self.engine.tick())
                if self.engine.state is PlayerState.FINISHED:
                    break
                self._check_signals()
                self._check_keys()
                self._check_timers()
                self._reporter.refresh(self.snapshot)
                self._sleep(TICK_SECONDS)
            self.result.ended_by = self._ended_by()
            self._closing_silence()
        except BaseException:
            self.result.ended_by = EndedBy.ERROR
            raise
        finally:
            self.result.elapsed = self._clock.elapsed()
            if self._journal is not None and self.result.session_id is not None:
                self._journal.finish(self.result.session_id, self.result.ended_by)
        return self.result

    def _ended_by(self) -> EndedBy:
        if self._ending is not None:
            return self._ending
        if self._finish is FinishReason.NOTHING_PLAYABLE:
            return EndedBy.ERROR
        if self._finish is FinishReason.FINISH_AFTER_CURRENT:
            return EndedBy.FINISH_KEY
        return EndedBy.COMPLETED

    def _closing_silence(self) -> None:
        """Rest in silence to the end of the session (a pause lowers arousal further)."""
        if self.result.ended_by is not EndedBy.COMPLETED or self.timing.duration is None:
            return
        self._silence = True
        while self._clock.elapsed() < self.timing.duration:
            signum = self._signals.take()
            if signum is not None:
                self.result.ended_by = _ended_by_signal(signum)
                self.result.signal = signum
                return
            if any(command_for(k) is Command.QUIT for k in self._keys.read()):
                return
            self._reporter.refresh(self.snapshot)
            self._sleep(TICK_SECONDS)

    # -- events ------------------------------------------------------------------------------

    def _handle_events(self, events: list[PlayerEvent]) -> None:
        for event in events:
            kind = event.kind
            if kind is EventKind.TRACK_STARTED and event.item is not None:
                self._learn_about(event.index)
                self._track_started_at = self._clock.elapsed()
                self._current_path = event.item.path
                self._reporter.track_started(self.snapshot())
            elif kind is EventKind.TRACK_ENDED:
                self._track_ended()
            elif kind is EventKind.TRACK_FAILED and event.item is not None:
                reason = event.reason or "cannot be played"
                self.result.skipped.append((event.item.path, reason))
                self._warnings.append(f"skipped {event.item.path}: {reason}")
                self._reporter.track_skipped(event.item.path, reason)
            elif kind is EventKind.PAUSED:
                self._clock.pause()
            elif kind is EventKind.RESUMED:
                self._clock.resume()
            elif kind is EventKind.FINISHED:
                self._finish = event.finished

    def _learn_about(self, index: int | None) -> None:
        """A file the index does not know: read its tags now, for the view and the last fade."""
        if index is None:
            return
        info = self._info[index]
        if self._items[index].track is None and not info.soundscape and info.duration is None:
            self._info[index] = with_file_tags(info)

    def _track_ended(self) -> None:
        if self._current_path is None or self._track_started_at is None:
            return
        seconds = max(0.0, self._clock.elapsed() - self._track_started_at)
        path, self._current_path = self._current_path, None
        self.result.tracks.append(path)
        self.result.listened += seconds
        if self._journal is not None and self.result.session_id is not None:
            self._journal.track_played(self.result.session_id, path, seconds)

    # -- signals and keys --------------------------------------------------------------------

    def _check_signals(self) -> None:
        signum = self._signals.take()
        if signum is None:
            return
        hurry = self.result.signal is not None  # a second signal: stop now
        self.result.signal = signum
        self._end(_ended_by_signal(signum), fade=0.0 if hurry else SIGNAL_FADE)

    def _check_keys(self) -> None:
        for key in self._keys.read():
            command = command_for(key)
            if command is not None:
                self.apply(command)

    def apply(self, command: Command) -> None:
        """Carry out one listener command (the keys of docs/cli.md, "Sessions and playback")."""
        engine = self.engine
        if command is Command.QUIT:
            again = self._ending is EndedBy.QUIT
            self._end(EndedBy.QUIT, fade=0.0 if again else QUIT_FADE)
        elif self._ending is not None and self.engine.state is PlayerState.STOPPING:
            return  # fading out: only q (faster) still does something
        elif command is Command.TOGGLE_PAUSE:
            engine.toggle_pause()
        elif command is Command.NEXT:
            if engine.status().next_item is None:
                self._say("this is the last track: f finishes after it, q stops now")
            else:
                engine.next()
        elif command is Command.PREVIOUS:
            engine.previous()
        elif command is Command.VOLUME_UP:
            engine.volume_up()
        elif command is Command.VOLUME_DOWN:
            engine.volume_down()
        elif command is Command.FINISH:
            enabled = not engine.status().finish_after_current
            engine.finish_after_current(enabled)
            self._say("finishing after this track" if enabled else "playing on")

    def _say(self, text: str) -> None:
        self._note = text
        self._reporter.note(text)

    def _end(self, how: EndedBy, *, fade: float) -> None:
        """Start the end of the session: a fade of ``fade`` seconds, then silence."""
        if self._ending not in _SIGNALLED or how in _SIGNALLED:
            self._ending = how  # a key never hides that a signal stopped the session
        self._closing = True
        self.engine.stop(fade=fade)

    # -- the clock ---------------------------------------------------------------------------

    def _check_timers(self) -> None:
        if self._closing or self.engine.state is not PlayerState.PLAYING:
            return
        now = self._clock.elapsed()
        timing = self.timing
        starts = timing.closing_starts
        if starts is not None and now >= starts:
            left = max(0.0, (timing.music_end or now) - now)
            self._ending = EndedBy.COMPLETED
            self._closing = True
            if timing.wind_down > 0:
                self.engine.wind_down(max(left, TICK_SECONDS), 0.0, stop_at_end=True)
            else:
                self.engine.stop(fade=max(left, MIN_FADE))
            return
        self._fade_last_track()

    def _fade_last_track(self) -> None:
        """The list is about to run out (or ``f`` was pressed): fade the track's last seconds."""
        status = self.engine.status()
        if status.item is None or status.item.repeat or status.index is None:
            return
        if status.next_item is not None and not status.finish_after_current:
            return
        length = self._info[status.index].duration
        if not length:
            return
        left = length - status.position
        fade = min(self.timing.fade_out, length * 0.5)
        if 0 < left <= fade:
            self._ending = EndedBy.FINISH_KEY if status.finish_after_current else EndedBy.COMPLETED
            self._closing = True
            self.engine.stop(fade=max(left, MIN_FADE))

    # -- for displays ------------------------------------------------------------------------

    def snapshot(self) -> SessionSnapshot:
        status = self.engine.status()
        index = status.index
        now = self._info[index] if index is not None else None
        upcoming = self._next_info(index, status.next_item)
        state = "silence" if self._silence else status.state.value
        ending = _ENDING_WORDS.get(self._ending) if self._ending is not None else None
        if ending is None and status.finish_after_current:
            ending = _ENDING_WORDS[EndedBy.FINISH_KEY]
        return SessionSnapshot(
            label=self.label,
            state=state,
            now=now,
            position=status.position,
            elapsed=self._clock.elapsed(),
            duration=self.timing.duration,
            volume=status.volume,
            next_up=upcoming,
            index=index,
            count=len(self._info),
            finishing=status.finish_after_current,
            wind_down=status.wind_down_progress,
            ending=ending,
            warnings=tuple(self._warnings[-MAX_WARNINGS:]),
            note=self._note,
        )

    def _next_info(self, index: int | None, next_item: Any) -> NowPlaying | None:
        if next_item is None or index is None:
            return None
        for i in range(index + 1, len(self._items)):  # usually the very next one
            if self._items[i] is next_item:
                return self._info[i]
        return describe(next_item)


_SIGNALLED = (EndedBy.SIGINT, EndedBy.SIGTERM, EndedBy.REPLACED)
