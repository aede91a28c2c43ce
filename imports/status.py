"""RAG from the words of a status or progress cell, and from a cell's fill colour.

Words: a cell that says only a status ("Complete", "On track", "At risk") or starts with one
("Complete – report went to the board") gives that status. Longer commentary is not mined for
words deep inside it: "not yet complete because…" must not read as Complete.

Colours: legacy plans often show RAG only as a fill. A legend row in the sheet ("At risk /
Issues / On track" filled red, amber, green) says what each colour means; without one we read
the hue (red, amber/yellow, green, blue for complete) and say so in a finding.
"""

import colorsys
import functools
import re

from plans.models import RAG

_PHRASES: list[tuple[str, str]] = [
    # Most specific first: negations before the words they contain.
    (
        r"not (?:yet )?(?:started|begun|commenced|due)|yet to (?:start|begin)|"
        r"pending|planned|future",
        RAG.NOT_STARTED,
    ),
    (r"not (?:yet )?complete[d]?|incomplete", RAG.AMBER),
    # "Progressing but delayed", "Started but behind": the qualifier is the status.
    (
        r"(?:started|progressing|in progress|on-?going|underway)[, ]+but (?:delayed|behind|slipp)",
        RAG.AMBER,
    ),
    (
        r"actions? (?:(?:now |have been |has been |are |is )?complete[d]?|achieved|closed)|"
        r"embedded|fully (?:complete[d]?|implemented|achieved|met|delivered)|"
        r"implemented|agreed and (?:complete[d]?|implemented)",
        RAG.COMPLETE,
    ),
    (
        r"not (?:on track|on target|achieved|met)|off[- ]track|off[- ]target|"
        r"at risk|high risk|red|r|will not be (?:met|delivered|achieved)|significant (?:issues|"
        r"delay|slippage)|failed|stalled|stopped|behind schedule|overdue",
        RAG.RED,
    ),
    (
        r"amber|a|delayed|delay|slipp(?:age|ed|ing)|some slippage|issues|minor issues|some issues|"
        r"behind|partially (?:complete|achieved|met)|partly (?:complete|achieved|met)|"
        r"some progress|limited progress|concerns?",
        RAG.AMBER,
    ),
    (
        r"complete[d]?|completed?|done|achieved|finished|closed|delivered|in place|met|"
        r"blue|b",
        RAG.COMPLETE,
    ),
    (r"on track|on target|on schedule|green|g|good progress|in hand", RAG.GREEN),
]
# "In progress", "Ongoing": the work is under way, but no one has judged whether it is on
# track; a RAG is the lead's judgement (DESIGN.md), so these give none.
UNDER_WAY = re.compile(
    r"^[\s\-–—•*(]*(?:in progress|progressing|on-?going|underway|under way|started|continuing)"
    r"\b",
    re.IGNORECASE,
)
_COMPILED = [(re.compile(rf"^(?:{words})\b", re.IGNORECASE), status) for words, status in _PHRASES]
_STRIP = re.compile(r"^[\s\-–—•*:;.,()\[\]]+|[\s\-–—•*:;.,()\[\]!]+$")


@functools.lru_cache(maxsize=4096)
def status_from_words(text) -> str | None:
    """The RAG a status/progress cell states, or None when it states none we trust."""
    # Cached: a plan's status cells hold a handful of phrases, each read many times.
    if text is None:
        return None
    cleaned = _STRIP.sub("", " ".join(str(text).split())).lower()
    if not cleaned:
        return None
    # "1\nGreen", "3 – Red": a legend number printed before the word it stands for.
    numbered = re.match(r"^\d{1,2}\s*[\-–:.)]?\s+(?=[a-z])", cleaned)
    if numbered:
        return status_from_words(cleaned[numbered.end() :])
    for pattern, status in _COMPILED:
        match = pattern.match(cleaned)
        if not match:
            continue
        rest = cleaned[match.end() :].strip()
        # A one-letter code ("R", "G") counts only on its own, never as the start of a word.
        if len(match.group(0)) == 1 and rest:
            continue
        return status
    return None


def split_status_words(text: str, count: int) -> list[str] | None:
    """Split "Complete Complete" (one status per item of a split row) into ``count`` parts."""
    words = " ".join(str(text or "").split())
    if count < 2 or not words:
        return None
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    if len(lines) == count and all(status_from_words(line) for line in lines):
        return lines
    tokens = words.split(" ")
    if len(tokens) % count == 0:
        size = len(tokens) // count
        parts = [" ".join(tokens[i * size : (i + 1) * size]) for i in range(count)]
        if all(status_from_words(part) for part in parts):
            return parts
    return None


def _rgb(colour: str) -> tuple[float, float, float] | None:
    value = (colour or "").strip().lstrip("#")
    if len(value) == 8:  # ARGB, as openpyxl gives it
        value = value[2:]
    if not re.fullmatch(r"[0-9a-fA-F]{6}", value):
        return None
    return tuple(int(value[i : i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def status_from_colour(colour: str | None) -> str | None:
    """The RAG a fill colour most likely means, by hue; None for white, greys and unknowns."""
    rgb = _rgb(colour or "")
    if rgb is None:
        return None
    hue, lightness, saturation = colorsys.rgb_to_hls(*rgb)
    if saturation < 0.25 or lightness > 0.93 or lightness < 0.08:
        return None
    degrees = hue * 360
    if degrees < 20 or degrees >= 330:
        return RAG.RED
    if degrees < 70:
        return RAG.AMBER
    if degrees < 170:
        return RAG.GREEN
    if degrees < 260:
        return RAG.COMPLETE
    return None


def colour_key(colour: str | None) -> str:
    """Normalise a fill colour for comparison with a legend ("FFFF0000" → "FF0000")."""
    value = (colour or "").strip().lstrip("#").upper()
    return value[2:] if len(value) == 8 else value


_LEGEND_ENTRY = re.compile(r"^\s*(\d{1,2})\s*[\-–=:.)]?\s+(\S.{0,80})$", re.DOTALL)


def number_legend_entry(text: str) -> tuple[str, str] | None:
    """("2", Green) for a legend line "2 On Track but not yet due"; None otherwise."""
    match = _LEGEND_ENTRY.match(" ".join(str(text or "").split()))
    if not match:
        return None
    status = status_from_words(match[2])
    return (match[1], status) if status else None


def number_legend(lines: list[str]) -> dict[str, str]:
    """A numbered status legend ("1 Fully Achieved", "2 On Track", "3 Slipped"), if the lines
    hold one: two or more numbered entries naming different statuses."""
    entries = dict(e for e in (number_legend_entry(line) for line in lines) if e)
    return entries if len(entries) >= 2 and len(set(entries.values())) >= 2 else {}
