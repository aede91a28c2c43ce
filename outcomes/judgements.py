"""Judgements about an indicator's results, worked out from the numbers and the polarity.

Pure functions: no database, no request. Nobody types a judgement; the rules here are the
same ones the page "How judgements are worked out" (``outcomes:judgements``) explains, so
change both together.

Numbers are compared as they are shown — rounded to the indicator's decimal places — so a
board never sees "75.0% against a target of 75.0%: not on target". A missing or "not
available" number gives "not known", never a guess; an indicator where neither higher nor
lower is better gets no on-target or direction judgement at all.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

HIGHER = "higher"
LOWER = "lower"
NEITHER = "neither"


@dataclass(frozen=True)
class Judgement:
    """A judgement as boards read it: a code for machines, text and symbol for people.

    ``tone`` ("good", "close", "bad" or "none") picks a colour; the text and symbol carry
    the meaning on their own, so colour is never the only signal.
    """

    code: str
    text: str
    symbol: str
    tone: str

    def as_dict(self) -> dict:
        return {"code": self.code, "text": self.text, "symbol": self.symbol}

    def __str__(self):
        return f"{self.symbol} {self.text}"


# On target
ON_TARGET = Judgement("on_target", "On target", "✓", "good")
CLOSE_TO_TARGET = Judgement("close_to_target", "Close to target", "≈", "close")
NOT_ON_TARGET = Judgement("not_on_target", "Not on target", "✗", "bad")
# Direction of travel
IMPROVING = Judgement("improving", "Improving", "↑", "good")
NO_CHANGE = Judgement("no_change", "No change", "→", "close")
WORSENING = Judgement("worsening", "Worsening", "↓", "bad")
# Against a comparator. Not arrows or triangles: beside the direction's ↑ Improving, a
# "▲ Worse" read as if up were good (issue 15). Plus, equals and minus say better, similar
# and worse without pointing anywhere.
BETTER = Judgement("better", "Better", "+", "good")
SIMILAR = Judgement("similar", "Similar", "=", "close")
WORSE = Judgement("worse", "Worse", "−", "bad")
# For every kind
NOT_KNOWN = Judgement("not_known", "Not known", "?", "none")
NOT_JUDGED = Judgement("not_judged", "Not judged: neither higher nor lower is better", "–", "none")

ON_TARGET_JUDGEMENTS = (ON_TARGET, CLOSE_TO_TARGET, NOT_ON_TARGET, NOT_KNOWN, NOT_JUDGED)
DIRECTION_JUDGEMENTS = (IMPROVING, NO_CHANGE, WORSENING, NOT_KNOWN, NOT_JUDGED)
COMPARATOR_JUDGEMENTS = (BETTER, SIMILAR, WORSE, NOT_KNOWN, NOT_JUDGED)


def _shown(value: Decimal, decimal_places: int | None) -> Decimal:
    if decimal_places is None:
        return value
    return value.quantize(Decimal(1).scaleb(-decimal_places), rounding=ROUND_HALF_UP)


def _better(a: Decimal, b: Decimal, polarity: str) -> bool:
    """True when ``a`` is better than ``b`` for this polarity."""
    return a > b if polarity == HIGHER else a < b


def on_target(
    *,
    actual: Decimal | None,
    target: Decimal | None,
    polarity: str,
    tolerance: Decimal | None = None,
    decimal_places: int | None = None,
) -> Judgement:
    """On target when the actual equals or beats the target; close when within tolerance."""
    if polarity == NEITHER:
        return NOT_JUDGED
    if actual is None or target is None:
        return NOT_KNOWN
    actual, target = _shown(actual, decimal_places), _shown(target, decimal_places)
    if actual == target or _better(actual, target, polarity):
        return ON_TARGET
    if tolerance is not None and abs(actual - target) <= tolerance:
        return CLOSE_TO_TARGET
    return NOT_ON_TARGET


def direction(
    *,
    current: Decimal | None,
    earlier: Decimal | None,
    polarity: str,
    decimal_places: int | None = None,
) -> Judgement:
    """Improving, worsening or no change from ``earlier`` to ``current``, polarity-aware."""
    if polarity == NEITHER:
        return NOT_JUDGED
    if current is None or earlier is None:
        return NOT_KNOWN
    current, earlier = _shown(current, decimal_places), _shown(earlier, decimal_places)
    if current == earlier:
        return NO_CHANGE
    return IMPROVING if _better(current, earlier, polarity) else WORSENING


def against_comparator(
    *,
    actual: Decimal | None,
    comparator: Decimal | None,
    polarity: str,
    threshold_percent: Decimal,
    decimal_places: int | None = None,
) -> Judgement:
    """Similar when within ``threshold_percent`` of the comparator's value; else better/worse."""
    if polarity == NEITHER:
        return NOT_JUDGED
    if actual is None or comparator is None:
        return NOT_KNOWN
    actual, comparator = _shown(actual, decimal_places), _shown(comparator, decimal_places)
    band = abs(comparator) * Decimal(threshold_percent) / 100
    if abs(actual - comparator) <= band:
        return SIMILAR
    return BETTER if _better(actual, comparator, polarity) else WORSE
