"""A listening session: timers, fades, wind-down, check-in, journal, single-instance lock, signals.

No printing and no rich or click here: the CLI wires a display from ``calmtune.ui`` in.

Public API::

    from calmtune.session import Session, SessionLock, SignalFlags, session_timing
    from calmtune.session.sources import recipe_items, resolve_sources, soundscape_items

    with SessionLock(state_dir / "session.lock") as lock, SignalFlags() as signals:  # exit 5
        with Player(playable.items, volume=80, target_lufs=-23, crossfade=3) as player:
            result = Session(player, timing, label="calm", journal=library.journal,
                             reporter=view, keys=keys, signals=signals).run()
"""

from calmtune.session.controls import HINT, Command, Request, command_for
from calmtune.session.lock import SessionLock
from calmtune.session.rules import SessionTiming, fit_timing, session_timing
from calmtune.session.runner import Remote, Reporter, Session, SessionResult
from calmtune.session.signals import SignalFlags
from calmtune.session.snapshot import NowPlaying, SessionSnapshot

__all__ = [
    "HINT",
    "Command",
    "NowPlaying",
    "Remote",
    "Reporter",
    "Request",
    "Session",
    "SessionLock",
    "SessionResult",
    "SessionSnapshot",
    "SessionTiming",
    "SignalFlags",
    "command_for",
    "fit_timing",
    "session_timing",
]
