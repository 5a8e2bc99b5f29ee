from calmtune.models import TRUSTED_TEMPO_CONFIDENCE, Features, effective_bpm


def test_effective_bpm_is_a_trusted_measurement_then_a_plausible_tag():
    assert effective_bpm(Features(bpm=66.0, bpm_confidence=0.8), 132.0) == (66.0, "analysis")
    assert effective_bpm(Features(bpm=132.0, bpm_confidence=0.1), 66.0) == (66.0, "tag")
    # An unsure measurement is not used anywhere, even without a tag.
    assert effective_bpm(Features(bpm=132.0, bpm_confidence=0.1), None) == (None, None)
    threshold = Features(bpm=99.0, bpm_confidence=TRUSTED_TEMPO_CONFIDENCE)
    assert effective_bpm(threshold, None) == (99.0, "analysis")
    assert effective_bpm(Features(bpm=None), 70.0) == (70.0, "tag")
    assert effective_bpm(None, 0) == (None, None)  # a BPM tag of 0 means none
    assert effective_bpm(None, 999.0) == (None, None)  # not a tempo
    assert effective_bpm(Features(bpm=90.0), None) == (90.0, "analysis")  # old analysis


def test_replaygain_from_loudness_uses_the_18_lufs_reference():
    assert Features(loudness_lufs=-23.0).replaygain_track_gain == 5.0
    assert Features().replaygain_track_gain is None


def test_peak_to_loudness_ratio():
    assert Features(peak_dbfs=-1.0, loudness_lufs=-14.0).peak_to_loudness == 13.0
    assert Features(peak_dbfs=-1.0).peak_to_loudness is None
