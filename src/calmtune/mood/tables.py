"""Every number the mood engine uses, in one place, so a reader can audit the judgement.

The values follow docs/music.md ("Receptive music therapy" and "The three moods"). They were
chosen from the published ranges there and checked against the hand-written cases in
``tests/mood/``; the evaluation set in ``benchmarks/evaluate_mood.py`` is never used to tune them.

Scores are triples in the order (calm, upbeat, focus). Arousal and valence follow Russell's
circumplex and run 0..1 (0.5 is neutral).
"""

from __future__ import annotations

# --- Defaults of the user-adjustable knobs (see settings.MoodSettings) -------------------------

CALM_BPM = (60.0, 80.0)  # sedative music sits near a resting heart rate
FOCUS_BPM = (60.0, 120.0)  # a steady, moderate pulse
UPBEAT_BPM = (110.0, 140.0)  # "and above": above ~130 BPM counts as stimulating
CALM_LOUDNESS_LUFS = -20.0  # at or below this, loudness counts fully as calm
UPBEAT_LOUDNESS_LUFS = -11.0  # at or above this, loudness counts fully as upbeat
CONFIDENCE_THRESHOLD = 0.5  # below this the stored mood is "unknown"
GENRE_WEIGHT = 1.0  # multiplies every genre's strength; 0 switches genre evidence off

# --- Limits used to validate the knobs ----------------------------------------------------------

BPM_LIMITS = (20.0, 300.0)
LOUDNESS_LIMITS = (-70.0, 0.0)
GENRE_WEIGHT_LIMITS = (0.0, 5.0)

# --- How evidence is combined ----------------------------------------------------------------

# Scores are a weighted mean of the evidence with this much weight on "no evidence" (score 0), so
# a score also says how much evidence there is: one weak clue cannot reach a high score.
PRIOR_WEIGHT = 1.0
# Confidence = (support - opposition) / (CONFIDENCE_PRIOR + support + opposition), where each piece
# of evidence supports or opposes the chosen mood by how far its own score for that mood leads (or
# trails) its best other score: nothing within AMBIGUOUS_MARGIN (a source torn between two moods
# says nothing), in full from CLEAR_MARGIN, linear between.
CONFIDENCE_PRIOR = 1.0
AMBIGUOUS_MARGIN = 0.1
CLEAR_MARGIN = 0.35
# Opposition counts at this fraction: conflicting clues lower confidence, but a genre (1.5) against
# clear measured audio (about 5.5) cannot push a clear measurement below the threshold by itself.
OPPOSITION_FACTOR = 0.5

# Measured audio features: weight per mood (calm, upbeat, focus). Every one of them but the last
# survives a change of playback gain: a track's mood does not change when it is played louder,
# and mastering (-9 LUFS for a modern ballad, -16 for a 1970s rock record) is not mood. Their sum
# (about 7) is about five times a strong genre (1.5), so measured sound outranks genre and words.
FEATURE_WEIGHTS = {
    "tempo": (2.0, 2.0, 1.5),  # only a trusted tempo (models.TRUSTED_TEMPO_CONFIDENCE)
    "onset_density": (1.2, 1.0, 1.0),
    "onset_strength": (1.2, 1.0, 0.3),
    "percussive_share": (1.2, 1.0, 0.4),
    "spectral_flux": (0.8, 0.8, 0.4),
    "brightness": (0.6, 0.7, 0.3),
    "loudness_range": (0.5, 0.0, 0.7),
    # Analysis version 3; the three that told calm from intense best on the development set.
    "bass_share": (1.5, 1.0, 0.4),
    "low_percussive_share": (1.5, 1.0, 0.4),
    "tonal_clarity": (1.0, 0.6, 0.3),
    # Analysis version 4: tension, so it speaks against calm only: dissonance says nothing about
    # energy (upbeat) or steadiness (focus). Weighed 1.5 it gave 0.803 on the development set but
    # called one more intense track calm and cost the generated set 4 calm pieces (docs/music.md).
    "roughness": (1.0, 0.0, 0.0),
    # Analysis version 5: how much the sound's spectral shape changes over 4 s. Calm only: a moving
    # or held texture says nothing about energy (upbeat) or steadiness (focus). 3.0 is the weight
    # a moving texture has for calm; a held one counts less against it (CALM_WEIGHT_AGAINST).
    "texture_change": (3.0, 0.0, 0.0),
    "pulse": (0.0, 0.0, 1.0),  # a confident, steady beat is what focus music needs
}
# Features that count only against calm: a value that reads calm adds no calm weight (audio.py).
# Hard attacks are not calm (drums, accents), but soft ones are no sign of calm: orchestral battle
# music is often legato (Wesnoth's battle pieces on the development set measure softer attacks
# than most of its calm tracks), and so is quiet, tense combat music. On the development set this
# raised the calm-score AUC from 0.798 to 0.814 (per game: none lower; chosen in every
# leave-one-game-out fold) and left the generated set as it was (docs/music.md).
AGAINST_CALM_ONLY = frozenset({"onset_strength"})
# Features whose calm weight depends on which way they read: the FEATURE_WEIGHTS calm weight where
# the value reads calm (curve 1), this weight where it reads not calm (curve 0), linear between.
# Texture change: harmony and voicing that keep moving are a sign of calm in full, but a texture
# held bar after bar is weaker evidence against calm, since repetition is sedative in a drone or a
# lullaby and driving only in an ostinato or a loop. On the development set every
# leave-one-game-out fold chose (3.0, 1.5) among calm weights 0-4 and against weights 0-2 whose
# generated set kept 1 wrong verdict and 60% right (docs/music.md).
CALM_WEIGHT_AGAINST = {"texture_change": 1.5}
# The absolute level (LUFS) says more about the mastering and the playback gain than the mood, so
# it never moves the mood scores: it only nudges the arousal estimate (AROUSAL_SCALES).
# Tempo counts by how sure the estimator was: nothing at the trusted threshold
# (models.TRUSTED_TEMPO_CONFIDENCE), rising linearly to full weight at this confidence, so that a
# confidence jittering around the threshold cannot flip a mood.
TEMPO_FULL_WEIGHT_CONFIDENCE = 0.7
TEMPO_RELIABILITY_UNKNOWN = 0.7  # bpm measured by an old analysis, confidence not recorded
# A BPM tag is someone else's estimate (often a DJ tool's, which may double slow music).
BPM_TAG_FACTOR = 0.6
# A mood tag calmtune wrote earlier stands in for the evidence it came from, until re-measured.
CALMTUNE_TAG_WEIGHT = 3.0
# Mood words another tagger wrote that choose no mood but count for or against some ("Aggressive",
# "Not relaxed", "Sad"): this weight per whole word. The user's word also vetoes a mood it counts
# against: classify never chooses it.
USER_WORD_WEIGHT = 3.0

