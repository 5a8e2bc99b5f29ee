"""The player: calmtune decodes and renders every sample; the output (pygame's mixer) only plays.

One thread runs everything. The caller calls :meth:`Player.tick` 10-20 times a second; a tick
renders as many blocks as the output takes and returns the events that have become audible since
the last tick. Commands (pause, next, stop ...) act at once on what is rendered next. The player
never prints and never calls the UI: it announces events.

Time is counted in frames of the output stream, so every ramp lands on exact samples whatever the
machine's timing, and a session's clock is the music it has played (pauses excluded). What is
heard is the sum of the sounding tracks ("voices": one, or two during a crossfade), each times
its loudness gain and its own fade, times the master gains:

    user volume (0-100, perceptual)  x  fade (fade-in, stop)  x  pause ramp  x  closing ramp

Between tracks: gapless when they follow each other on one album, else a short crossfade (raised
cosine, the two gains add up to one, so the sum never peaks above the louder track) after
trimming the near-silent tail and head. The last track fades out over its final seconds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from calmtune import levels
from calmtune.errors import DecodeError
from calmtune.playback.device import AudioConfig
from calmtune.playback.events import (
    EndReason,
    EventKind,
    FinishReason,
    PlayerEvent,
    PlayerState,
)
from calmtune.playback.item import PlayItem
from calmtune.playback.order import PlayOrder
from calmtune.playback.output import NullOutput, Output, PygameOutput
from calmtune.playback.ramps import (
    Curve,
    Ramp,
    db_to_amplitude,
    hold,
    ramp_from,
    volume_to_amplitude,
)
from calmtune.playback.stream import Meter, TrackStream, open_stream

if TYPE_CHECKING:
    import numpy as np

TICK_SECONDS = 0.05  # how often the session loop should call tick()
PAUSE_RAMP = 0.25  # pause and resume glide over this long: no click
SKIP_FADE = 0.3  # next / previous / restart cross over this quickly
VOLUME_GLIDE = 0.05  # a volume step glides instead of jumping (no zipper noise)
DEFAULT_END_FADE = 5.0  # the last track fades out over its final seconds
PREPARE_AHEAD = 2.0  # open the next track this long before it is due
_NO_FRAME = -1  # events that answer a command are due at once
_FAR = 1 << 62


@dataclass(frozen=True, slots=True)
class Ending:
    """When a session's music ends, on its own clock (seconds of played output, pauses
    excluded): the closing ramp runs from ``closing_start`` to ``music_end``, then silence until
    ``end``. Whatever the tracks do, the ramp and the end land on these instants."""

    closing_start: float
    music_end: float
    end: float


@dataclass(frozen=True, slots=True)
class PlayerStatus:
    """A snapshot for the live view: cheap to build, safe to keep."""

    state: PlayerState
    index: int | None
    item: PlayItem | None
    position: float  # seconds into the current item (pauses excluded)
    duration: float | None
    volume: int  # user volume 0-100
    output_level: float  # the master gain now, 0..1
    next_item: PlayItem | None
    finish_after_current: bool
    wind_down_progress: float | None  # 0..1 while the closing ramp runs, else None
    played: int  # items started so far
    elapsed: float = 0.0  # seconds of output heard (the session clock)
    gain_db: float | None = None  # the loudness normalisation applied to the current item

    @property
    def remaining(self) -> float | None:
        """Seconds left in the current item, when its duration is known."""
        if self.duration is None:
            return None
        return max(0.0, self.duration - self.position)


@dataclass(slots=True)
class _Voice:
    """One sounding track."""

    index: int  # into the item list; -1 for the bed
    item: PlayItem
    stream: TrackStream
    gain: float  # loudness normalisation, an amplitude <= 1
    gain_db: float
    started_at: int  # output frame the voice began
    offset: int = 0  # track frames skipped at its start (leading silence)
    fade: Ramp = field(default_factory=lambda: hold(1.0))
    stop_at: int | None = None  # output frame it falls silent and is dropped
    handed_over: bool = False  # its successor is scheduled (or it is fading out at the end)
    ended: bool = False  # TRACK_ENDED has been announced


@dataclass(slots=True)
class _Prepared:
    index: int
    item: PlayItem
    stream: TrackStream
    gain_db: float


class Player:
    """Plays a list of :class:`PlayItem` through an :class:`Output` (pygame's mixer unless
    given). Use as a context manager; ``open`` raises ``AudioDeviceError`` (exit 3)."""

    def __init__(
        self,
        items: Iterable[PlayItem] = (),
        *,
        output: Output | None = None,
        config: AudioConfig | None = None,
        native_log: str | Path | None = None,
        volume: int = 100,
        target_lufs: float = levels.DEFAULT_TARGET_LUFS,
        crossfade: float = 0.0,
        end_fade: float = DEFAULT_END_FADE,
        meter: Meter | None = None,
        bed: PlayItem | Callable[[], PlayItem] | None = None,
    ) -> None:
        self._items: list[PlayItem] = list(items)
        self._order = PlayOrder(len(self._items))
        self._output: Output = output or PygameOutput(config, native_log=native_log)
        self._volume = _clamp_percent(volume)
        self.target_lufs = target_lufs
        self._crossfade = max(0.0, crossfade)
        self._end_fade = max(0.0, end_fade)
        self._meter = meter
        self._bed = bed
        self._bed_used = False
        self.rate = 44100
        self._opened = False
        self._frame = 0  # output frames rendered
        self._voices: list[_Voice] = []
        self._next: _Prepared | None = None
        self._first: _Prepared | None = None  # opened while the output opens
        self._vol = hold(volume_to_amplitude(self._volume))
        self._fade = hold(1.0)
        self._pause = hold(1.0)
        self._wind = hold(1.0)
        self._wind_active = False
        self._ending: tuple[int, int, int] | None = None  # closing start, music end, end
        self._halt_at: int | None = None  # rendering halts here (paused)
        self._final_at: int | None = None  # the stream ends here
        self._final_reason = FinishReason.END_OF_LIST
        self._state = PlayerState.IDLE
        self._finish_after_current = False
        # (due frame, event, (started_at, offset) for a track start): released once heard
        self._events: list[tuple[int, PlayerEvent, tuple[int, int] | None]] = []
        self._heard: tuple[int, int] | None = None  # the heard item: started_at, offset
        self._played = 0
        self.driver: str | None = None

    # -- life cycle -------------------------------------------------------------------------

    def open(self) -> Player:
        """Open the output; meanwhile, on a thread, open the first track (and measure it when
        the index has no loudness for it), so the first sound waits for the slower of the two,
        not for both. Decoding and numpy release the GIL while the mixer opens."""
        import threading

        self.rate = self._output.rate  # the rate asked for; the device almost always grants it
        first = threading.Thread(target=self._prepare_first, daemon=True)
        first.start()
        try:
            self._output.open()
        finally:
            first.join()
        if self._output.rate != self.rate and self._first is not None:
            self._first.stream.close()  # opened for another rate: open it again in play()
            self._first = None
        self.rate = self._output.rate
        self.driver = self._output.driver
        self._opened = True
        return self

    def _prepare_first(self) -> None:
        self._first = self._prepare(self._order.first(), forward=True)

    def close(self) -> None:
        if not self._opened:
            return
        self._opened = False
        for voice in self._voices:
            voice.stream.close()
        for prepared in (self._next, self._first):
            if prepared is not None:
                prepared.stream.close()
        self._voices, self._next, self._first = [], None, None
        self._output.close()

    def __enter__(self) -> Player:
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

    @property
    def output(self) -> Output:
        return self._output

    def append(self, items: Iterable[PlayItem]) -> None:
        """Add items at the end of the list."""
        self._items.extend(items)
        self._order.grow(len(self._items))

    # -- commands ------------------------------------------------------------------------

    def play(self, fade_in: float = 0.0, *, ending: Ending | None = None) -> None:
        """Start from the first playable item, fading in over ``fade_in`` seconds. With
        ``ending``, the session's clock decides when the music ends (see :class:`Ending`)."""
        if self._state is not PlayerState.IDLE:
            return
        if fade_in > 0:
            self._fade = Ramp(0.0, 1.0, 0, self._frames(fade_in))
        if ending is not None:
            self.schedule_ending(ending)
        self._state = PlayerState.PLAYING
        first, self._first = self._first, None
        if first is None and self._order.first() is not None:
            first = self._prepare(self._order.first(), forward=True)
        if first is None and self._ending is not None:
            first = self._prepare_bed()  # every pick failed: the bed still covers the session
        if first is None:
            self._finish_now(FinishReason.NOTHING_PLAYABLE)
            return
        self._start_voice(first, fade_frames=0, trim=False)
        self.tick_output()

    def schedule_ending(self, ending: Ending) -> None:
        """Set (or move) the session's closing ramp and end, in session seconds."""
        closing, music_end, end = (
            self._frames(ending.closing_start),
            self._frames(ending.music_end),
            self._frames(ending.end),
        )
        music_end = max(music_end, self._frame)
        closing = min(max(closing, self._frame), music_end)
        end = max(end, music_end)
        self._ending = (closing, music_end, end)
        self._wind = Ramp(1.0, 0.0, closing, music_end - closing)
        self._wind_active = True

    def pause(self) -> None:
        if self._state is not PlayerState.PLAYING:
            return
        ramp = self._frames(PAUSE_RAMP)
        self._pause = ramp_from(
            self._pause.level(self._frame), 0.0, self._frame, ramp, Curve.COSINE
        )
        self._halt_at = self._frame + ramp
        self._state = PlayerState.PAUSED
        self._emit(EventKind.PAUSED)

    def resume(self) -> None:
        if self._state is not PlayerState.PAUSED:
            return
        ramp = self._frames(PAUSE_RAMP)
        level = self._pause.level(self._frame)
        self._pause = ramp_from(level, 1.0, self._frame, ramp, Curve.COSINE)
        self._halt_at = None
        self._state = PlayerState.PLAYING
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
        self._jump(self._order.after(self._order.current), forward=True)

    def previous(self) -> None:
        """Restart the track when it has played more than 3 s, else go to the one before."""
        if self._state not in (PlayerState.PLAYING, PlayerState.PAUSED):
            return
        self._jump(self._order.previous_target(self.position), forward=False)

    def set_volume(self, percent: int) -> None:
        percent = _clamp_percent(percent)
        if percent == self._volume:
            return
        self._volume = percent
        level = self._vol.level(self._frame)
        self._vol = ramp_from(
            level,
            volume_to_amplitude(percent),
            self._frame,
            self._frames(VOLUME_GLIDE),
            Curve.LINEAR,
        )
        self._emit(EventKind.VOLUME_CHANGED, volume=percent)

    def volume_up(self, step: int = 5) -> None:
        self.set_volume(self._volume + step)

    def volume_down(self, step: int = 5) -> None:
        self.set_volume(self._volume - step)

    def finish_after_current(self, enabled: bool = True) -> None:
        """Stop when the current track ends (it fades out over its last seconds)."""
        self._finish_after_current = enabled
        if self._next is not None and enabled:
            self._next.stream.close()
            self._next = None

    def wind_down(
        self, seconds: float, to_level: float = 0.0, *, stop_at_end: bool = False
    ) -> None:
        """Ramp the output down to ``to_level`` over ``seconds`` of playing, across track
        changes. With ``stop_at_end`` the player then finishes."""
        length = self._frames(seconds)
        self._wind = ramp_from(
            self._wind.level(self._frame), max(0.0, to_level), self._frame, length
        )
        self._wind_active = True
        if stop_at_end:
            self._end_stream_at(self._frame + length, FinishReason.STOPPED)

    def stop(self, fade: float = 2.0) -> None:
        """Fade out over ``fade`` seconds, then finish (reason STOPPED). Paused: stop at once."""
        if self._state is PlayerState.FINISHED:
            return
        if self._state is PlayerState.IDLE:
            self._finish_now(FinishReason.STOPPED)
            return
        if self._state is PlayerState.PAUSED or fade <= 0:
            self._halt_at = None
            self._final_at = self._frame
            self._final_reason = FinishReason.STOPPED
            self._state = PlayerState.STOPPING
            self._end_voices(EndReason.STOPPED)
            if fade <= 0:
                self._finish_now(FinishReason.STOPPED)
            return
        length = self._frames(fade)
        self._fade = ramp_from(self._fade.level(self._frame), 0.0, self._frame, length)
        self._final_at = self._frame + length
        self._final_reason = FinishReason.STOPPED
        self._state = PlayerState.STOPPING

    # -- the loop ------------------------------------------------------------------------

    def tick(self) -> list[PlayerEvent]:
        """Render what the output takes, and return the events heard since the last call."""
        if self._state is not PlayerState.FINISHED and self._state is not PlayerState.IDLE:
            self.tick_output()
        return self._due_events()

    def tick_output(self) -> None:
        while self._state is not PlayerState.FINISHED:
            wanted = self._output.wants()
            if wanted <= 0:
                break
            block = self._render(wanted)
            if not len(block):
                break
            self._output.write(block)
        if self._final_at is not None and self._frame >= self._final_at and self._output.idle():
            self._finish_now(self._final_reason)
        else:
            # Slow work (opening the next file, measuring its loudness) comes after the output
            # is full, so it eats into the slack of the queued blocks, not of an empty queue.
            self._prepare_ahead()

    def _prepare_ahead(self) -> None:
        voice = self._primary()
        if voice is None or self._next is not None or self._is_last(voice):
            return
        if self._due_soon(voice):
            self._next = self._prepare(self._order.after(voice.index), forward=True)
            if self._next is None:
                self._next = self._prepare_bed()

    def status(self) -> PlayerStatus:
        index = self._order.current
        item = self._items[index] if index is not None and index >= 0 else None
        voice = self._voices[-1] if self._voices else None
        upcoming = self._order.after(index) if index is not None else None
        if voice is not None and voice.index < 0:
            item, index = voice.item, None  # the bed: no track of the list is playing
        duration = item.duration if item else None
        progress = None
        if self._wind_active:
            progress = self._wind.progress(self._frame) if self._wind.duration else None
        return PlayerStatus(
            state=self._state,
            index=index,
            item=item,
            position=self.position,
            duration=duration,
            volume=self._volume,
            output_level=float(self._master_level(self._frame)),
            next_item=self._items[upcoming]
            if upcoming is not None and not self._finish_after_current
            else None,
            finish_after_current=self._finish_after_current,
            wind_down_progress=progress,
            played=self._played,
            elapsed=self.elapsed,
            gain_db=voice.gain_db if voice else None,
        )

    @property
    def elapsed(self) -> float:
        """Seconds of output heard so far: the session's clock (pauses excluded)."""
        return min(self._output.started, self._frame) / self.rate

    @property
    def queued(self) -> float:
        """Seconds rendered and handed to the output but not begun: how late a command is
        heard."""
        return max(0, self._frame - self._output.started) / self.rate

    @property
    def position(self) -> float:
        """Seconds into the current item (0 until what was rendered of it is heard)."""
        if self._voices:
            started_at, offset = self._voices[-1].started_at, self._voices[-1].offset
        elif self._heard is not None:
            started_at, offset = self._heard
        else:
            return 0.0
        heard = min(self._output.started, self._frame)
        return max(0, heard - started_at + offset) / self.rate

    @property
    def volume(self) -> int:
        return self._volume

    # -- events ----------------------------------------------------------------------------

    def _emit(
        self,
        kind: EventKind,
        *,
        at: int = _NO_FRAME,
        start: tuple[int, int] | None = None,
        **fields: Any,
    ) -> None:
        index = fields.pop("index", self._order.current)
        item = fields.pop("item", None)
        if item is None and isinstance(index, int) and 0 <= index < len(self._items):
            item = self._items[index]
        self._events.append((at, PlayerEvent(kind, index=index, item=item, **fields), start))

    def _due_events(self) -> list[PlayerEvent]:
        """Events whose frame has begun to play (commands' answers at once)."""
        heard = self._output.started
        everything = self._state is PlayerState.FINISHED or self._output.idle()
        due, later = [], []
        for entry in self._events:
            at, event, start = entry
            if at == _NO_FRAME or at < heard or (everything and at <= self._frame):
                due.append(event)
                if start is not None:
                    self._heard = start
            else:
                later.append(entry)
        self._events = later
        return due

    # -- preparing and starting tracks -----------------------------------------------------

    def _prepare(self, index: int | None, *, forward: bool) -> _Prepared | None:
        """Open the item at ``index`` (or the next openable one in the direction); every item
        that fails is announced and marked, so the list plays on past it."""
        while index is not None:
            item = self._items[index]
            try:
                stream = open_stream(item.path, self.rate, repeat=item.repeat)
            except DecodeError as err:
                self._order.mark_failed(index)
                self._emit(EventKind.TRACK_FAILED, at=self._frame, index=index, reason=_reason(err))
                index = self._order.after(index) if forward else self._order.before(index)
                if index is None and not forward:
                    index, forward = self._order.after(None), True
                continue
            return _Prepared(index, item, stream, self._gain_db(item, stream))
        return None

    def _prepare_bed(self) -> _Prepared | None:
        """The soundscape bed that covers a session whose list ran out early."""
        if self._bed is None or self._bed_used:
            return None
        self._bed_used = True
        bed = self._bed if isinstance(self._bed, PlayItem) else self._bed()
        try:
            stream = open_stream(bed.path, self.rate, repeat=True)
        except DecodeError as err:
            self._emit(
                EventKind.TRACK_FAILED, at=self._frame, index=None, item=bed, reason=_reason(err)
            )
            return None
        return _Prepared(-1, bed, stream, self._gain_db(bed, stream))

    def _gain_db(self, item: PlayItem, stream: TrackStream) -> float:
        """Attenuation toward the session target, from measured loudness (the index's, else a
        bounded pre-scan now), never a boost: ``levels.gain_db`` is the one rule."""
        loudness = item.loudness_lufs
        if loudness is None and self._meter is not None:
            loudness = stream.prescan_loudness(self._meter)
        return levels.gain_db(loudness, self.target_lufs)

    def _start_voice(self, prepared: _Prepared, *, fade_frames: int, trim: bool) -> _Voice:
        offset = prepared.stream.skip_leading_silence() if trim else 0
        fade = Ramp(0.0, 1.0, self._frame, fade_frames, Curve.COSINE) if fade_frames else hold(1.0)
        voice = _Voice(
            index=prepared.index,
            item=prepared.item,
            stream=prepared.stream,
            gain=db_to_amplitude(prepared.gain_db),
            gain_db=prepared.gain_db,
            started_at=self._frame,
            offset=offset,
            fade=fade,
        )
        self._voices.append(voice)
        if prepared.index >= 0:
            self._order.current = prepared.index
        self._played += 1
        self._emit(
            EventKind.TRACK_STARTED,
            at=self._frame,
            start=(self._frame, offset),
            index=prepared.index if prepared.index >= 0 else None,
            item=prepared.item,
            position=offset / self.rate,
        )
        return voice

    def _jump(self, target: int | None, *, forward: bool) -> None:
        """Cross quickly from whatever sounds to ``target`` (next, previous, restart)."""
        if self._next is not None:
            self._next.stream.close()
            self._next = None
        fade = self._frames(SKIP_FADE)
        self._end_voices(EndReason.SKIPPED, fade=fade)
        prepared = self._prepare(target, forward=forward)
        if prepared is None:
            self._end_stream_at(self._frame + fade, FinishReason.END_OF_LIST)
            return
        if self._state is PlayerState.PAUSED:
            self.resume()
        self._start_voice(prepared, fade_frames=fade, trim=False)

    def _end_voices(self, how: EndReason, *, fade: int = 0) -> None:
        """Every sounding voice fades out over ``fade`` frames and is dropped."""
        for voice in self._voices:
            if voice.stop_at is None or voice.stop_at > self._frame + fade:
                level = voice.fade.level(self._frame)
                voice.fade = ramp_from(level, 0.0, self._frame, fade, Curve.COSINE)
                voice.stop_at = self._frame + fade
            voice.handed_over = True
            self._emit_ended(voice, how)

    def _emit_ended(self, voice: _Voice, how: EndReason) -> None:
        if voice.ended:
            return
        voice.ended = True
        position = voice.stream.position / self.rate
        index = voice.index if voice.index >= 0 else None
        self._emit(
            EventKind.TRACK_ENDED,
            at=self._frame,
            index=index,
            item=voice.item,
            ended=how,
            position=position,
        )

    def _end_stream_at(self, frame: int, reason: FinishReason) -> None:
        if self._final_at is None or frame < self._final_at:
            self._final_at = frame
            self._final_reason = reason

    def _finish_now(self, reason: FinishReason) -> None:
        how = EndReason.STOPPED if reason is FinishReason.STOPPED else EndReason.COMPLETED
        for voice in self._voices:
            self._emit_ended(voice, how)
            voice.stream.close()
        self._voices = []
        self._state = PlayerState.FINISHED
        self._emit(EventKind.FINISHED, at=self._frame, finished=reason)

    # -- rendering ------------------------------------------------------------------------

    def _frames(self, seconds: float) -> int:
        return max(0, round(seconds * self.rate))

    def _render(self, frames: int) -> np.ndarray:
        """The next ``frames`` of output (fewer when the stream halts or ends)."""
        import numpy as np

        out = np.zeros((frames, 2), dtype=np.float32)
        done = stalls = 0
        while done < frames:
            self._drop_finished_voices()
            self._transitions()
            self._drop_finished_voices()
            stop = min(x for x in (self._halt_at, self._final_at, _FAR) if x is not None)
            if self._frame >= stop:
                break
            step = min(frames - done, stop - self._frame, self._frames_to_next_event())
            if step <= 0:
                stalls += 1  # something changed exactly here: look again, but never forever
                if stalls < 64:
                    continue
                step = 1
            self._mix_into(out[done : done + step])
            done += step
            self._frame += step
        return out[:done]

    def _frames_to_next_event(self) -> int:
        """Frames until something changes: a voice stops, a handover is due, music ends."""
        if not self._voices and self._ending is None:
            return 0  # the list ran out: the stream ends here, not after a block of silence
        nearest = _FAR
        for voice in self._voices:
            if voice.stop_at is not None:
                nearest = min(nearest, voice.stop_at - self._frame)
        handover = self._handover_frame()
        if handover is not None:
            nearest = min(nearest, handover - self._frame)
        if self._ending is not None:
            for mark in self._ending[1:]:
                if mark > self._frame:
                    nearest = min(nearest, mark - self._frame)
        return max(nearest, 0)

    def _primary(self) -> _Voice | None:
        return self._voices[-1] if self._voices and not self._voices[-1].handed_over else None

    def _plan(self, voice: _Voice) -> tuple[int, bool]:
        """How many frames the voice overlaps its successor (or fades out over, when it is the
        last), and whether near-silence at the joint is trimmed first."""
        if self._is_last(voice):  # the last track fades out, over at most half its length
            left = voice.stream.remaining(trim_silence=True)
            length = _FAR if left is None else voice.stream.position + left
            return min(self._frames(self._end_fade), length // 2), True
        if self._next is not None and _same_album_in_order(voice.item, self._next.item):
            return 0, False  # gapless: the album continues as it was mastered
        crossfade = self._frames(self._crossfade)
        return crossfade, crossfade > 0

    def _handover_frame(self) -> int | None:
        """When the primary voice hands over (or starts its end fade), once its end is known."""
        voice = self._primary()
        if voice is None or voice.item.repeat:
            return None
        overlap, trim = self._plan(voice)
        self._fill(voice, overlap + self._frames(1.0))
        left = voice.stream.remaining(trim_silence=trim)
        if left is None:
            return None
        return self._frame + max(0, left - overlap)

    def _due_soon(self, voice: _Voice) -> bool:
        """The voice ends within a couple of seconds: time to open what follows (not earlier, so
        a file removed or fixed meanwhile is seen as it is when its turn comes)."""
        left = voice.stream.remaining()
        overlap, _trim = self._plan(voice)
        return left is not None and left <= overlap + self._frames(PREPARE_AHEAD)

    def _is_last(self, voice: _Voice) -> bool:
        if self._finish_after_current or voice.index < 0:
            return True
        if self._next is not None:
            return False  # a track, or the bed, is ready to follow
        return self._order.after(voice.index) is None and not self._bed_available()

    def _bed_available(self) -> bool:
        return self._bed is not None and not self._bed_used and self._ending is not None

    def _fill(self, voice: _Voice, frames: int) -> None:
        try:
            voice.stream.fill(frames)
        except DecodeError as err:
            voice.stream.eof = True  # play what was decoded, then move on
            self._emit(
                EventKind.TRACK_FAILED, at=self._frame, index=voice.index, reason=_reason(err)
            )

    def _transitions(self) -> None:
        """Start, hand over and end voices whose moment is now."""
        if self._ending is not None:
            _closing, music_end, end = self._ending
            if self._frame >= music_end and self._voices:
                self._end_voices(EndReason.COMPLETED)
                self._drop_finished_voices()
            if self._frame >= end:
                self._end_stream_at(self._frame, FinishReason.SESSION_END)
                return
            if self._frame >= music_end:
                return
        voice = self._primary()
        if voice is None:
            if not self._voices:
                self._after_list_ran_out()
            return
        handover = self._handover_frame()
        if handover is not None and handover <= self._frame:
            self._prepare_ahead()  # normally done between ticks; here only if it came late
            handover = self._handover_frame()
        if handover is None or handover > self._frame:
            return
        last = self._is_last(voice)
        overlap, trim = self._plan(voice)
        overlap = min(overlap, voice.stream.remaining(trim_silence=trim) or 0)
        curve = Curve.PERCEPTUAL if last else Curve.COSINE  # a crossfade's two gains add to one
        voice.handed_over = True
        voice.fade = ramp_from(voice.fade.level(self._frame), 0.0, self._frame, overlap, curve)
        voice.stop_at = self._frame + overlap  # its (trimmed) end
        if last or self._next is None:
            return  # the end fade: it stops, then the list has run out
        self._emit_ended(voice, EndReason.COMPLETED)
        nxt, self._next = self._next, None
        self._start_voice(nxt, fade_frames=overlap, trim=trim)

    def _after_list_ran_out(self) -> None:
        """Nothing sounds and nothing follows: the bed covers the session, or silence until the
        session's end, or the end of the stream."""
        if self._final_at is not None:
            return
        if self._ending is not None and not self._finish_after_current:
            bed = self._next or self._prepare_bed()
            self._next = None
            if bed is not None:
                self._start_voice(bed, fade_frames=self._frames(self._crossfade or 1.0), trim=False)
            return  # silence until the session's end
        if self._played == 0:
            reason = FinishReason.NOTHING_PLAYABLE
        elif self._finish_after_current:
            reason = FinishReason.FINISH_AFTER_CURRENT
        else:
            reason = FinishReason.END_OF_LIST
        self._end_stream_at(self._frame, reason)

    def _drop_finished_voices(self) -> None:
        kept = []
        for voice in self._voices:
            if voice.stop_at is not None and self._frame >= voice.stop_at:
                self._emit_ended(voice, EndReason.COMPLETED)
                voice.stream.close()
            else:
                kept.append(voice)
        self._voices = kept

    def _mix_into(self, out: np.ndarray) -> None:
        count = len(out)
        for voice in self._voices:
            try:
                samples = voice.stream.take(count)
            except DecodeError as err:
                voice.stream.eof = True
                voice.stop_at = self._frame
                self._emit(
                    EventKind.TRACK_FAILED, at=self._frame, index=voice.index, reason=_reason(err)
                )
                continue
            gain = voice.fade.levels(self._frame, len(samples)) * voice.gain
            if _is_scalar(gain):
                if gain:
                    out[: len(samples)] += samples * float(gain)
            else:
                out[: len(samples)] += samples * gain[:, None].astype("float32")
        master = self._master_levels(self._frame, count)
        if _is_scalar(master):
            if master != 1.0:
                out *= float(master)
        else:
            out *= master[:, None].astype("float32")

    def _master_levels(self, first: int, count: int):  # type: ignore[no-untyped-def]
        level = self._vol.levels(first, count)
        for ramp in (self._fade, self._pause, self._wind):
            level = level * ramp.levels(first, count)
        return level

    def _master_level(self, frame: int) -> float:
        level = self._master_levels(frame, 1)
        return float(level if _is_scalar(level) else level[0])


def _same_album_in_order(a: PlayItem, b: PlayItem) -> bool:
    """``b`` is the track right after ``a`` on the same album: play them gaplessly."""
    ta, tb = a.track, b.track
    if ta is None or tb is None:
        return False
    album_a, album_b = ta.tags.album, tb.tags.album
    if not album_a or album_a != album_b:
        return False
    artist_a = ta.tags.albumartist or ta.tags.artist
    artist_b = tb.tags.albumartist or tb.tags.artist
    if artist_a != artist_b:
        return False
    na, nb = ta.tags.tracknumber, tb.tags.tracknumber
    return na is not None and nb == na + 1


def _is_scalar(value: object) -> bool:
    return not hasattr(value, "shape") or value.shape == ()  # type: ignore[attr-defined]


def _reason(err: DecodeError) -> str:
    return err.reason


def _clamp_percent(value: int) -> int:
    return min(100, max(0, int(value)))


def null_player(items: Iterable[PlayItem] = (), **kwargs: Any) -> Player:
    """A player on the null output (no device): for tests of order, timing and PCM."""
    now: Callable[[], float] | None = kwargs.pop("now", None)
    record = kwargs.pop("record", False)
    rate = kwargs.pop("rate", 44100)
    output = NullOutput(rate, record=record, **({"now": now} if now else {}))
    return Player(items, output=output, **kwargs)
