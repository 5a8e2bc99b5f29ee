"""The player: streams one track at a time through ``pygame.mixer.music`` and announces events.

One thread runs everything. The caller calls :meth:`Engine.tick` 10-20 times a second; a tick
polls for the end of the track (``set_endevent`` needs the video system), evaluates the volume
ramps, and returns the events since the last tick. Commands (pause, next, stop ...) act at once
and queue their events for the same return. The engine never prints and never calls the UI.

The output level is the product of four factors, re-applied after every load because loading
a track may reset the mixer's volume:

    user volume (0-100, perceptual)  x  track gain (loudness normalisation, <= 1)
        x  fade (fade-in, resume, stop)  x  wind-down
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from calmtune.playback import formats
from calmtune.playback.clock import PlaybackClock, TimeSource
from calmtune.playback.device import AudioConfig, close_mixer, open_mixer
from calmtune.playback.events import (
    EndReason,
    EventKind,
    FinishReason,
    PlayerEvent,
    PlayerState,
)
from calmtune.playback.gain import DEFAULT_FLOOR_LUFS, DEFAULT_UNKNOWN_LUFS, normalizer_for
from calmtune.playback.item import PlayItem
from calmtune.playback.native_stderr import NativeStderrGuard
from calmtune.playback.order import PlayOrder
from calmtune.playback.ramps import Ramp, hold, mixer_volume, ramp_from, volume_to_amplitude
from calmtune.playback.transcode import TranscodeError, TranscodeJob, start_transcode

TICK_SECONDS = 0.05  # how often the session loop should call tick()
RESUME_FADE_SECONDS = 0.3  # resume softly instead of with a click
TRANSCODE_TIMEOUT = 300.0
_AUTO = "auto"


class _Skip(Exception):
    """A track cannot be played; the message is the reason shown to the user."""


@dataclass(frozen=True, slots=True)
class PlayerStatus:
    """A snapshot for the live view: cheap to build, safe to keep."""

    state: PlayerState
    index: int | None
    item: PlayItem | None
    position: float  # seconds into the current item (pauses excluded)
    duration: float | None
    volume: int  # user volume 0-100
    output_level: float  # amplitude actually handed to the mixer, 0..1
    next_item: PlayItem | None
    finish_after_current: bool
    wind_down_progress: float | None  # 0..1 while winding down, else None
    played: int  # items started so far

    @property
    def remaining(self) -> float | None:
        """Seconds left in the current item, when its duration is known."""
        if self.duration is None:
            return None
        return max(0.0, self.duration - self.position)


class Engine:
    """A pygame-ce music player over a list of :class:`PlayItem`.

    Use as a context manager (or ``open()``/``close()``); ``open`` raises
    ``calmtune.errors.AudioDeviceError`` when no device opens.
    """

    def __init__(
        self,
        items: Iterable[PlayItem] = (),
        *,
        config: AudioConfig | None = None,
        volume: int = 100,
        floor_lufs: float = DEFAULT_FLOOR_LUFS,
        unknown_lufs: float = DEFAULT_UNKNOWN_LUFS,
        native_log: str | Path | None = None,
        work_dir: str | Path | None = None,
        ffmpeg: str | None = _AUTO,
        now: TimeSource = time.monotonic,
    ) -> None:
        self._items: list[PlayItem] = list(items)
        self._config = config or AudioConfig()
        self._floor_lufs = floor_lufs
        self._unknown_lufs = unknown_lufs
        self._normalizer = normalizer_for(
            (i.loudness_lufs for i in self._items), floor_lufs, unknown_lufs
        )
        self._order = PlayOrder(len(self._items))
        self._volume = _clamp_percent(volume)
        self._guard = NativeStderrGuard(native_log)
        self._ffmpeg = formats.find_ffmpeg() if ffmpeg == _AUTO else ffmpeg
        self._work_dir_arg = Path(work_dir) if work_dir is not None else None
        self._work_dir: Path | None = None
        self._track_clock = PlaybackClock(now)
        self._play_clock = PlaybackClock(now)  # ramps run on play time: a pause freezes them
        self._fade: Ramp = hold(1.0)
        self._wind: Ramp = hold(1.0)
        self._wind_active = False
        self._stop_after_wind = False
        self._track_gain = 1.0
        self._applied: float | None = None
        self._state = PlayerState.IDLE
        self._finish_after_current = False
        self._events: list[PlayerEvent] = []
        self._jobs: dict[int, TranscodeJob] = {}
        self._current_job: tuple[int, TranscodeJob] | None = None
        self._played = 0
        self._music = None  # pygame.mixer.music once open
        self._pygame_error: type[Exception] = RuntimeError
        self.driver: str | None = None

    # -- life cycle -------------------------------------------------------------------------

    def open(self) -> Engine:
        self._guard.__enter__()
        try:
            self.driver = open_mixer(self._config)
        except BaseException:
            self._guard.__exit__(None, None, None)
            raise
        import pygame

        self._music = pygame.mixer.music
        self._pygame_error = pygame.error
        return self

    def close(self) -> None:
        if self._music is None:
            return
        for job in self._jobs.values():
            job.cancel()
        self._jobs.clear()
        if self._current_job is not None:
            self._current_job[1].discard()
            self._current_job = None
        try:
            close_mixer()
        finally:
            self._music = None
            if self._work_dir is not None and self._work_dir_arg is None:
                shutil.rmtree(self._work_dir, ignore_errors=True)
            self._guard.__exit__(None, None, None)

    def __enter__(self) -> Engine:
        return self.open()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- the list ------------------------------------------------------------------------

    @property
    def items(self) -> Sequence[PlayItem]:
        return tuple(self._items)

    @property
    def state(self) -> PlayerState:
        return self._state

    def append(self, items: Iterable[PlayItem]) -> None:
        """Add items at the end. The session level is recomputed; it takes effect at the next
        load, so the current track never changes level abruptly."""
        self._items.extend(items)
        self._order.grow(len(self._items))
        self._normalizer = normalizer_for(
            (i.loudness_lufs for i in self._items), self._floor_lufs, self._unknown_lufs
        )

    # -- commands ------------------------------------------------------------------------

    def play(self, fade_in: float = 0.0) -> None:
        """Start from the first playable item, fading in over ``fade_in`` seconds."""
        if self._state is not PlayerState.IDLE:
            return
        self._play_clock.start()
        self._fade = ramp_from(0.0, 1.0, 0.0, fade_in) if fade_in > 0 else hold(1.0)
        self._start(self._order.first(), forward=True)

    def pause(self) -> None:
        if self._state is not PlayerState.PLAYING:
            return
        self._music.pause()
        self._track_clock.pause()
        self._play_clock.pause()
        self._state = PlayerState.PAUSED
        self._emit(EventKind.PAUSED)

    def resume(self) -> None:
        if self._state is not PlayerState.PAUSED:
            return
        self._track_clock.resume()
        self._play_clock.resume()
        now = self._play_clock.elapsed()
        if self._fade.done(now):
            self._fade = ramp_from(0.0, self._fade.end, now, RESUME_FADE_SECONDS)
        self._state = PlayerState.PLAYING
        self._apply_volume(force=True)  # before unpausing, so the first buffer is soft
        self._music.unpause()
        self._emit(EventKind.RESUMED)

    def toggle_pause(self) -> None:
        if self._state is PlayerState.PAUSED:
            self.resume()
        else:
            self.pause()

    def next(self) -> None:
        """Skip to the next playable item; past the last one the player finishes."""
        if self._state not in (PlayerState.PLAYING, PlayerState.PAUSED):
            return
        current = self._order.current
        self._end_current(EndReason.SKIPPED)
        target = self._order.after(current)
        if target is None:
            self._finish(FinishReason.END_OF_LIST)
        else:
            self._start(target, forward=True)

    def previous(self) -> None:
        """Restart the track when it has played more than 3 s, else go to the one before."""
        if self._state not in (PlayerState.PLAYING, PlayerState.PAUSED):
            return
        target = self._order.previous_target(self.position)
        self._end_current(EndReason.SKIPPED)
        self._start(target, forward=False)

    def set_volume(self, percent: int) -> None:
        percent = _clamp_percent(percent)
        if percent == self._volume:
            return
        self._volume = percent
        self._apply_volume()
        self._emit(EventKind.VOLUME_CHANGED, volume=percent)

    def volume_up(self, step: int = 5) -> None:
        self.set_volume(self._volume + step)

    def volume_down(self, step: int = 5) -> None:
        self.set_volume(self._volume - step)

    def finish_after_current(self, enabled: bool = True) -> None:
        """Stop when the current track ends, instead of going on."""
        self._finish_after_current = enabled

    def wind_down(
        self, seconds: float, to_level: float = 0.0, *, stop_at_end: bool = False
    ) -> None:
        """Ramp the output down to ``to_level`` (a factor of the current level) over ``seconds``
        of play time, across track changes. With ``stop_at_end`` the player then finishes."""
        now = self._play_clock.elapsed()
        self._wind = ramp_from(self._wind.level(now), max(0.0, to_level), now, seconds)
        self._wind_active = True
        self._stop_after_wind = stop_at_end
        self._apply_volume()

    def stop(self, fade: float = 2.0) -> None:
        """Fade out over ``fade`` seconds, then finish (reason STOPPED). Paused: stop at once."""
        if self._state in (PlayerState.FINISHED, PlayerState.STOPPING):
            if self._state is PlayerState.STOPPING and fade <= 0:
                self._stop_now()
            return
        if self._state is PlayerState.IDLE:
            self._finish(FinishReason.STOPPED)
            return
        if self._state is PlayerState.PAUSED or fade <= 0:
            self._stop_now()
            return
        now = self._play_clock.elapsed()
        self._fade = ramp_from(self._fade.level(now), 0.0, now, fade)
        self._state = PlayerState.STOPPING

    # -- the loop ------------------------------------------------------------------------

    def tick(self) -> list[PlayerEvent]:
        """Advance: apply ramps, notice the end of a track, start the next. Returns the events
        since the last call, oldest first."""
        if self._state in (PlayerState.PLAYING, PlayerState.STOPPING):
            now = self._play_clock.elapsed()
            self._apply_volume()
            if (self._state is PlayerState.STOPPING and self._fade.done(now)) or (
                self._stop_after_wind and self._wind.done(now)
            ):
                self._stop_now()
            elif not self._music.get_busy():
                self._track_finished()
        events, self._events = self._events, []
        return events

    def status(self) -> PlayerStatus:
        index = self._order.current
        item = self._items[index] if index is not None else None
        upcoming = self._order.after(index) if index is not None else None
        now = self._play_clock.elapsed()
        return PlayerStatus(
            state=self._state,
            index=index,
            item=item,
            position=self.position,
            duration=item.duration if item else None,
            volume=self._volume,
            output_level=self._applied or 0.0,
            next_item=self._items[upcoming] if upcoming is not None else None,
            finish_after_current=self._finish_after_current,
            wind_down_progress=self._wind.progress(now) if self._wind_active else None,
            played=self._played,
        )

    @property
    def position(self) -> float:
        """Seconds into the current item. A repeating item wraps at its duration."""
        elapsed = self._track_clock.elapsed()
        index = self._order.current
        if index is not None:
            item = self._items[index]
            if item.repeat and item.duration:
                return elapsed % item.duration
        return elapsed

    @property
    def volume(self) -> int:
        return self._volume

    # -- internals -----------------------------------------------------------------------

    def _emit(self, kind: EventKind, **fields: object) -> None:
        index = fields.pop("index", self._order.current)
        item = self._items[index] if isinstance(index, int) else None
        self._events.append(PlayerEvent(kind, index=index, item=item, **fields))  # type: ignore[arg-type]

    def _start(self, index: int | None, *, forward: bool) -> None:
        """Play ``index``; on failure announce it and move on in the same direction."""
        while index is not None:
            try:
                self._load_and_play(index)
            except _Skip as skip:
                self._order.mark_failed(index)
                self._emit(EventKind.TRACK_FAILED, index=index, reason=str(skip))
                if forward:
                    index = self._order.after(index)
                else:
                    index = self._order.before(index)
                    if index is None:
                        index, forward = self._order.after(None), True
                continue
            return
        self._finish(FinishReason.END_OF_LIST if self._played else FinishReason.NOTHING_PLAYABLE)

    def _load_and_play(self, index: int) -> None:
        item = self._items[index]
        source = self._source_for(index, item)
        try:
            # Bytes, not str: pygame cannot open a non-UTF-8 file name given as str.
            self._music.load(os.fsencode(source))
            self._music.play(loops=-1 if item.repeat else 0)
        except (self._pygame_error, OSError, UnicodeError) as err:
            raise _Skip(f"cannot decode it: {_short(err)}") from None
        self._order.current = index
        self._track_gain = self._normalizer.gain(item.loudness_lufs)
        self._track_clock.start()
        if self._state is PlayerState.PAUSED:
            self._play_clock.resume()
        self._state = PlayerState.PLAYING
        self._apply_volume(force=True)
        self._played += 1
        self._emit(EventKind.TRACK_STARTED, index=index)
        self._prefetch(self._order.after(index))

    def _source_for(self, index: int, item: PlayItem) -> str:
        """The path to hand SDL: the file itself, or a WAV ffmpeg made of it."""
        if not os.path.exists(item.path):
            raise _Skip("file not found")
        if not formats.needs_ffmpeg(item.path):
            return item.path
        fmt = formats.format_of(item.path)
        if self._ffmpeg is None:
            raise _Skip(f"{fmt} needs ffmpeg")
        if self._current_job is not None and self._current_job[0] == index:
            return str(self._current_job[1].output)  # a restart: reuse the decoded file
        job = self._jobs.pop(index, None) or self._transcode(item.path)
        try:
            output = job.wait(TRANSCODE_TIMEOUT)
        except TranscodeError as err:
            job.discard()
            raise _Skip(str(err)) from None
        if self._current_job is not None:
            self._current_job[1].discard()
        self._current_job = (index, job)
        return str(output)

    def _prefetch(self, index: int | None) -> None:
        """Decode the next item in the background when it needs ffmpeg, so it starts at once."""
        if index is None or self._ffmpeg is None or index in self._jobs:
            return
        item = self._items[index]
        if formats.needs_ffmpeg(item.path) and os.path.exists(item.path):
            self._jobs[index] = self._transcode(item.path)

    def _transcode(self, path: str) -> TranscodeJob:
        assert self._ffmpeg is not None
        if self._work_dir is None:
            self._work_dir = self._work_dir_arg or Path(tempfile.mkdtemp(prefix="calmtune-"))
        try:
            return start_transcode(self._ffmpeg, path, self._work_dir, self._config.frequency)
        except OSError as err:
            raise _Skip(f"cannot run ffmpeg: {_short(err)}") from None

    def _track_finished(self) -> None:
        self._emit(EventKind.TRACK_ENDED, ended=EndReason.COMPLETED, position=self.position)
        if self._state is PlayerState.STOPPING:
            self._finish(FinishReason.STOPPED)
        elif self._finish_after_current:
            self._finish(FinishReason.FINISH_AFTER_CURRENT)
        else:
            self._start(self._order.after(self._order.current), forward=True)

    def _end_current(self, how: EndReason) -> None:
        self._emit(EventKind.TRACK_ENDED, ended=how, position=self.position)
        self._music.stop()

    def _stop_now(self) -> None:
        self._end_current(EndReason.STOPPED)
        self._finish(FinishReason.STOPPED)

    def _finish(self, reason: FinishReason) -> None:
        if self._music is not None:
            self._music.stop()
        self._track_clock.pause()
        self._play_clock.pause()
        self._state = PlayerState.FINISHED
        self._emit(EventKind.FINISHED, finished=reason)

    def _apply_volume(self, *, force: bool = False) -> None:
        now = self._play_clock.elapsed()
        amplitude = (
            volume_to_amplitude(self._volume)
            * self._track_gain
            * self._fade.level(now)
            * self._wind.level(now)
        )
        level = mixer_volume(amplitude)
        if force or level != self._applied:
            if self._music is not None and self._state is not PlayerState.FINISHED:
                self._music.set_volume(level)
            self._applied = level


def _clamp_percent(value: int) -> int:
    return min(100, max(0, int(value)))


def _short(err: BaseException) -> str:
    text = " ".join(str(err).split())
    return text[:160] or type(err).__name__
