"""The tempo level chooser's weights, one per ``metre.FEATURES`` entry (generated).

Fitted as a conditional logit on the 600 pieces of the training set only
(benchmarks/corpus/build_training.py), never on the evaluation corpus. To refit after a
change of the features or the training set:

    python benchmarks/corpus/build_training.py
    python benchmarks/corpus/fit_levels.py --write
"""

LEVEL_WEIGHTS = (
    +0.8690,  # salience
    +0.7876,  # low_salience
    +0.9975,  # beat_strength
    +0.9801,  # low_beat_strength
    -0.6281,  # half_low_mid
    -0.5387,  # half_high
    -0.9392,  # subdivided
    -0.1796,  # mixed_grid
    +0.5072,  # alternation
    +0.0006,  # backbeat
    +0.0017,  # backbeat_half
    +0.2678,  # drop_faster
    -0.2298,  # gain_slower
    -0.2280,  # tempo_far
    +0.3556,  # tempo_log
    +0.8701,  # mid_salience
    +0.8774,  # high_salience
    +0.9776,  # mid_beat_strength
    +0.3783,  # drop_faster3
    -0.1668,  # gain_slower3
)
