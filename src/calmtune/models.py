"""Plain data shared by every part of calmtune. Standard library only.

The records are NamedTuples: immutable values (a changed copy comes from ``_replace``). They are
not frozen dataclasses because of start-up time. Frozen dataclasses for these records and for
those of config.py, playlists/recipe.py, playlists/builder.py and playlists/m3u.py (defined at
import) were counted at 243M -> 279M instructions (+15%) for `calmtune tracks --limit 1`, against
172M for `import click`, and 282M -> 347M (+23%) for `playlist build calm` on 100,000 tracks
(`python benchmarks/bench_startup.py --instructions`, `python benchmarks/bench_playlist.py
--instructions`, December 2026).

This module, and those that define NamedTuples on the way of `playlist build` (config.py,
playlists/recipe.py, select.py, builder.py, m3u.py), do not use
``from __future__ import annotations``: typing.NamedTuple turns each annotation that is a string
into a ``ForwardRef``, which ``compile()``s it. The 172 fields on the path of `playlist build`
cost 9.8M of its 287M instructions that way (`python benchmarks/bench_playlist.py
--instructions`, December 2026). An annotation naming a class defined later is quoted.
"""

from collections.abc import Sequence
from enum import StrEnum
from typing import NamedTuple


class Mood(StrEnum):
    CALM = "calm"
    UPBEAT = "upbeat"
    FOCUS = "focus"
    UNKNOWN = "unknown"


class MoodSource(StrEnum):
    """Where a track's mood comes from. The values are the ``mood_source`` of the JSON contract.

    Two of the three are calmtune's own inferences; they differ in whether the file says so:

    - ``USER`` ("user"): a mood the user chose, in calmtune (``tag --mood``) or in any other
      tagger (a mood tag calmtune did not write). It wins over everything.
    - ``WRITTEN_BY_CALMTUNE`` ("calmtune"): calmtune inferred this mood earlier and wrote it into
      the file (``calmtune tag``), and the file's provenance key says so; the evidence now agrees.
    - ``INFERRED`` ("inferred"): calmtune inferred this mood from the evidence and has not written
      it into the file (``calmtune tag`` would).
    """

    USER = "user"
    WRITTEN_BY_CALMTUNE = "calmtune"
    INFERRED = "inferred"


class TagInfo(NamedTuple):
    """What a file's own tags and stream info say. ``None`` means the file does not say."""

    format: str  # short lower-case name: mp3, flac, ogg, opus, m4a, wav, aiff, wma, wv, ape ...
    duration: float | None = None
    sample_rate: int | None = None
    channels: int | None = None
    bitrate: int | None = None  # bits per second
    title: str | None = None
    artist: str | None = None
    album: str | None = None
    albumartist: str | None = None
    genre: str | None = None
    tracknumber: int | None = None
    bpm: float | None = None
    key: str | None = None
    mood: str | None = None  # the raw mood text as stored in the file
    mood_by_calmtune: bool = False  # the file's provenance key says calmtune wrote this mood
    replaygain_track_gain: float | None = None  # dB
    replaygain_track_peak: float | None = None  # linear
    replaygain_album_gain: float | None = None
    replaygain_album_peak: float | None = None
    year: int | None = None  # of the recording or release, from the date tag


# Bump when the analysis measures something new that the mood engine weighs: results of an older
# analysis are then measured again by the next `calmtune analyze` (version 2: onset strength,
# spectral flux, percussive share; version 3: bass share, low percussive share, tonal clarity, and
# level-relative floors, so every measure but the loudness is the same at any playback gain;
# version 4: roughness; version 5: texture change; version 6: the tempo's level choice reads
# strong band envelopes, so tempi and their confidence change).
ANALYSIS_VERSION = 6


