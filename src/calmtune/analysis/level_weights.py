"""The tempo level chooser's weights, one per ``metre.FEATURES`` entry (generated).

Fitted as a conditional logit on the 1000 pieces of the training set only
(benchmarks/corpus/build_training.py), never on the evaluation corpus. To refit after a
change of the features or the training set:

    python benchmarks/corpus/build_training.py
    python benchmarks/corpus/fit_levels.py --write
"""

LEVEL_WEIGHTS = (
    +1.2186,  # salience
    +0.9171,  # low_salience
    +0.6999,  # beat_strength
    +0.4365,  # low_beat_strength
    -0.7730,  # half_low_mid
    -0.3843,  # half_high
    -1.7948,  # subdivided
    -1.2365,  # mixed_grid
    +0.7091,  # alternation
    +3.6161,  # backbeat
    -0.8967,  # backbeat_half
    +0.2117,  # drop_faster
    -0.5690,  # gain_slower
    -0.2471,  # tempo_far
    +0.3049,  # tempo_log
    +1.3158,  # mid_salience
    +1.1017,  # high_salience
    +0.6046,  # mid_beat_strength
    +0.5247,  # drop_faster3
    -0.3289,  # gain_slower3
    -0.6717,  # snare_alternation
    -0.7548,  # snare_half
    -0.7733,  # kick_half
)
