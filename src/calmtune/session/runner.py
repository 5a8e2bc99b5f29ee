"""The session loop: drives the player, follows the session rules, keeps the journal.

One thread does everything, 20 times a second: let the player render and drain its events
(journal, display), act on a signal flag or a key, let the display redraw. The loop never prints:
a ``Reporter`` (plain lines or a live view, from ``calmtune.ui``) is told what happened, and a
``KeySource`` says which keys were pressed.

The session's clock is the player's: seconds of output played, pauses excluded, counted in
samples. The closing ramp and the end are handed to the player when the session starts
(``Ending``), so they land on exact samples whatever the tracks and the machine do.

How a session ends, in order of precedence: a signal (fade up to 1.5 s, exit 129/130/143, or "replaced"),
``q`` (fade 1 s), ``f`` (the current track fades out over its last seconds), the duration (the
wind-down or fade-out reaches silence exactly at the end of the music, then the closing silence),
the end of the list (the last track fades out over its last seconds). Never a hard cut.
"""

from __future__ import annotations

import signal
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from calmtune.listening import EndedBy, PlayOutcome, Verdict
from calmtune.playback import (
    TICK_SECONDS,
    Ending,
    EndReason,
    EventKind,
    FinishReason,
    PlayerEvent,
    PlayerState,
)
from calmtune.session.controls import Command, Request, command_for
from calmtune.session.lock import REPLACE_SIGNAL
from calmtune.session.rules import SessionTiming
from calmtune.session.snapshot import NowPlaying, SessionSnapshot, describe, with_file_tags