# Curves as (x, y) breakpoints, linear between and flat outside, for (calm, upbeat, focus).
# Tempo and loudness curves are built from the knobs in settings.py; these do not depend on them.
# Their ends follow DOMAIN rules (sedative: sparse, soft attacks, legato, dark, even) and sit
# inside the spread each feature shows on real music (see docs/music.md, "How calmtune decides").
ONSET_DENSITY_CURVES = (  # onsets per second
    ((1.0, 1.0), (4.0, 0.0)),
    ((1.5, 0.0), (5.0, 1.0)),
    ((0.3, 0.3), (1.5, 1.0), (4.0, 1.0), (7.0, 0.2)),
)
# The three measurements below are new with analysis version 2. Their curves follow one rule, set
# without any label: calm is 1 at the 20th percentile of the feature over 66 unlabelled real
# soundtrack tracks (90 s of each of the unlabelled rows of benchmarks/data/soundtrack_moods.tsv
# and of Drascula's music) and 0 at the 80th; upbeat the reverse; focus is 1 between the 30th and
# 70th percentiles, 0.5 at the 10th, 0.4 at the 90th.
ONSET_STRENGTH_CURVES = (  # median rise at the onsets, dB averaged over bands
    ((5.75, 1.0), (11.04, 0.0)),
    ((5.75, 0.0), (11.04, 1.0)),
    ((4.19, 0.5), (6.87, 1.0), (9.74, 1.0), (12.38, 0.4)),
)
PERCUSSIVE_SHARE_CURVES = (  # share of the power in short broadband hits
    ((0.12, 1.0), (0.41, 0.0)),
    ((0.12, 0.0), (0.41, 1.0)),
    ((0.08, 0.5), (0.16, 1.0), (0.35, 1.0), (0.5, 0.4)),
)
SPECTRAL_FLUX_CURVES = (  # mean rise per band and frame, dB (codec noise, near-silence left out)
    ((1.48, 1.0), (2.34, 0.0)),
    ((1.48, 0.0), (2.34, 1.0)),
    ((1.34, 0.5), (1.66, 1.0), (2.15, 1.0), (2.43, 0.4)),
)
BRIGHTNESS_CURVES = (  # spectral centroid, Hz
    ((1200.0, 1.0), (3000.0, 0.0)),
    ((1200.0, 0.0), (3000.0, 1.0)),
    ((800.0, 0.6), (1500.0, 1.0), (2500.0, 1.0), (4000.0, 0.4)),
)
LOUDNESS_RANGE_CURVES = (  # LU; big swings are neither sedative nor good for focus
    ((6.0, 1.0), (15.0, 0.0)),
    ((6.0, 0.5), (15.0, 0.5)),
    ((6.0, 1.0), (14.0, 0.0)),
)
# The three measurements below are new with analysis version 3. They and their direction were
# chosen on the DEVELOPMENT set (benchmarks/data/dev_moods.tsv, benchmarks/study_mood_features.py:
# per-feature AUC there 0.79 for bass share, 0.80 for the low percussive share, 0.71 for tonal
# clarity); their curves follow the rule above, with the percentiles of the 56 development
# tracks at -14 LUFS, labels unused. The held-out report set (soundtrack_moods.tsv) set nothing.
BASS_SHARE_CURVES = (  # share of the power under 150 Hz: kick, timpani, taiko, low brass
    ((0.124, 1.0), (0.588, 0.0)),
    ((0.124, 0.0), (0.588, 1.0)),
    ((0.046, 0.5), (0.218, 1.0), (0.498, 1.0), (0.676, 0.4)),
)
LOW_PERCUSSIVE_SHARE_CURVES = (  # share of the power in short hits in the bands under 250 Hz
    ((0.019, 1.0), (0.216, 0.0)),
    ((0.019, 0.0), (0.216, 1.0)),
    ((0.005, 0.5), (0.045, 1.0), (0.163, 1.0), (0.317, 0.4)),
)
TONAL_CLARITY_CURVES = (  # dB the spectrum's peaks stand over its valleys: clear tones vs noise
    ((18.1, 0.0), (25.8, 1.0)),
    ((18.1, 1.0), (25.8, 0.0)),
    ((16.0, 0.4), (19.5, 1.0), (24.4, 1.0), (29.0, 0.5)),
)
# Analysis version 4 (analysis/roughness.py): sensory dissonance, how much the partials sounding
# together beat against each other; tense music is rough even when it is quiet, soft in attack and
# has no drums, where the measures above read calm. Chosen on the DEVELOPMENT set (AUC 0.84 there,
# the best single measure; within each game with both labels 0.76 to 1.00), curved by the same
# percentile rule over the 56 development tracks at -14 LUFS, labels unused.
ROUGHNESS_CURVES = (
    ((0.0074, 1.0), (0.0119, 0.0)),
    ((0.0074, 0.0), (0.0119, 1.0)),
    ((0.0065, 0.5), (0.0083, 1.0), (0.0108, 1.0), (0.0149, 0.4)),
)
# Analysis version 5 (analysis/change.py): how different the spectral shape is from 4 s earlier,
# loudness changes left out. Calm music moves (chords change, a melody wanders over held notes);
# intense game music holds one texture (ostinati, drum and bass loops, pedal and tremolo) even when
# it is soft. Chosen on the DEVELOPMENT set (AUC 0.87 there, the best single measure; 0ad and
# Singularity 1.00, Wesnoth 0.90, SuperTux 0.69); curved by the percentile rule over the 56
# development tracks at -14 LUFS, labels unused.
TEXTURE_CHANGE_CURVES = (  # dB per band: the spectral shape now against 4 s earlier
    ((5.94, 0.0), (8.22, 1.0)),
    ((5.94, 1.0), (8.22, 0.0)),
    ((5.27, 0.5), (6.37, 1.0), (7.97, 1.0), (8.34, 0.4)),
)
# The peak-to-loudness ratio (Features.peak_to_loudness) is measured and shown but not weighed: it
# is low for brick-walled loud masters and just as low for sustained pads and drones, so it does
# not tell calm from intense (found on the generator's pad pieces).
# How sure calmtune is that a steady pulse was found, from the tempo confidence: 0 at the trusted
# threshold (models.TRUSTED_TEMPO_CONFIDENCE), rising to 1 at 0.8. The pulse counts for focus at
# that share of its weight and the missing pulse against focus at the rest, so nothing steps at the
# threshold (docs/music.md, "How calmtune decides a mood", item 3). The end, 0.8, was kept from
# the earlier curve after 0.6 was tried against it on the generated mood set and the real
# development set.
PULSE_CURVE = ((0.3, 0.0), (0.8, 1.0))  # bpm_confidence -> focus

