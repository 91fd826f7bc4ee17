"""The report's verdicts on the performance targets (bench/render.py) reject what they must: a
median short of the goal is never "yes", and "at best only" needs a repetition that meets it. Run
by CTest (bench.report_verdicts_reject_short_medians) with pytest."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import render  # noqa: E402  (beside this file)


def test_a_median_short_of_the_goal_is_not_met():
    assert render.target_met(3.94, 3.99, 4.0) == "no"
    assert render.target_met(0.39, 0.48, 0.8) == "no"
    assert render.target_met(0.79, None, 0.8) == "no"


def test_only_a_repetition_at_the_goal_is_met_at_best_only():
    assert render.target_met(3.94, 4.3, 4.0) == "at best only"
    assert render.target_met(0.79, 0.8, 0.8) == "at best only"


def test_a_median_at_the_goal_is_met():
    assert render.target_met(4.0, None, 4.0) == "yes"
    assert render.target_met(4.02, 4.62, 4.0) == "yes"


def test_a_time_above_its_goal_is_not_met():
    # Times are better lower: a median above the goal is "no" even when the fastest comes close,
    # "at best only" when only the fastest is at or under it.
    assert render.target_met(2.91, 2.58, 1.5, lower_is_better=True) == "no"
    assert render.target_met(9.78, 8.01, 8.0, lower_is_better=True) == "no"
    assert render.target_met(9.78, 7.9, 8.0, lower_is_better=True) == "at best only"
    assert render.target_met(8.0, None, 8.0, lower_is_better=True) == "yes"
    assert render.target_met(1.4, 1.3, 1.5, lower_is_better=True) == "yes"


def test_a_ratio_ranges_over_every_pairing_of_the_repetitions():
    # Theirs over ours: the least pairs their fastest with our slowest, the greatest the reverse.
    low, high = render.ratio_range([3.0, 3.8, 4.0], [0.75, 0.8, 1.0])
    assert (low, high) == (3.0 / 1.0, 4.0 / 0.75)
    assert render.ratio_and_spread(4.2, [3.0, 3.8, 4.0], [0.75, 0.8, 1.0]) == \
        "4.20x (3.00-5.33x)"
    assert render.ratio_and_spread(4.2, None, [0.75]) == "4.20x"


def test_a_time_shows_its_fastest_repetition_when_there_were_several():
    assert render.time_and_spread(1.11, [1.09, 1.11, 1.2]) == "1.11 (1.09)"
    assert render.time_and_spread(1.11, [1.11]) == "1.11"
    assert render.time_and_spread(1.11, None) == "1.11"
