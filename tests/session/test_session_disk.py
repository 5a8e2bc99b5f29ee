"""A whole ``calmtune relax`` through SDL's disk driver: the PCM it wrote is what was heard."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
from session_helpers import RATE, run

from audiofiles import read_pcm, rms_db


def test_relax_disk_output_winds_down_into_silence(isolated_home: Path, tmp_path: Path) -> None:
    from calmtune.playback.soundscape import ensure_soundscape

    rendered = ensure_soundscape(tmp_path / "render")
    (isolated_home / "cache").mkdir()
    shutil.copy(rendered, isolated_home / "cache" / rendered.name)
    # A short fade-in (settings win over the recipe's 5 s) keeps the ramps apart in 6 s.
    (isolated_home / "settings.toml").write_text("[playback]\nfade_in = 0.5\n")
    raw = tmp_path / "out.raw"
    done = run(
        isolated_home,
        "relax",
        "--duration",
        "6s",
        "--wind-down",
        "3s",
        "--no-ui",
        SDL_AUDIODRIVER="disk",
        SDL_DISKAUDIOFILE=str(raw),
    )
    assert done.returncode == 0, done.stderr
    pcm = read_pcm(raw)
    loud = np.nonzero(np.abs(pcm) > 1e-4)[0]
    assert len(loud) > 0, "silent output"
    start, end = loud[0], loud[-1]
    # 6 s session = 5.4 s of music + 0.6 s closing silence (a tenth of the session).
    assert 4.9 <= (end - start) / RATE <= 6.0
    assert (len(pcm) - start) / RATE >= 5.8
    before = pcm[start + int(0.7 * RATE) : start + int(2.3 * RATE)]  # after the fade-in
    late_wind = pcm[start + int(4.2 * RATE) : start + int(5.2 * RATE)]
    assert rms_db(late_wind) < rms_db(before) - 10
    tail = pcm[-int(0.3 * RATE) :]
    assert np.max(np.abs(tail)) < 1e-3  # it ends in silence