# Arousal from features: each feature scaled to 0..1 between these ends, then a weighted mean.
AROUSAL_SCALES = {
    "tempo": (50.0, 150.0, 2.0),
    "onset_density": (0.0, 7.0, 1.2),
    "onset_strength": (4.19, 12.38, 1.2),
    "percussive_share": (0.08, 0.5, 1.2),
    "spectral_flux": (1.34, 2.43, 0.8),
    "brightness": (800.0, 4000.0, 0.5),
    "bass_share": (0.046, 0.676, 1.0),
    "low_percussive_share": (0.005, 0.317, 1.0),
    "roughness": (0.0065, 0.0149, 1.0),
    "loudness": (-30.0, -6.0, 0.3),
}
# Valence from measured tempo alone is a weak cue (mode is the strong one and is not measured).
TEMPO_VALENCE = (0.35, 0.3, 0.5)  # valence = a + b * tempo_scaled, with this weight

# --- Keys: mode is the classic valence cue -------------------------------------------------------

KEY_VALENCE = {"major": 0.62, "minor": 0.38}
KEY_VALENCE_WEIGHT = 1.0

# --- Mood prototypes: where a mood sits on the circumplex, and how a mood label votes ------------

MOOD_PROTOTYPE_SCORES = {
    "calm": (1.0, 0.0, 0.4),
    "upbeat": (0.0, 1.0, 0.1),
    "focus": (0.4, 0.1, 1.0),
}
MOOD_PROTOTYPE_AROUSAL_VALENCE = {
    "calm": (0.2, 0.6),
    "upbeat": (0.8, 0.75),
    "focus": (0.45, 0.55),
}
USER_MOOD_AV_WEIGHT = 2.0

# --- Genre priors ----------------------------------------------------------------------------------

# Strength says how much one genre name tells about a single track. Broad labels ("Rock",
# "Classical", "Soundtrack") hold everything from lullabies to battle music.
STRONG = 1.5  # specific: alone it just reaches the default threshold (confidence about 0.6)
NORMAL = 0.9  # alone it stays below the threshold (0.47): needs a second clue that agrees
BROAD = 0.6  # barely informative

