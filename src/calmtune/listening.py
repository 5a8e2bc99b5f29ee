"""Listening events and verdicts: the words the session loop, the journal and the planner share
(docs/design.md, "Listening events"), and the journal's record of a session and how it ended.
Pure, standard library only, and kept out of ``models`` so that commands that never look at them
(``playlist build``, ``tracks``) do not define them at start-up (a NamedTuple or an enum costs
about 1M instructions to define: ``EndedBy`` and ``SessionRecord`` were 1.9M of the 274M of
`playlist build`, `python benchmarks/bench_playlist.py --instructions`).
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import NamedTuple


class PlayOutcome(StrEnum):
    """How one play of a track ended, as the journal keeps it (docs/music.md, "What calms you")."""

    FINISHED = "finished"  # heard to its end (also when ``f`` let it end the session)
    SKIPPED = "skipped"  # ``n`` (or ``b``, ban) before its end
    CUT = "cut"  # cut short by ``q``, a signal, or the session's own end
    BACK = "back"  # ``p`` went back to the track before: no verdict on this one


class Verdict(StrEnum):
    """The listener's explicit word on a track (``calmtune like``, ``calmtune ban``)."""

    LIKE = "like"
    BAN = "ban"


class ListeningSummary(NamedTuple):
    """What the journal says about one track across sessions (``calmtune show``)."""

    plays: int = 0  # times it started
    finished: int = 0
    skipped: int = 0
    cut: int = 0
    back: int = 0
    replayed: int = 0  # plays the listener asked for again with ``p``
    unknown: int = 0  # no outcome: playing now, from before outcomes were kept, or killed
    skipped_after: float | None = None  # median seconds heard before a skip
    last_played: float | None = None  # Unix time it last started


class EndedBy(StrEnum):
    """How a listening session ended (journal)."""

    COMPLETED = "completed"  # the duration or the playlist ran out
    FINISH_KEY = "finish-after-track"  # the listener asked to stop after the current track
    QUIT = "quit"  # the listener pressed q
    SIGINT = "sigint"
    SIGTERM = "sigterm"
    SIGHUP = "sighup"  # the terminal or the ssh connection closed
    REPLACED = "replaced"  # another session took over (--replace)
    ERROR = "error"
    RUNNING = "running"  # not ended yet, or the process died without a word


class SessionRecord(NamedTuple):
    """One listening session in the journal."""

    id: int | None
    started: float  # Unix time
    recipe: str
    ended: float | None = None
    ended_by: EndedBy = EndedBy.RUNNING
    stress_before: int | None = None  # 0..10
    stress_after: int | None = None
    tracks: Sequence[str] = ()  # paths, in the order played
    listened_seconds: float = 0.0

    @property
    def minutes(self) -> float | None:
        if self.ended is None:
            return None
        return round((self.ended - self.started) / 60, 1)