SIGNAL_FADE = 1.5  # at most: the contract allows 2 s from signal to silence, queued sound included
SIGNAL_DEADLINE = 2.0
MIN_SIGNAL_FADE = 0.3
QUIT_FADE = 1.0
MAX_WARNINGS = 3  # shown at once; older ones scroll away
# A track the session's end fades out with less than this left (and under a quarter of it) still
# counts as heard to the end.
END_SLACK = 15.0
_ENDING_WORDS = {
    EndedBy.COMPLETED: "ending gently",
    EndedBy.FINISH_KEY: "finishing after this track",
    EndedBy.QUIT: "stopping",
    EndedBy.SIGINT: "interrupted: fading out",
    EndedBy.SIGTERM: "asked to stop: fading out",
    EndedBy.SIGHUP: "the terminal closed: fading out",
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


class Remote(Protocol):
    """Control from outside the terminal (the desktop's media controls, ``calmtune.desktop``):
    requests come in, and each tick the session's snapshot goes out. Both calls must return at
    once; the remote does its own waiting on another thread."""

    def take(self) -> list[Request]: ...

    def publish(self, snapshot: SessionSnapshot) -> None: ...


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
    if signum == signal.SIGHUP:
        return EndedBy.SIGHUP
    return EndedBy.SIGTERM


class Session:
    """One listening session over an open ``Player``. Call :meth:`run` once."""

    def __init__(
        self,
        player: Any,
        timing: SessionTiming,
        *,
        label: str,
        journal: Any = None,
        preferences: Any = None,
        recipe: str | None = None,
        stress_before: int | None = None,
        reporter: Reporter | None = None,
        keys: KeySource | None = None,
        signals: SignalSource | None = None,
        remote: Remote | None = None,
        soundscape: bool = False,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        quiet = _Quiet()
        self.player = player
        self.timing = timing
        self.label = label
        self._journal = journal
        self._preferences = preferences  # likes and bans (library.preferences.Preferences)
        self._recipe = recipe  # what a ban from the keys applies to (None: every recipe)
        self._stress_before = stress_before
        self._reporter: Reporter = reporter or quiet
        self._keys: KeySource = keys or quiet
        self._signals: SignalSource = signals or quiet
        self._remote = remote
        self._soundscape = soundscape
        self._sleep = sleep
        self._items = player.items
        self._info = [describe(item, soundscape=soundscape) for item in self._items]
        self._ending: EndedBy | None = None
        self._finish: FinishReason | None = None
        self._track_started_at: float | None = None
        self._current_path: str | None = None
        self._event_position: int | None = None  # the journal's listening event now open
        self._jumps: deque[Command] = deque()  # n / p given, each waiting for its track's end
        self._replay_next = False  # the next track to start was asked for again with p
        self._warnings: list[str] = []
        self._note: str | None = None
        self.result = SessionResult(EndedBy.RUNNING, None)

    # -- the loop ----------------------------------------------------------------------------

    def run(self) -> SessionResult:
        """Play until the session ends; the journal entry is finished even if something fails."""
        if self._journal is not None:
            self.result.session_id = self._journal.start(
                self.label, stress_before=self._stress_before
            )
        try:
            self.player.play(fade_in=self.timing.fade_in, ending=self._planned_ending())
            while True:
                self._handle_events(self.player.tick())
                if self.player.state is PlayerState.FINISHED:
                    break
                self._check_signals()
                self._check_keys()
                self._check_remote()
                self._reporter.refresh(self.snapshot)
                self._publish()
                self._sleep(TICK_SECONDS)
            self.result.ended_by = self._ended_by()
            self._publish()  # the end: media controls show "stopped"
        except BaseException:
            self.result.ended_by = EndedBy.ERROR
            raise
        finally:
            self.result.elapsed = self.player.elapsed
            if self._journal is not None and self.result.session_id is not None:
                self._journal.finish(self.result.session_id, self.result.ended_by)
        return self.result

    def _planned_ending(self) -> Ending | None:
        """The closing ramp and the end on the session's clock, or ``None`` (until the list
        ends)."""
        timing = self.timing
        if timing.duration is None or timing.music_end is None:
            return None
        starts = timing.closing_starts if timing.closing_starts is not None else timing.music_end
        return Ending(closing_start=starts, music_end=timing.music_end, end=timing.duration)

    def _ended_by(self) -> EndedBy:
        if self._ending is not None:
            return self._ending
        if self._finish is FinishReason.NOTHING_PLAYABLE:
            return EndedBy.ERROR
        if self._finish is FinishReason.FINISH_AFTER_CURRENT:
            return EndedBy.FINISH_KEY
        return EndedBy.COMPLETED

    # -- events ------------------------------------------------------------------------------

    def _handle_events(self, events: list[PlayerEvent]) -> None:
        for event in events:
            kind = event.kind
            if kind is EventKind.TRACK_STARTED and event.item is not None:
                self._learn_about(event.index)
                self._track_started_at = self.player.elapsed
                self._current_path = event.item.path
                self._open_event(event.item)
                # The player renders ahead: name the track this event is about.
                self._reporter.track_started(self.snapshot(index=event.index))
            elif kind is EventKind.TRACK_ENDED:
                self._track_ended(event)
            elif kind is EventKind.TRACK_FAILED and event.item is not None:
                reason = event.reason or "cannot be played"
                self.result.skipped.append((event.item.path, reason))
                self._warnings.append(f"skipped {event.item.path}: {reason}")
                self._reporter.track_skipped(event.item.path, reason)
            elif kind is EventKind.FINISHED:
                self._finish = event.finished

    def _learn_about(self, index: int | None) -> None:
        """A file the index does not know: read its tags now, for the view and the last fade."""
        if index is None or not 0 <= index < len(self._info):  # -1: the bed
            return
        info = self._info[index]
        if self._items[index].track is None and not info.soundscape and info.duration is None:
            self._info[index] = with_file_tags(info)

    def _open_event(self, item: Any) -> None:
        """The journal's listening event for a track that starts (docs/design.md, "Listening
        events"): written now, so a kill loses at most how this track ended."""
        replay, self._replay_next = self._replay_next, False
        if self._journal is None or self.result.session_id is None:
            return
        track = getattr(item, "track", None)
        self._event_position = self._journal.track_started(
            self.result.session_id,
            item.path,
            track_id=track.id if track is not None else None,
            replay=replay,
        )

    def _track_ended(self, event: PlayerEvent) -> None:
        if self._current_path is None or self._track_started_at is None:
            return
        seconds = max(0.0, self.player.elapsed - self._track_started_at)
        path, self._current_path = self._current_path, None
        self.result.tracks.append(path)
        self.result.listened += seconds
        outcome = self._outcome(event)
        position, self._event_position = self._event_position, None
        if self._journal is not None and self.result.session_id is not None and position:
            self._journal.track_ended(self.result.session_id, position, seconds, outcome)

    def _outcome(self, event: PlayerEvent) -> PlayOutcome:
        """How the play ended, for the listener's preferences: a skip, a step back, a cut, or
        heard to the end (the session's end fading out its last seconds still counts)."""
        if event.ended is EndReason.SKIPPED:
            command = self._jumps.popleft() if self._jumps else Command.NEXT
            if command is Command.PREVIOUS:
                self._replay_next = True  # what starts now was asked for again
                return PlayOutcome.BACK
            return PlayOutcome.SKIPPED
        if event.ended is EndReason.STOPPED:
            return PlayOutcome.CUT
        music_end = self.timing.music_end
        if music_end is not None and self.player.elapsed >= music_end - TICK_SECONDS:
            duration = self._duration_of(event.index)
            position = event.position or 0.0
            if duration is not None and duration - position > min(END_SLACK, duration / 4):
                return PlayOutcome.CUT  # the session's clock ended it
        return PlayOutcome.FINISHED

    def _duration_of(self, index: int | None) -> float | None:
        if index is None or not 0 <= index < len(self._info):  # -1: the bed
            return None
        return self._info[index].duration

    # -- signals and keys --------------------------------------------------------------------

    def _check_signals(self) -> None:
        signum = self._signals.take()
        if signum is None:
            return
        hurry = self.result.signal is not None  # a second signal: stop now
        self.result.signal = signum
        # What is already queued plays first; the fade takes what is left of the 2 s.
        room = SIGNAL_DEADLINE - self.player.queued
        fade = max(MIN_SIGNAL_FADE, min(SIGNAL_FADE, room))
        self._end(_ended_by_signal(signum), fade=0.0 if hurry else fade)

    def _check_keys(self) -> None:
        for key in self._keys.read():
            command = command_for(key)
            if command is not None:
                self.apply(command)

    def _check_remote(self) -> None:
        if self._remote is not None:
            for request in self._remote.take():
                self.apply(request.command, request.value)

    def _publish(self) -> None:
        if self._remote is not None:
            self._remote.publish(self.snapshot())

    def apply(self, command: Command, value: int | None = None) -> None:
        """Carry out one listener command: a key (docs/cli.md, "Sessions and playback"), or the
        desktop's media controls (``value`` is the volume in percent for SET_VOLUME)."""
        player = self.player
        if command is Command.QUIT:
            again = self._ending is EndedBy.QUIT
            self._end(EndedBy.QUIT, fade=0.0 if again else QUIT_FADE)
        elif self._ending is not None and player.state is PlayerState.STOPPING:
            return  # fading out: only q (faster) still does something
        elif command is Command.TOGGLE_PAUSE:
            player.toggle_pause()
        elif command is Command.PLAY:
            player.resume()
        elif command is Command.PAUSE:
            player.pause()
        elif command is Command.SET_VOLUME and value is not None:
            player.set_volume(value)
        elif command is Command.NEXT:
            if player.status().next_item is None:
                self._say("this is the last track: f finishes after it, q stops now")
            else:
                self._jump(Command.NEXT)
        elif command is Command.PREVIOUS:
            self._jump(Command.PREVIOUS)
        elif command is Command.VOLUME_UP:
            player.volume_up()
        elif command is Command.VOLUME_DOWN:
            player.volume_down()
        elif command is Command.LIKE:
            self._like()
        elif command is Command.BAN:
            self._ban()
        elif command is Command.FINISH:
            enabled = not player.status().finish_after_current
            player.finish_after_current(enabled)
            self._say("finishing after this track" if enabled else "playing on")

    def _playing_track(self) -> tuple[Any, str] | None:
        """The indexed track playing now and its title, or None (saying why not)."""
        status = self.player.status()
        index = status.index
        item = self._items[index] if index is not None and 0 <= index < len(self._items) else None
        track = getattr(item, "track", None)
        if track is None or track.id is None or self._preferences is None:
            self._say("only tracks in the index can be liked or banned (calmtune scan adds them)")
            return None
        return track, self._info[index].title

    def _like(self) -> None:
        """``l``: like the playing track for every recipe, or take the like back."""
        playing = self._playing_track()
        if playing is None:
            return
        track, title = playing
        if self._preferences.is_liked(track.id):
            self._preferences.clear([track.id], Verdict.LIKE)
            self._say(f"no longer liked: {title}")
        else:
            self._preferences.set([track.id], Verdict.LIKE)
            self._say(f"liked: {title} (playlists will favour it)")

    def _ban(self) -> None:
        """``b``: ban the playing track from the session's recipe (every recipe when the session
        plays no recipe), then skip it."""
        playing = self._playing_track()
        if playing is None:
            return
        track, title = playing
        self._preferences.set([track.id], Verdict.BAN, self._recipe)
        scope = f"from {self._recipe}" if self._recipe else "from every recipe"
        undo = "calmtune ban --undo" + (f" --recipe {self._recipe}" if self._recipe else "")
        if self.player.status().next_item is None:
            self._say(f"banned {scope}: {title} ({undo} PATH to undo); q stops now")
            return
        self._jump(Command.NEXT)
        self._say(f"banned {scope}: {title} ({undo} PATH to undo)")

    def _jump(self, command: Command) -> None:
        """``n`` or ``p``: remembered until the track it leaves ends, to say how it ended."""
        if self.player.state in (PlayerState.PLAYING, PlayerState.PAUSED):
            self._jumps.append(command)
        if command is Command.NEXT:
            self.player.next()
        else:
            self.player.previous()

    def _say(self, text: str) -> None:
        self._note = text
        self._reporter.note(text)

    def _end(self, how: EndedBy, *, fade: float) -> None:
        """Start the end of the session: a fade of ``fade`` seconds, then silence."""
        if self._ending not in _SIGNALLED or how in _SIGNALLED:
            self._ending = how  # a key never hides that a signal stopped the session
        self.player.stop(fade=fade)

    # -- for displays ------------------------------------------------------------------------

    def snapshot(self, index: int | None = None) -> SessionSnapshot:
        status = self.player.status()
        index = status.index if index is None else index
        now = self._info[index] if index is not None and 0 <= index < len(self._info) else None
        if now is None and status.item is not None:
            now = describe(status.item, soundscape=True)  # the bed covering the session
        upcoming = self._next_info(index, status.next_item)
        timing = self.timing
        elapsed = status.elapsed
        silence = timing.music_end is not None and elapsed >= timing.music_end
        state = "silence" if silence else status.state.value
        ending = _ENDING_WORDS.get(self._ending) if self._ending is not None else None
        starts = timing.closing_starts
        if ending is None and starts is not None and elapsed >= starts:
            ending = _ENDING_WORDS[EndedBy.COMPLETED]
        if ending is None and status.finish_after_current:
            ending = _ENDING_WORDS[EndedBy.FINISH_KEY]
        return SessionSnapshot(
            label=self.label,
            state=state,
            now=None if silence else now,
            position=status.position,
            elapsed=elapsed,
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


_SIGNALLED = (EndedBy.SIGINT, EndedBy.SIGTERM, EndedBy.SIGHUP, EndedBy.REPLACED)