# key: genre name lower-cased with everything but letters and digits removed ("&" -> "and").
# value: (calm, upbeat, focus, arousal, valence, strength)
GENRE_PRIORS: dict[str, tuple[float, float, float, float, float, float]] = {
    # sedative
    "ambient": (0.9, 0.05, 0.6, 0.15, 0.55, STRONG),
    "darkambient": (0.7, 0.05, 0.4, 0.2, 0.3, NORMAL),
    "newage": (0.9, 0.05, 0.5, 0.15, 0.65, STRONG),
    "meditation": (0.95, 0.0, 0.4, 0.1, 0.6, STRONG),
    "meditative": (0.95, 0.0, 0.4, 0.1, 0.6, STRONG),
    "relaxation": (0.95, 0.0, 0.4, 0.1, 0.65, STRONG),
    "relaxing": (0.95, 0.0, 0.4, 0.1, 0.65, STRONG),
    "sleep": (0.95, 0.0, 0.3, 0.05, 0.55, STRONG),
    "spa": (0.9, 0.05, 0.4, 0.15, 0.65, STRONG),
    "yoga": (0.9, 0.05, 0.4, 0.15, 0.65, STRONG),
    "lullaby": (0.95, 0.0, 0.2, 0.05, 0.7, STRONG),
    "lullabies": (0.95, 0.0, 0.2, 0.05, 0.7, STRONG),
    "naturesounds": (0.85, 0.0, 0.5, 0.1, 0.6, STRONG),
    "nature": (0.8, 0.05, 0.5, 0.15, 0.6, NORMAL),
    "fieldrecording": (0.75, 0.05, 0.5, 0.15, 0.55, NORMAL),
    "soundscape": (0.8, 0.05, 0.55, 0.15, 0.55, NORMAL),
    "whitenoise": (0.8, 0.0, 0.7, 0.1, 0.5, NORMAL),
    "drone": (0.8, 0.0, 0.5, 0.15, 0.4, NORMAL),
    "space": (0.75, 0.1, 0.55, 0.2, 0.55, NORMAL),
    "dream": (0.7, 0.1, 0.5, 0.2, 0.6, NORMAL),
    "downtempo": (0.75, 0.15, 0.6, 0.3, 0.55, NORMAL),
    "chillout": (0.8, 0.15, 0.6, 0.3, 0.65, NORMAL),
    "chill": (0.8, 0.15, 0.6, 0.3, 0.65, NORMAL),
    "chillwave": (0.7, 0.25, 0.55, 0.35, 0.65, NORMAL),
    "lounge": (0.7, 0.25, 0.5, 0.35, 0.65, NORMAL),
    "easylistening": (0.75, 0.2, 0.4, 0.3, 0.7, NORMAL),
    "acoustic": (0.7, 0.2, 0.5, 0.3, 0.6, NORMAL),
    "piano": (0.8, 0.05, 0.7, 0.2, 0.55, NORMAL),
    "solopiano": (0.85, 0.05, 0.7, 0.2, 0.55, NORMAL),
    "choral": (0.8, 0.05, 0.4, 0.2, 0.55, NORMAL),
    "chorus": (0.7, 0.1, 0.3, 0.25, 0.55, BROAD),
    "sacred": (0.8, 0.05, 0.4, 0.2, 0.55, NORMAL),
    "chant": (0.85, 0.0, 0.5, 0.15, 0.5, NORMAL),
    "gregorian": (0.85, 0.0, 0.5, 0.15, 0.5, NORMAL),
    "slowjam": (0.7, 0.15, 0.2, 0.3, 0.55, NORMAL),
    "ballad": (0.7, 0.15, 0.2, 0.3, 0.5, NORMAL),
    "powerballad": (0.5, 0.35, 0.1, 0.45, 0.5, NORMAL),
    "slowrock": (0.55, 0.3, 0.2, 0.35, 0.5, NORMAL),
    "softrock": (0.5, 0.45, 0.2, 0.45, 0.65, NORMAL),
    "smoothjazz": (0.75, 0.2, 0.5, 0.3, 0.65, NORMAL),
    "cooljazz": (0.7, 0.2, 0.6, 0.3, 0.55, NORMAL),
    "bossanova": (0.75, 0.3, 0.5, 0.35, 0.7, NORMAL),
    "dub": (0.5, 0.35, 0.5, 0.4, 0.6, BROAD),
    "vaporwave": (0.55, 0.2, 0.6, 0.35, 0.5, NORMAL),
    "indiefolk": (0.6, 0.3, 0.35, 0.35, 0.55, NORMAL),
    "nativeamerican": (0.6, 0.3, 0.4, 0.35, 0.55, NORMAL),
    "celtic": (0.55, 0.4, 0.4, 0.4, 0.6, BROAD),
    # focus: instrumental, steady
    "lofi": (0.6, 0.15, 0.9, 0.35, 0.55, STRONG),
    "lofihiphop": (0.55, 0.15, 0.9, 0.35, 0.55, STRONG),
    "lofibeats": (0.55, 0.15, 0.9, 0.35, 0.55, STRONG),
    "chillhop": (0.55, 0.2, 0.85, 0.4, 0.6, STRONG),
    "jazzhop": (0.55, 0.2, 0.85, 0.4, 0.6, STRONG),
    "studybeats": (0.5, 0.1, 0.95, 0.35, 0.55, STRONG),
    "study": (0.4, 0.1, 0.95, 0.35, 0.55, STRONG),
    "studymusic": (0.4, 0.1, 0.95, 0.35, 0.55, STRONG),
    "focus": (0.4, 0.1, 0.95, 0.35, 0.55, STRONG),
    "concentration": (0.4, 0.1, 0.95, 0.35, 0.55, STRONG),
    "postrock": (0.4, 0.25, 0.8, 0.45, 0.45, NORMAL),
    "minimal": (0.55, 0.15, 0.85, 0.3, 0.5, NORMAL),
    "minimalism": (0.55, 0.1, 0.85, 0.3, 0.5, NORMAL),
    "minimaltechno": (0.15, 0.65, 0.75, 0.65, 0.5, NORMAL),
    "instrumental": (0.5, 0.25, 0.8, 0.4, 0.55, NORMAL),
    "neoclassical": (0.75, 0.05, 0.75, 0.25, 0.5, NORMAL),
    "modernclassical": (0.7, 0.1, 0.75, 0.3, 0.5, NORMAL),
    "contemporaryclassical": (0.6, 0.15, 0.7, 0.35, 0.45, NORMAL),
    "postclassical": (0.75, 0.05, 0.75, 0.25, 0.5, NORMAL),
    "baroque": (0.5, 0.3, 0.8, 0.45, 0.6, NORMAL),
    "chambermusic": (0.65, 0.15, 0.6, 0.3, 0.55, NORMAL),
    "chamber": (0.65, 0.15, 0.6, 0.3, 0.55, NORMAL),
    "sonata": (0.55, 0.25, 0.6, 0.4, 0.55, BROAD),
    "etude": (0.4, 0.3, 0.75, 0.45, 0.5, NORMAL),
    "triphop": (0.6, 0.2, 0.6, 0.35, 0.4, NORMAL),
    "idm": (0.3, 0.4, 0.7, 0.55, 0.5, NORMAL),
    "krautrock": (0.2, 0.6, 0.6, 0.6, 0.5, NORMAL),
    "shoegaze": (0.55, 0.3, 0.55, 0.4, 0.5, NORMAL),
    "dreampop": (0.6, 0.3, 0.5, 0.35, 0.6, NORMAL),
    "deephouse": (0.3, 0.6, 0.6, 0.6, 0.65, NORMAL),
    "synthwave": (0.2, 0.75, 0.6, 0.65, 0.65, NORMAL),
    "retrowave": (0.2, 0.75, 0.6, 0.65, 0.65, NORMAL),
    "outrun": (0.15, 0.8, 0.55, 0.7, 0.65, NORMAL),
    "progressiverock": (0.25, 0.6, 0.45, 0.6, 0.5, NORMAL),
    "progrock": (0.25, 0.6, 0.45, 0.6, 0.5, NORMAL),
    "symphonicrock": (0.25, 0.6, 0.4, 0.6, 0.55, NORMAL),
    # broad, mixed
    "classical": (0.6, 0.2, 0.6, 0.35, 0.55, BROAD),
    "romanticclassical": (0.55, 0.25, 0.5, 0.45, 0.5, BROAD),
    "romantic": (0.55, 0.25, 0.5, 0.45, 0.5, BROAD),
    "classicalcrossover": (0.55, 0.3, 0.45, 0.4, 0.6, BROAD),
    "orchestral": (0.45, 0.35, 0.5, 0.5, 0.5, BROAD),
    "symphony": (0.45, 0.35, 0.5, 0.5, 0.5, BROAD),
    "opera": (0.35, 0.4, 0.15, 0.55, 0.5, BROAD),
    "soundtrack": (0.45, 0.35, 0.55, 0.45, 0.5, BROAD),
    "score": (0.45, 0.35, 0.55, 0.45, 0.5, BROAD),
    "filmscore": (0.45, 0.35, 0.55, 0.45, 0.5, BROAD),
    "ost": (0.45, 0.35, 0.55, 0.45, 0.5, BROAD),
    "game": (0.35, 0.5, 0.55, 0.55, 0.55, BROAD),
    "gamemusic": (0.35, 0.5, 0.55, 0.55, 0.55, BROAD),
    "videogame": (0.35, 0.5, 0.55, 0.55, 0.55, BROAD),
    "chiptune": (0.1, 0.8, 0.45, 0.75, 0.7, NORMAL),
    "anime": (0.3, 0.6, 0.3, 0.6, 0.65, BROAD),
    "jazz": (0.5, 0.4, 0.5, 0.45, 0.6, BROAD),
    "vocaljazz": (0.55, 0.35, 0.15, 0.4, 0.6, BROAD),
    "vocal": (0.55, 0.35, 0.1, 0.4, 0.6, BROAD),
    "acapella": (0.55, 0.3, 0.05, 0.4, 0.6, BROAD),
    "blues": (0.45, 0.4, 0.3, 0.45, 0.4, BROAD),
    "folk": (0.55, 0.3, 0.35, 0.4, 0.55, BROAD),
    "singersongwriter": (0.6, 0.2, 0.3, 0.35, 0.55, BROAD),
    "world": (0.45, 0.4, 0.3, 0.45, 0.6, BROAD),
    "ethnic": (0.45, 0.4, 0.3, 0.45, 0.6, BROAD),
    "experimental": (0.35, 0.35, 0.35, 0.5, 0.45, BROAD),
    "avantgarde": (0.35, 0.35, 0.35, 0.5, 0.45, BROAD),
    "psychedelic": (0.4, 0.45, 0.4, 0.5, 0.55, BROAD),
    "electronic": (0.3, 0.6, 0.4, 0.6, 0.6, BROAD),
    "electronica": (0.35, 0.55, 0.45, 0.55, 0.6, BROAD),
    "chanson": (0.55, 0.35, 0.2, 0.4, 0.5, BROAD),
    "gospel": (0.45, 0.5, 0.15, 0.5, 0.75, BROAD),
    "christian": (0.45, 0.5, 0.15, 0.5, 0.75, BROAD),
    "worship": (0.55, 0.4, 0.15, 0.45, 0.75, BROAD),
    "contemporarychristian": (0.45, 0.5, 0.15, 0.5, 0.75, BROAD),
    "children": (0.4, 0.6, 0.05, 0.55, 0.8, BROAD),
    "kids": (0.4, 0.6, 0.05, 0.55, 0.8, BROAD),
    "christmas": (0.4, 0.55, 0.1, 0.5, 0.8, BROAD),
    "holiday": (0.4, 0.55, 0.1, 0.5, 0.8, BROAD),
    "musical": (0.25, 0.65, 0.1, 0.6, 0.75, BROAD),
    "showtunes": (0.25, 0.65, 0.1, 0.6, 0.75, BROAD),
    "oldies": (0.35, 0.6, 0.15, 0.55, 0.7, BROAD),
    "retro": (0.35, 0.6, 0.15, 0.55, 0.7, BROAD),
    "country": (0.35, 0.55, 0.15, 0.55, 0.65, BROAD),
    "reggae": (0.4, 0.55, 0.2, 0.5, 0.75, BROAD),
    "soul": (0.35, 0.55, 0.2, 0.55, 0.6, BROAD),
    "rnb": (0.35, 0.55, 0.2, 0.55, 0.6, BROAD),
    "randb": (0.35, 0.55, 0.2, 0.55, 0.6, BROAD),
    "rhythmandblues": (0.35, 0.55, 0.2, 0.55, 0.6, BROAD),
    "pop": (0.2, 0.75, 0.15, 0.65, 0.75, BROAD),
    "indie": (0.25, 0.6, 0.25, 0.6, 0.55, BROAD),
    "indiepop": (0.3, 0.6, 0.25, 0.55, 0.7, BROAD),
    "alternative": (0.25, 0.6, 0.25, 0.6, 0.5, BROAD),
    "rock": (0.15, 0.75, 0.15, 0.75, 0.55, BROAD),
    "hiphop": (0.1, 0.75, 0.2, 0.7, 0.55, BROAD),
    "rap": (0.1, 0.75, 0.15, 0.7, 0.5, BROAD),
    "tango": (0.3, 0.55, 0.2, 0.6, 0.45, BROAD),
    "bollywood": (0.2, 0.75, 0.1, 0.7, 0.75, BROAD),
    "gothic": (0.3, 0.5, 0.3, 0.55, 0.25, BROAD),
    "darkwave": (0.3, 0.5, 0.3, 0.55, 0.25, NORMAL),
    "bebop": (0.2, 0.6, 0.4, 0.65, 0.6, NORMAL),
    "hardbop": (0.2, 0.6, 0.4, 0.65, 0.6, NORMAL),
    "fusion": (0.2, 0.65, 0.4, 0.65, 0.65, NORMAL),
    "jazzfunk": (0.2, 0.7, 0.35, 0.65, 0.7, NORMAL),
    "acidjazz": (0.25, 0.65, 0.4, 0.6, 0.7, NORMAL),
    # stimulating
    "dance": (0.05, 0.95, 0.1, 0.85, 0.8, NORMAL),
    "edm": (0.05, 0.95, 0.1, 0.9, 0.75, STRONG),
    "eurodance": (0.05, 0.95, 0.05, 0.85, 0.8, STRONG),
    "eurotechno": (0.05, 0.9, 0.3, 0.85, 0.65, NORMAL),
    "club": (0.05, 0.95, 0.1, 0.85, 0.75, NORMAL),
    "disco": (0.05, 0.95, 0.05, 0.8, 0.85, STRONG),
    "nudisco": (0.05, 0.9, 0.15, 0.75, 0.8, NORMAL),
    "funk": (0.1, 0.9, 0.15, 0.75, 0.8, NORMAL),
    "house": (0.1, 0.9, 0.35, 0.8, 0.75, NORMAL),
    "techhouse": (0.1, 0.85, 0.4, 0.8, 0.65, NORMAL),
    "progressivehouse": (0.15, 0.8, 0.5, 0.75, 0.7, NORMAL),
    "techno": (0.1, 0.85, 0.5, 0.8, 0.55, NORMAL),
    "trance": (0.1, 0.85, 0.45, 0.8, 0.7, NORMAL),
    "progressivetrance": (0.15, 0.8, 0.5, 0.75, 0.7, NORMAL),
    "psytrance": (0.05, 0.9, 0.35, 0.9, 0.6, STRONG),
    "goa": (0.05, 0.9, 0.35, 0.9, 0.6, NORMAL),
    "acid": (0.05, 0.85, 0.3, 0.85, 0.55, NORMAL),
    "acidhouse": (0.05, 0.9, 0.3, 0.85, 0.65, NORMAL),
    "rave": (0.0, 0.95, 0.05, 0.9, 0.7, STRONG),
    "drumandbass": (0.05, 0.9, 0.4, 0.9, 0.6, STRONG),
    "drumnbass": (0.05, 0.9, 0.4, 0.9, 0.6, STRONG),
    "dnb": (0.05, 0.9, 0.4, 0.9, 0.6, STRONG),
    "jungle": (0.05, 0.9, 0.3, 0.9, 0.6, NORMAL),
    "liquidfunk": (0.2, 0.75, 0.55, 0.7, 0.7, NORMAL),
    "dubstep": (0.05, 0.85, 0.1, 0.9, 0.4, STRONG),
    "brostep": (0.0, 0.9, 0.05, 0.95, 0.4, STRONG),
    "breakbeat": (0.05, 0.9, 0.2, 0.85, 0.65, NORMAL),
    "bigbeat": (0.05, 0.9, 0.15, 0.85, 0.7, NORMAL),
    "ukgarage": (0.1, 0.85, 0.2, 0.8, 0.7, NORMAL),
    "grime": (0.05, 0.85, 0.1, 0.85, 0.4, NORMAL),
    "bass": (0.05, 0.85, 0.1, 0.85, 0.55, NORMAL),
    "hardstyle": (0.0, 1.0, 0.0, 0.95, 0.6, STRONG),
    "hardcore": (0.0, 0.95, 0.0, 0.95, 0.45, STRONG),
    "hardcoretechno": (0.0, 1.0, 0.0, 0.95, 0.5, STRONG),
    "happyhardcore": (0.0, 1.0, 0.0, 0.95, 0.85, STRONG),
    "gabber": (0.0, 1.0, 0.0, 1.0, 0.4, STRONG),
    "electropop": (0.1, 0.85, 0.15, 0.75, 0.8, NORMAL),
    "electro": (0.1, 0.8, 0.3, 0.75, 0.65, NORMAL),
    "synthpop": (0.15, 0.8, 0.25, 0.7, 0.7, NORMAL),
    "dancepop": (0.05, 0.95, 0.05, 0.85, 0.85, STRONG),
    "kpop": (0.1, 0.85, 0.1, 0.75, 0.8, NORMAL),
    "jpop": (0.15, 0.8, 0.1, 0.7, 0.8, NORMAL),
    "cpop": (0.2, 0.75, 0.1, 0.65, 0.75, NORMAL),
    "europop": (0.1, 0.85, 0.1, 0.75, 0.8, NORMAL),
    "teenpop": (0.1, 0.85, 0.05, 0.75, 0.85, NORMAL),
    "top40": (0.1, 0.85, 0.1, 0.75, 0.8, NORMAL),
    "britpop": (0.15, 0.8, 0.15, 0.7, 0.7, NORMAL),
    "newwave": (0.15, 0.75, 0.2, 0.7, 0.6, NORMAL),
    "classicrock": (0.1, 0.8, 0.1, 0.75, 0.6, NORMAL),
    "hardrock": (0.05, 0.9, 0.05, 0.85, 0.55, NORMAL),
    "rockandroll": (0.05, 0.9, 0.05, 0.8, 0.8, NORMAL),
    "rocknroll": (0.05, 0.9, 0.05, 0.8, 0.8, NORMAL),
    "southernrock": (0.1, 0.8, 0.1, 0.75, 0.65, NORMAL),
    "punk": (0.02, 0.95, 0.02, 0.9, 0.5, STRONG),
    "punkrock": (0.02, 0.95, 0.02, 0.9, 0.5, STRONG),
    "poppunk": (0.05, 0.9, 0.05, 0.85, 0.7, STRONG),
    "postpunk": (0.1, 0.75, 0.2, 0.7, 0.4, NORMAL),
    "emo": (0.15, 0.7, 0.1, 0.7, 0.3, NORMAL),
    "grunge": (0.05, 0.85, 0.05, 0.85, 0.35, NORMAL),
    "garage": (0.05, 0.85, 0.05, 0.85, 0.6, NORMAL),
    "garagerock": (0.05, 0.85, 0.05, 0.85, 0.6, NORMAL),
    "ska": (0.05, 0.9, 0.05, 0.8, 0.8, STRONG),
    "skapunk": (0.02, 0.95, 0.02, 0.9, 0.75, STRONG),
    "metal": (0.02, 0.85, 0.05, 0.95, 0.3, STRONG),
    "heavymetal": (0.02, 0.85, 0.05, 0.95, 0.35, STRONG),
    "thrashmetal": (0.0, 0.9, 0.0, 1.0, 0.3, STRONG),
    "deathmetal": (0.0, 0.85, 0.0, 1.0, 0.2, STRONG),
    "blackmetal": (0.0, 0.85, 0.0, 1.0, 0.2, STRONG),
    "metalcore": (0.0, 0.9, 0.0, 1.0, 0.3, STRONG),
    "numetal": (0.02, 0.9, 0.02, 0.95, 0.3, STRONG),
    "powermetal": (0.0, 0.95, 0.0, 0.95, 0.6, STRONG),
    "industrial": (0.05, 0.8, 0.1, 0.85, 0.25, NORMAL),
    "trap": (0.05, 0.85, 0.1, 0.8, 0.45, NORMAL),
    "gangsta": (0.05, 0.8, 0.1, 0.8, 0.4, NORMAL),
    "gangstarap": (0.05, 0.8, 0.1, 0.8, 0.4, NORMAL),
    "reggaeton": (0.05, 0.95, 0.05, 0.85, 0.8, STRONG),
    "dancehall": (0.05, 0.9, 0.05, 0.85, 0.8, NORMAL),
    "afrobeat": (0.05, 0.9, 0.1, 0.8, 0.8, NORMAL),
    "afrobeats": (0.05, 0.9, 0.1, 0.8, 0.8, NORMAL),
    "latin": (0.1, 0.85, 0.05, 0.75, 0.8, NORMAL),
    "salsa": (0.05, 0.95, 0.05, 0.85, 0.85, STRONG),
    "samba": (0.05, 0.95, 0.05, 0.85, 0.85, STRONG),
    "merengue": (0.05, 0.95, 0.05, 0.85, 0.85, STRONG),
    "cumbia": (0.05, 0.9, 0.05, 0.8, 0.85, NORMAL),
    "polka": (0.05, 0.9, 0.0, 0.75, 0.85, NORMAL),
    "swing": (0.1, 0.85, 0.2, 0.7, 0.8, NORMAL),
    "bigband": (0.1, 0.85, 0.2, 0.7, 0.8, NORMAL),
    "bluegrass": (0.2, 0.7, 0.15, 0.7, 0.75, NORMAL),
    "cabaret": (0.3, 0.6, 0.05, 0.55, 0.65, BROAD),
    "tribal": (0.2, 0.7, 0.3, 0.7, 0.55, NORMAL),
    "trailer": (0.1, 0.7, 0.2, 0.85, 0.45, NORMAL),
    "workout": (0.0, 1.0, 0.0, 0.95, 0.75, STRONG),
    "fitness": (0.0, 1.0, 0.0, 0.95, 0.75, STRONG),
    "party": (0.0, 1.0, 0.0, 0.9, 0.85, STRONG),
    # spoken word: no receptive mood fits, so it votes against all three
    "speech": (0.05, 0.05, 0.05, 0.4, 0.5, NORMAL),
    "spokenword": (0.05, 0.05, 0.05, 0.4, 0.5, NORMAL),
    "audiobook": (0.05, 0.05, 0.1, 0.35, 0.5, NORMAL),
    "podcast": (0.05, 0.05, 0.05, 0.45, 0.5, NORMAL),
    "comedy": (0.05, 0.2, 0.0, 0.55, 0.8, NORMAL),
    "humour": (0.05, 0.2, 0.0, 0.55, 0.8, NORMAL),
    "humor": (0.05, 0.2, 0.0, 0.55, 0.8, NORMAL),
}

