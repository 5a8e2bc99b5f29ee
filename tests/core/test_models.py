from calmtune.models import Features, effective_bpm


def test_effective_bpm_prefers_a_confident_measurement_then_the_tag():
    assert effective_bpm(Features(bpm=66.0, bpm_confidence=0.8), 132.0) == (66.0, "analysis")
    assert effective_bpm(Features(bpm=132.0, bpm_confidence=0.1), 66.0) == (66.0, "tag")
    assert effective_bpm(Features(bpm=132.0, bpm_confidence=0.1), None) == (132.0, "analysis")
    assert effective_bpm(Features(bpm=None), 70.0) == (70.0, "tag")
    assert effective_bpm(None, 0) == (None, None)  # a BPM tag of 0 means none
    assert effective_bpm(Features(bpm=90.0), None) == (90.0, "analysis")


def test_replaygain_from_loudness_uses_the_18_lufs_reference():
    assert Features(loudness_lufs=-23.0).replaygain_track_gain == 5.0
    assert Features().replaygain_track_gain is None
