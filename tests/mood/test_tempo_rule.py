"""One tempo rule (``models.effective_bpm``) for the views, the playlists (SQL) and the mood engine.

Every combination of a measured tempo (trusted, unsure, none, from an old analysis without a
confidence) and a BPM tag (none, 0, plausible, absurd) is stored in a real index; the tempo each
user of it sees must be the same.
"""

from __future__ import annotations

import itertools
import re

from calmtune.library import Library
from calmtune.models import Features, TagInfo, effective_bpm
from calmtune.mood import classify
from calmtune.mood.evidence import MoodEvidence
from calmtune.trackjson import track_to_json

MEASURED = [None, (72.0, 0.9), (144.0, 0.1), (101.0, None)]
TAGS = [None, 0.0, 66.0, 999.0]
TEMPO_IN_REASONS = re.compile(r"^(?:BPM tag|tempo) (\d+) BPM")


def _tempo_the_engine_used(evidence: MoodEvidence) -> float | None:
    used = [TEMPO_IN_REASONS.match(r) for r in classify(evidence).reasons]
    found = [float(m.group(1)) for m in used if m]
    assert len(found) <= 1, found
    return found[0] if found else None


def test_views_playlists_and_mood_use_the_same_tempo(tmp_path):
    cases = list(itertools.product(MEASURED, TAGS))
    with Library.open(tmp_path / "i.db") as lib:
        items = []
        for n, (_measured, tag) in enumerate(cases):
            items.append((f"/m/{n:02d}.flac", 10, 20, TagInfo("flac", duration=60, bpm=tag), None))
        lib.upsert_scanned(items)
        for n, (measured, _tag) in enumerate(cases):
            if measured is not None:
                bpm, confidence = measured
                features = Features(bpm=bpm, bpm_confidence=confidence, loudness_lufs=-20.0)
                lib.store_features(f"/m/{n:02d}.flac", 10, 20, features, None)
        sql = {row[0]: row[2] for row in lib.track_rows()}
        tracks = {t.path: t for t in lib.iter_tracks(sort="path")}
    for n, (measured, tag) in enumerate(cases):
        path = f"/m/{n:02d}.flac"
        track = tracks[path]
        rule, _source = effective_bpm(track.features, tag)
        assert sql[path] == rule, (measured, tag)
        assert track_to_json(track)["bpm"] == (None if rule is None else round(rule, 1))
        evidence = MoodEvidence(bpm_tag=tag, features=track.features)
        used = _tempo_the_engine_used(evidence)
        assert used == (None if rule is None else round(rule)), (measured, tag)