# Spellings that mean a genre above: normalised key -> key in GENRE_PRIORS.
GENRE_ALIASES = {
    "drumandbasss": "drumandbass",
    "dandb": "drumandbass",
    "dnb": "drumandbass",
    "lofihiphopbeats": "lofihiphop",
    "lowfi": "lofi",
    "chilledout": "chillout",
    "chillouts": "chillout",
    "newagemusic": "newage",
    "ambientmusic": "ambient",
    "hiphoprap": "hiphop",
    "rapandhiphop": "hiphop",
    "hiphopandrap": "hiphop",
    "rb": "rnb",
    "rhythmblues": "rnb",
    "jazzandfunk": "jazzfunk",
    "alternrock": "alternative",
    "alternativerock": "alternative",
    "altrock": "alternative",
    "indierock": "indie",
    "electronicdance": "edm",
    "electronicdancemusic": "edm",
    "soundtracks": "soundtrack",
    "originalsoundtrack": "soundtrack",
    "filmsoundtrack": "soundtrack",
    "moviesoundtrack": "soundtrack",
    "videogamemusic": "gamemusic",
    "neoclassic": "neoclassical",
    "modernclassic": "modernclassical",
    "romanticera": "romanticclassical",
    "romanticperiod": "romanticclassical",
    "classicalromantic": "romanticclassical",
    "classicalmusic": "classical",
    "symphonic": "orchestral",
    "chambermusics": "chambermusic",
    "acappella": "acapella",
    "singersongwriters": "singersongwriter",
    "newagerelaxation": "relaxation",
    "easy": "easylistening",
    "kpops": "kpop",
    "koreanpop": "kpop",
    "japanesepop": "jpop",
    "instrumentalpop": "instrumental",
    "instrumentalrock": "postrock",
    "folkrock": "folk",
    "popfolk": "folk",
    "nationalfolk": "folk",
    "folklore": "folk",
    "eurohouse": "house",
    "clubhouse": "house",
    "technoindustrial": "industrial",
    "popfunk": "funk",
    "fastfusion": "fusion",
    "bebob": "bebop",
    "dancehalls": "dancehall",
    "christianrap": "hiphop",
    "christiangangstarap": "hiphop",
    "christianrock": "rock",
    "polskpunk": "punk",
    "acidpunk": "punk",
    "gothicrock": "gothic",
    "psychedelicrock": "psychedelic",
    "progressive": "progressiverock",
    "rockroll": "rockandroll",
    "rockandrolls": "rockandroll",
    "synthpops": "synthpop",
    "meditations": "meditation",
    "sleepmusic": "sleep",
    "lullabys": "lullabies",
    "noise": "experimental",
    "freestyle": "hiphop",
    "beat": "pop",
    "revival": "oldies",
    "primus": "rock",
    "crossover": "classicalcrossover",
    "slowjams": "slowjam",
    "spokenwords": "spokenword",
}

