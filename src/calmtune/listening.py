"""Listening events and verdicts: the words the session loop, the journal and the planner share
(docs/design.md, "Listening events"). Pure, standard library only, and kept out of ``models`` so
that commands that never look at them (``playlist build``, ``tracks``) do not define them at
start-up (a NamedTuple or an enum costs about 1M instructions to define).
"""

from __future__ import annotations

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
