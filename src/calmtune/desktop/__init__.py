"""The desktop's media controls: MPRIS2 on the D-Bus session bus, while a session plays.

The only package that imports the D-Bus library (jeepney), and only inside
``desktop.service``, which the CLI loads when a session starts playing. Public API::

    from calmtune.desktop import NoSessionBus, start_media_controls

    bridge = start_media_controls(cache_dir)   # NoSessionBus: cron, ssh, a container
    Session(..., remote=bridge).run()          # media keys send the session's own commands
    bridge.close()
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from calmtune.desktop.bus import NoSessionBus

if TYPE_CHECKING:
    from calmtune.desktop.service import MprisBridge


def start_media_controls(cache_dir: Path) -> MprisBridge:
    """Offer MPRIS2 as ``org.mpris.MediaPlayer2.calmtune`` (``.instanceN`` when that is taken).
    Raises ``NoSessionBus`` when there is no session bus."""
    from calmtune.desktop.service import MprisBridge

    return MprisBridge.start(cache_dir)


__all__ = ["NoSessionBus", "start_media_controls"]
