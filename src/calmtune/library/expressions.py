"""SQL expressions over ``tracks t LEFT JOIN features f`` that several queries share.

Their own module so that ``index`` (sorting, listing) and ``query_sql`` (query terms) both use
them without importing each other.
"""

from __future__ import annotations

from calmtune.models import TEMPO_CONFIDENCE_OVER_TAG

# An analysis result counts only for the file contents it was measured on.
CURRENT_FEATURES = "f.size = t.size AND f.mtime_ns = t.mtime_ns AND f.error IS NULL"
# models.effective_bpm in SQL: the measured tempo unless it is unsure and the file has a BPM tag.
EFFECTIVE_BPM = (
    f"CASE WHEN {CURRENT_FEATURES} AND f.bpm > 0 AND (NULLIF(t.tag_bpm, 0) IS NULL "
    f"OR f.bpm_confidence IS NULL OR f.bpm_confidence >= {TEMPO_CONFIDENCE_OVER_TAG}) "
    "THEN f.bpm ELSE NULLIF(t.tag_bpm, 0) END"
)
# The measured loudness, only for the file contents it was measured on (what ``tracks`` shows).
CURRENT_LOUDNESS = f"CASE WHEN {CURRENT_FEATURES} THEN f.loudness_lufs END"