# Labels that say nothing about the music: recognised, so they are not reported as unknown.
GENRE_NON_INFORMATIVE = frozenset(
    {"other", "unknown", "misc", "miscellaneous", "genre", "none", "various", "soundclip",
     "pranks", "cult", "duet", "drumsolo", "satire", "porngroove", "bootybass", "terror",
     "negerpunk", "rhythmicsoul", "powerballads"}
)  # fmt: skip

# ID3v1 genre numbers (with Winamp's extensions) as written "(26)" or "26" by old taggers.
ID3V1_GENRES = (
    "Blues", "Classic Rock", "Country", "Dance", "Disco", "Funk", "Grunge", "Hip-Hop", "Jazz",
    "Metal", "New Age", "Oldies", "Other", "Pop", "R&B", "Rap", "Reggae", "Rock", "Techno",
    "Industrial", "Alternative", "Ska", "Death Metal", "Pranks", "Soundtrack", "Euro-Techno",
    "Ambient", "Trip-Hop", "Vocal", "Jazz+Funk", "Fusion", "Trance", "Classical", "Instrumental",
    "Acid", "House", "Game", "Sound Clip", "Gospel", "Noise", "AlternRock", "Bass", "Soul", "Punk",
    "Space", "Meditative", "Instrumental Pop", "Instrumental Rock", "Ethnic", "Gothic", "Darkwave",
    "Techno-Industrial", "Electronic", "Pop-Folk", "Eurodance", "Dream", "Southern Rock",
    "Comedy", "Cult", "Gangsta", "Top 40", "Christian Rap", "Pop/Funk", "Jungle",
    "Native American", "Cabaret", "New Wave", "Psychedelic", "Rave", "Showtunes", "Trailer",
    "Lo-Fi", "Tribal", "Acid Punk", "Acid Jazz", "Polka", "Retro", "Musical", "Rock & Roll",
    "Hard Rock", "Folk", "Folk-Rock", "National Folk", "Swing", "Fast Fusion", "Bebob", "Latin",
    "Revival", "Celtic", "Bluegrass", "Avantgarde", "Gothic Rock", "Progressive Rock",
    "Psychedelic Rock", "Symphonic Rock", "Slow Rock", "Big Band", "Chorus", "Easy Listening",
    "Acoustic", "Humour", "Speech", "Chanson", "Opera", "Chamber Music", "Sonata", "Symphony",
    "Booty Bass", "Primus", "Porn Groove", "Satire", "Slow Jam", "Club", "Tango", "Samba",
    "Folklore", "Ballad", "Power Ballad", "Rhythmic Soul", "Freestyle", "Duet", "Punk Rock",
    "Drum Solo", "A capella", "Euro-House", "Dance Hall", "Goa", "Drum & Bass", "Club-House",
    "Hardcore Techno", "Terror", "Indie", "BritPop", "Other", "Polsk Punk", "Beat",
    "Christian Gangsta Rap", "Heavy Metal", "Black Metal", "Crossover", "Contemporary Christian",
    "Christian Rock", "Merengue", "Salsa", "Thrash Metal", "Anime", "Jpop", "Synthpop",
)  # fmt: skip

