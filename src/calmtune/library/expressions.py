"""SQL expressions over ``tracks t LEFT JOIN features f`` that several queries share.

Their own module so that ``index`` (sorting, listing) and ``query_sql`` (query terms) both use
them without importing each other.
"""

from __future__ import annotations

from calmtune.models import PLAUSIBLE_BPM, TRUSTED_TEMPO_CONFIDENCE

# An analysis result counts only for the file contents it was measured on.
CURRENT_FEATURES = "f.size = t.size AND f.mtime_ns = t.mtime_ns AND f.error IS NULL"
# models.effective_bpm in SQL: a trusted measurement (confidence at least the threshold, or none
# recorded), else a plausible BPM tag, else NULL.
EFFECTIVE_BPM = (
    f"CASE WHEN {CURRENT_FEATURES} AND f.bpm > 0 AND (f.bpm_confidence IS NULL "
    f"OR f.bpm_confidence >= {TRUSTED_TEMPO_CONFIDENCE}) THEN f.bpm "
    f"WHEN t.tag_bpm BETWEEN {PLAUSIBLE_BPM[0]} AND {PLAUSIBLE_BPM[1]} THEN t.tag_bpm END"
)
# The measured loudness, only for the file contents it was measured on (what ``tracks`` shows).
CURRENT_LOUDNESS = f"CASE WHEN {CURRENT_FEATURES} THEN f.loudness_lufs END"