class Features(NamedTuple):
    """Measured audio features (analysis). ``None`` means not measured."""

    bpm: float | None = None
    bpm_confidence: float | None = None  # 0..1
    loudness_lufs: float | None = None  # integrated, ITU-R BS.1770-4
    peak_dbfs: float | None = None
    loudness_range: float | None = None  # LU (EBU R128 LRA)
    onset_density: float | None = None  # onsets per second
    brightness: float | None = None  # spectral centroid, Hz
    onset_strength: float | None = None  # mean rise at the onsets, dB (averaged over bands)
    spectral_flux: float | None = None  # mean rise per frame over the whole track, dB
    percussive_share: float | None = None  # 0..1: power in short broadband hits
    bass_share: float | None = None  # 0..1: power under 150 Hz
    tonal_clarity: float | None = None  # dB: spectral peaks over valleys (inverse flatness)
    low_percussive_share: float | None = None  # 0..1: power in short hits under 250 Hz
    roughness: float | None = None  # sensory dissonance of the partials (0 for a pure tone)
    texture_change: float | None = None  # dB per band: spectral shape now vs 4 s earlier
    silent: bool = False

    @property
    def peak_to_loudness(self) -> float | None:
        """Peak-to-loudness ratio (PLR, dB): the sample peak over the integrated loudness. Loud,
        compressed masters sit near 8-10 dB, dynamic soft recordings near 18-25 dB."""
        if self.peak_dbfs is None or self.loudness_lufs is None:
            return None
        return round(self.peak_dbfs - self.loudness_lufs, 2)

    @property
    def replaygain_track_gain(self) -> float | None:
        """ReplayGain 2.0 track gain: the -18 LUFS reference minus the measured loudness."""
        if self.loudness_lufs is None:
            return None
        return round(-18.0 - self.loudness_lufs, 2)


# A measured tempo is trusted (shown, planned with, weighed for mood, written by `tag --bpm`)
# only when the estimator's confidence reaches this; below it the estimator could not choose
# between two metrical levels, and calmtune does not lean on that tempo anywhere.
TRUSTED_TEMPO_CONFIDENCE = 0.3
# `calmtune tag --bpm` writes a measured tempo into a file only at this confidence or above: other
# players and DJ tools read that tag and cannot know how sure calmtune was.
BPM_TAG_MIN_CONFIDENCE = 0.5
# A BPM tag outside this range is not a tempo (a typo, or a DJ tool's junk) and is ignored.
PLAUSIBLE_BPM = (20.0, 300.0)


def effective_bpm(
    features: Features | None, tag_bpm: float | None
) -> tuple[float | None, str | None]:
    """The one tempo calmtune uses, and where it came from ("analysis" or "tag").

    A trusted measurement first (confidence at least TRUSTED_TEMPO_CONFIDENCE; a measurement
    without a confidence, from an old analysis, counts as trusted), else a plausible BPM tag, else
    none. A tag of 0 means none. The views, the playlists (``Library.track_rows`` applies the same
    rule in SQL) and the mood engine all call this; a test keeps them equal.
    """
    if features is not None and features.bpm and features.bpm > 0:
        confidence = features.bpm_confidence
        if confidence is None or confidence >= TRUSTED_TEMPO_CONFIDENCE:
            return features.bpm, "analysis"
    if tag_bpm and PLAUSIBLE_BPM[0] <= tag_bpm <= PLAUSIBLE_BPM[1]:
        return tag_bpm, "tag"
    return None, None


class MoodScores(NamedTuple):
    """The mood engine's verdict for one track."""

    calm: float
    upbeat: float
    focus: float
    arousal: float | None
    valence: float | None
    mood: Mood
    confidence: float
    source: MoodSource
    reasons: Sequence[str] = ()  # plain sentences, one per line when shown


class Track(NamedTuple):
    """One indexed file: its identity, its tags, its features and its mood."""

    path: str
    size: int
    mtime_ns: int
    tags: TagInfo
    features: Features | None = None
    scores: MoodScores | None = None
    playable: bool = True
    id: int | None = None
    user_mood: str | None = None  # a mood the user chose in calmtune for this track (index only)
    damage: str | None = None  # why the file looks damaged ("truncated: ..."), None when whole