# --- Words in titles and albums --------------------------------------------------------------------

# A word class: (calm, upbeat, focus, arousal, valence). Word weights: how much one word says.
CALM_WORD = (0.9, 0.05, 0.4, 0.15, 0.6)
UPBEAT_WORD = (0.05, 0.9, 0.15, 0.85, 0.75)
FOCUS_WORD = (0.4, 0.1, 0.9, 0.4, 0.55)
LIVE_WORD = (0.2, 0.6, 0.1, 0.65, 0.65)  # crowd noise and applause: neither sedative nor steady
STRONG_WORD = 0.8
NORMAL_WORD = 0.5
WEAK_WORD = 0.3
ALBUM_WORD_FACTOR = 0.7  # an album word speaks for a dozen tracks, a title word for one
WORDS_MAX_WEIGHT = 1.2  # many words are still only words

TITLE_WORDS: dict[str, tuple[tuple[float, float, float, float, float], float]] = {
    **dict.fromkeys(
        ("lullaby", "lullabies", "berceuse", "wiegenlied", "cradle", "sleep", "sleeping",
         "asleep", "slumber", "meditation", "meditations", "relaxation", "relaxing", "yoga",
         "mindfulness", "soothing", "nocturne", "nocturnes", "gymnopedie", "gymnopédie"),
        (CALM_WORD, STRONG_WORD),
    ),
    **dict.fromkeys(
        ("calm", "calming", "peaceful", "serene", "serenity", "tranquil", "tranquility",
         "gentle", "quiet", "relax", "breathe", "breathing", "adagio", "adagietto",
         "largo", "larghetto", "lento", "reverie", "rêverie", "spa", "ambient",
         "unplugged", "acoustic"),
        (CALM_WORD, NORMAL_WORD),
    ),
    **dict.fromkeys(
        ("rain", "rainfall", "ocean", "waves", "forest", "dream", "dreams",
         "dreaming", "moonlight", "lullabye", "piano", "softly", "slow"),
        (CALM_WORD, WEAK_WORD),
    ),
    **dict.fromkeys(
        ("workout", "cardio", "gym", "party", "rave", "hype"),
        (UPBEAT_WORD, STRONG_WORD),
    ),
    **dict.fromkeys(
        ("remix", "rmx", "club", "dance", "dancefloor", "running", "energy",
         "allegro", "presto", "prestissimo", "vivace", "vivo", "anthem", "bootleg", "dub"),
        (UPBEAT_WORD, NORMAL_WORD),
    ),
    **dict.fromkeys(("edit", "mix", "extended", "fiesta", "toccata", "march", "allegretto"),
                    (UPBEAT_WORD, WEAK_WORD)),
    **dict.fromkeys(
        ("study", "studying", "focus", "concentration", "coding", "lofi"),
        (FOCUS_WORD, STRONG_WORD),
    ),
    **dict.fromkeys(("instrumental", "reading", "working", "beats"),
                    (FOCUS_WORD, NORMAL_WORD)),
    **dict.fromkeys(("andante", "andantino", "moderato", "etude", "étude", "fugue", "invention"),
                    (FOCUS_WORD, WEAK_WORD)),
    "live": (LIVE_WORD, NORMAL_WORD),
}  # fmt: skip

