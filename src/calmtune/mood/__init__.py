"""The mood engine: a track's evidence -> calm/upbeat/focus scores, a verdict and its reasons.

Pure logic: standard library only, no I/O. See ``classify`` for how evidence is weighed and
``tables`` for every threshold, band and genre prior.
"""

from calmtune.mood.classify import classify
from calmtune.mood.settings import MoodSettings
from calmtune.mood.vocabulary import mood_from_word

__all__ = ["MoodSettings", "classify", "mood_from_word"]
