"""Polarity-aware judgements at the edges: equal, missing, negative, neither, tolerance."""

from decimal import Decimal as D

import pytest

from outcomes import judgements as j


@pytest.mark.parametrize(
    ("actual", "target", "polarity", "expected"),
    [
        (D("75.6"), D("75.6"), "higher", j.ON_TARGET),  # equal counts as on target
        (D("75.6"), D("75.6"), "lower", j.ON_TARGET),
        (D("71.0"), D("75.6"), "higher", j.NOT_ON_TARGET),
        (D("80"), D("75.6"), "higher", j.ON_TARGET),
        (D("7.1"), D("7.5"), "lower", j.ON_TARGET),
        (D("9.7"), D("7.5"), "lower", j.NOT_ON_TARGET),
        # Rotherham NI 112: lower is better, target -39%, actual -1.10%
        (D("-1.10"), D("-39"), "lower", j.NOT_ON_TARGET),
        (D("-40"), D("-39"), "lower", j.ON_TARGET),
        (D("-39"), D("-39"), "lower", j.ON_TARGET),
        (D("-1.10"), D("-39"), "higher", j.ON_TARGET),
        (D("0"), D("0.01"), "lower", j.ON_TARGET),
        (None, D("75.6"), "higher", j.NOT_KNOWN),
        (D("71.0"), None, "higher", j.NOT_KNOWN),
        (None, None, "lower", j.NOT_KNOWN),
        (D("71.0"), D("75.6"), "neither", j.NOT_JUDGED),
        (None, None, "neither", j.NOT_JUDGED),
    ],
)
def test_on_target(actual, target, polarity, expected):
    assert j.on_target(actual=actual, target=target, polarity=polarity) == expected


def test_on_target_compares_numbers_as_shown():
    # 74.96 shows as 75.0 at one decimal place: against 75.0 the board sees "equal".
    assert (
        j.on_target(actual=D("74.96"), target=D("75"), polarity="higher", decimal_places=1)
        == j.ON_TARGET
    )
    assert (
        j.on_target(actual=D("74.94"), target=D("75"), polarity="higher", decimal_places=1)
        == j.NOT_ON_TARGET
    )


@pytest.mark.parametrize(
    ("actual", "polarity", "expected"),
    [
        (D("73.0"), "higher", j.CLOSE_TO_TARGET),  # 2.0 short, tolerance 2.0: edge inclusive
        (D("72.9"), "higher", j.NOT_ON_TARGET),
        (D("77.0"), "lower", j.CLOSE_TO_TARGET),
        (D("77.1"), "lower", j.NOT_ON_TARGET),
        (D("75.0"), "higher", j.ON_TARGET),
    ],
)
def test_tolerance_band_gives_close_to_target(actual, polarity, expected):
    judgement = j.on_target(actual=actual, target=D("75.0"), polarity=polarity, tolerance=D("2.0"))
    assert judgement == expected


@pytest.mark.parametrize(
    ("current", "earlier", "polarity", "expected"),
    [
        (D("0.28"), D("0.69"), "lower", j.IMPROVING),
        (D("71.0"), D("72.6"), "higher", j.WORSENING),
        (D("98.6"), D("97.6"), "higher", j.IMPROVING),
        (D("-1.10"), D("-10.1"), "lower", j.WORSENING),  # NI 112: less of a reduction
        (D("-10.1"), D("-1.10"), "lower", j.IMPROVING),
        (D("25.0"), D("25.0"), "higher", j.NO_CHANGE),
        (D("25.0"), None, "higher", j.NOT_KNOWN),
        (None, D("25.0"), "lower", j.NOT_KNOWN),
        (D("25.0"), D("20.0"), "neither", j.NOT_JUDGED),
    ],
)
def test_direction(current, earlier, polarity, expected):
    assert j.direction(current=current, earlier=earlier, polarity=polarity) == expected


@pytest.mark.parametrize(
    ("actual", "comparator", "polarity", "expected"),
    [
        (D("63.0"), D("60.0"), "higher", j.SIMILAR),  # exactly 5% away: similar
        (D("63.1"), D("60.0"), "higher", j.BETTER),
        (D("56.9"), D("60.0"), "higher", j.WORSE),
        (D("56.9"), D("60.0"), "lower", j.BETTER),
        (D("0.28"), D("1.1"), "lower", j.BETTER),
        (D("-10"), D("-10.4"), "lower", j.SIMILAR),  # band uses the comparator's size
        (D("-9"), D("-10.4"), "lower", j.WORSE),
        (D("0"), D("0"), "lower", j.SIMILAR),
        (D("0.01"), D("0"), "lower", j.WORSE),
        (None, D("60"), "higher", j.NOT_KNOWN),
        (D("60"), None, "higher", j.NOT_KNOWN),
        (D("60"), D("61"), "neither", j.NOT_JUDGED),
    ],
)
def test_against_comparator_with_five_percent_threshold(actual, comparator, polarity, expected):
    judgement = j.against_comparator(
        actual=actual, comparator=comparator, polarity=polarity, threshold_percent=D("5")
    )
    assert judgement == expected


def test_zero_threshold_makes_any_difference_count():
    judgement = j.against_comparator(
        actual=D("71.0"), comparator=D("73.1"), polarity="higher", threshold_percent=D("0")
    )
    assert judgement == j.WORSE


def test_every_judgement_has_text_and_a_symbol():
    every = {*j.ON_TARGET_JUDGEMENTS, *j.DIRECTION_JUDGEMENTS, *j.COMPARATOR_JUDGEMENTS}
    for judgement in every:
        assert judgement.text and judgement.symbol
    assert len({(x.code, x.symbol) for x in every}) == len(every)


def test_only_direction_uses_arrows_so_a_bad_comparator_never_points_up():
    # Beside "↑ Improving", a comparator's "▲ Worse" read as if up were good (issue 15).
    pointing = set("↑↓→←▲▼△▽►◄")
    for judgement in (*j.ON_TARGET_JUDGEMENTS, *j.COMPARATOR_JUDGEMENTS):
        if judgement not in j.DIRECTION_JUDGEMENTS:
            assert not pointing & set(judgement.symbol), judgement
    direction_symbols = {x.symbol for x in j.DIRECTION_JUDGEMENTS}
    others = {x.symbol for x in (*j.ON_TARGET_JUDGEMENTS, *j.COMPARATOR_JUDGEMENTS)}
    assert direction_symbols & others <= {j.NOT_KNOWN.symbol, j.NOT_JUDGED.symbol}