# Two-word phrases, checked before single words ("white noise" is not a "noise" track).
TITLE_PHRASES: dict[str, tuple[tuple[float, float, float, float, float], float]] = {
    "white noise": ((0.8, 0.0, 0.7, 0.1, 0.5), STRONG_WORD),
    "brown noise": ((0.8, 0.0, 0.7, 0.1, 0.5), STRONG_WORD),
    "pink noise": ((0.8, 0.0, 0.7, 0.1, 0.5), STRONG_WORD),
    "lo fi": (FOCUS_WORD, STRONG_WORD),
    "deep sleep": (CALM_WORD, STRONG_WORD),
    "wind down": (CALM_WORD, STRONG_WORD),
    "chill out": (CALM_WORD, NORMAL_WORD),
    "deep focus": (FOCUS_WORD, STRONG_WORD),
    "radio edit": (UPBEAT_WORD, WEAK_WORD),
    "club mix": (UPBEAT_WORD, NORMAL_WORD),
}

# These words describe a version, not the piece: they count only in a title's qualifier,
# "Song (Live)", "Song [Remix]", "Song - Acoustic", or in an album title such as "Live at ...".
QUALIFIER_ONLY_WORDS = frozenset(
    {"live", "edit", "mix", "remix", "rmx", "extended", "dub", "acoustic", "unplugged",
     "instrumental", "bootleg", "club"}
)  # fmt: skip
