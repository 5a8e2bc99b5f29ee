"""The tempo level chooser's weights, one per ``metre.FEATURES`` entry (generated).

Fitted as a conditional logit on the 600 pieces of the training set only
(benchmarks/corpus/build_training.py), never on the evaluation corpus. To refit after a
change of the features or the training set:

    python benchmarks/corpus/build_training.py
    python benchmarks/corpus/fit_levels.py --write
"""

LEVEL_WEIGHTS = (
    +0.2307,  # salience
    +0.2090,  # low_salience
    +0.2648,  # beat_strength
    +0.2601,  # low_beat_strength
    -0.1667,  # half_low_mid
    -0.1430,  # half_high
    -0.2493,  # subdivided
    -0.0477,  # mixed_grid
    +0.1346,  # alternation
    +0.0002,  # backbeat
    +0.0005,  # backbeat_half
    +0.0711,  # drop_faster
    -0.0610,  # gain_slower
    -0.0605,  # tempo_far
    +0.0944,  # tempo_log
    +0.2309,  # mid_salience
    +0.2329,  # high_salience
    +0.2595,  # mid_beat_strength
    +0.1004,  # drop_faster3
    -0.0443,  # gain_slower3
)
