"""Audio analysis: decode to PCM at the file's own rate, measure tempo, loudness and energy.

Public API (imported lazily, so ``import calmtune.analysis`` does not load numpy):

- ``analyze_file(path) -> Features``: one file; raises AnalysisError with a one-line reason.
- ``analyze_many(paths, jobs=None, on_result=None) -> int``: worker processes, one callback per
  file in the main process: ``on_result(path, features_or_None, error_or_None)``.
- ``analyze_samples(samples, rate) -> Features``: the same measurements on an in-memory array.
- ``integrated_loudness(samples, rate) -> float | None`` (LUFS, ITU-R BS.1770-4),
  ``loudness_range_of(samples, rate) -> float | None`` (LU, EBU Tech 3342),
  ``estimate_tempo(samples, rate) -> (bpm | None, confidence)``.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "analyze_file": "calmtune.analysis.features",
    "analyze_samples": "calmtune.analysis.features",
    "analyze_blocks": "calmtune.analysis.features",
    "analyze_many": "calmtune.analysis.pool",
    "analyze_one": "calmtune.analysis.pool",
    "integrated_loudness": "calmtune.analysis.loudness",
    "loudness_range_of": "calmtune.analysis.loudness",
    "estimate_tempo": "calmtune.analysis.tempo",
    "onset_density": "calmtune.analysis.onsets",
}

__all__ = [
    "analyze_blocks",
    "analyze_file",
    "analyze_many",
    "analyze_one",
    "analyze_samples",
    "estimate_tempo",
    "integrated_loudness",
    "loudness_range_of",
    "onset_density",
]

if TYPE_CHECKING:
    from calmtune.analysis.features import analyze_blocks, analyze_file, analyze_samples
    from calmtune.analysis.loudness import integrated_loudness, loudness_range_of
    from calmtune.analysis.onsets import onset_density
    from calmtune.analysis.pool import analyze_many, analyze_one
    from calmtune.analysis.tempo import estimate_tempo


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'calmtune.analysis' has no attribute {name!r}")
    return getattr(import_module(module), name)
