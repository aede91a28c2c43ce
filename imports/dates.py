"""Read the deadlines legacy plans write as free text, the way a UK reader would.

The rules are ours and deliberately conservative: a date is derived only where one honestly
follows ("December 2008" is the end of that month; "8/09/10" is 8 September 2010, day first).
Recurring, open-ended and cross-referring deadlines ("Quarterly", "Ongoing", "See 33") give no
date. The caller always keeps the original text beside whatever date we derive.
"""

import calendar
import functools
import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from plans.periods import FinancialQuarter

MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH_WORD = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_YEAR = r"(?:19|20)\d{2}|'?\d{2}"

# Season → (month the season ends, whether it ends in the following calendar year).
# Meteorological seasons; a school "term" ends earlier (spring term at Easter ≈ end of March).
_SEASONS = {"spring": (5, False), "summer": (8, False), "autumn": (11, False), "fall": (11, False)}
_TERMS = {"spring": 3, "summer": 7, "autumn": 12}

_NO_DATE_WORDS = re.compile(
    r"^(?:on-?going|quarterly|annually|annual|yearly|monthly|weekly|termly|bi-?monthly|"
    r"six-?monthly|half-?yearly|continuous(?:ly)?|as required|as and when|as needed|"
    r"to be (?:confirmed|determined|agreed)|tb[acd]|n/?a|none|various|throughout(?: the year)?|"
    r"regularly|every (?:month|quarter|year)|each (?:month|quarter|year)|in place|"
    r"complete[d]?|immediate(?:ly)?|now|current(?:ly)?)\.?$",
    re.IGNORECASE,
)
_OPEN_ENDED = re.compile(
    r"^(?:commenc\w*|from|starting|start(?:ing|s|ed)?)\b.*\b(?:on-?going|continu\w*)\b|"
    r"^(?:annually|quarterly|monthly|termly|every|each)\b",
    re.IGNORECASE,
)
_SEE = re.compile(r"^\(?\s*(?:see|as|refer to|cf\.?)\b", re.IGNORECASE)
_DMY = re.compile(r"(?<![\d/.-])(\d{1,2})\s*([/.-])\s*(\d{1,2})\s*\2\s*(\d{4}|\d{2})(?![\d/.-])")
_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_DAY_MONTH_YEAR = re.compile(
    rf"(?<![\w])(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH_WORD})\s*,?\s*({_YEAR})(?!\d)",
    re.IGNORECASE,
)
_MONTH_YEAR = re.compile(rf"(?<![\w])({_MONTH_WORD})\s*[,/-]?\s*({_YEAR})(?![\d/])", re.IGNORECASE)
_SEASON_YEAR = re.compile(
    r"(?<![\w])(spring|summer|autumn|fall|winter)(\s+term)?\s*,?\s*((?:19|20)\d{2}(?:\s*/\s*\d{2,4})?)(?!\d)",
    re.IGNORECASE,
)
_QUARTER = re.compile(
    r"(?<![\w])(?:q([1-4])\s*,?\s*((?:19|20)\d{2})\s*[/-]\s*(\d{2,4})"
    r"|((?:19|20)\d{2})\s*[/-]\s*(\d{2,4})\s*,?\s*q([1-4]))(?!\d)",
    re.IGNORECASE,
)
_FIN_YEAR = re.compile(r"(?<![\w/])((?:19|20)\d{2})\s*[/-]\s*(\d{2}|(?:19|20)\d{2})(?![\w/])")
# "Stage 2 August 2009": the stage number is a label, not the day of the month.
_STEP_LABEL = re.compile(r"\b(?:stage|phase|part|step|wave|tranche)\s*\d+\b", re.IGNORECASE)
_YEAR_ONLY = re.compile(r"^(?:by |end of |during |in )?((?:19|20)\d{2})$", re.IGNORECASE)


@dataclass
class DueDate:
    """What a deadline cell says: the date it gives (if any) and how we read it."""

    text: str
    day: date | None = None
    kind: str = "empty"  # empty, date, recurring, reference, unrecognised
    note: str = ""
    dates: list[date] = field(default_factory=list)


def _year(text: str) -> int:
    digits = text.lstrip("'")
    year = int(digits)
    if len(digits) == 2:
        year += 2000 if year < 70 else 1900
    return year


def _month(word: str) -> int:
    return MONTHS[word.lower().rstrip(".")[:3]]


def end_of_month(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def end_of_financial_year(start_year: int) -> date:
    """31 March of the year after ``start_year`` (2010/11 → 31 March 2011)."""
    return date(start_year + 1, 3, 31)


def financial_year_start(text: str) -> int | None:
    """The start year of a financial year written in ``text`` ("2010/11" → 2010), if any."""
    match = _FIN_YEAR.search(text or "")
    if not match:
        return None
    start, end = int(match.group(1)), match.group(2)
    if int(end[-2:]) != (start + 1) % 100:
        return None
    return start


@functools.lru_cache(maxsize=4096)
def find_all_dates(text: str) -> tuple[tuple[int, int, date, str], ...]:
    """Every date expression in ``text`` as (start, end, date, how) in reading order."""
    # Cached: a plan's deadline cells repeat ("March 2010", "Ongoing") and every pattern
    # runs over each one.
    # Blank out step labels, keeping offsets, so "Stage 2 August" is not the 2nd of August.
    text = _STEP_LABEL.sub(lambda m: " " * len(m[0]), text)
    found: list[tuple[int, int, date, str]] = []
    taken: list[tuple[int, int]] = []

    def add(match, value: date, how: str):
        start, end = match.span()
        if any(start < t_end and end > t_start for t_start, t_end in taken):
            return
        taken.append((start, end))
        found.append((start, end, value, how))

    for match in _QUARTER.finditer(text):
        quarter, start, end = (
            (match.group(1), match.group(2), match.group(3))
            if match.group(1)
            else (match.group(6), match.group(4), match.group(5))
        )
        if int(end[-2:]) == (int(start) + 1) % 100:
            add(match, FinancialQuarter(int(start), int(quarter)).end, "financial quarter")
    for match in _ISO.finditer(text):
        try:
            add(match, date(int(match[1]), int(match[2]), int(match[3])), "date")
        except ValueError:
            continue
    for match in _DMY.finditer(text):
        try:
            add(match, date(_year(match[4]), int(match[3]), int(match[1])), "day-first date")
        except ValueError:
            continue
    for match in _DAY_MONTH_YEAR.finditer(text):
        try:
            add(match, date(_year(match[3]), _month(match[2]), int(match[1])), "date")
        except ValueError:
            continue
    for match in _MONTH_YEAR.finditer(text):
        word = match[1].lower()
        # "may" and "march" are also ordinary words; only a year after them makes a date,
        # which the pattern already requires. Two-digit years only with a clear separator.
        if len(match[2].lstrip("'")) == 2 and not re.search(r"[/'-]", match[0]) and word == "may":
            continue
        add(match, end_of_month(_year(match[2]), _month(match[1])), "end of month")
    for match in _SEASON_YEAR.finditer(text):
        season, term, year_text = match[1].lower(), match[2], match[3]
        year = int(year_text[:4])
        if term:
            month = 12 if season == "winter" else _TERMS[season]
            add(match, end_of_month(year, month), "end of school term")
        elif season == "winter":
            # Winter 2019 runs from December 2019 to February 2020.
            add(match, end_of_month(year + 1, 2), "end of season")
        else:
            month, _ = _SEASONS[season]
            add(match, end_of_month(year, month), "end of season")
    for match in _FIN_YEAR.finditer(text):
        start, end = int(match[1]), match[2]
        if int(end[-2:]) == (start + 1) % 100:
            add(match, end_of_financial_year(start), "end of financial year")
    found.sort()
    return tuple(found)


def find_dates(text: str) -> list[tuple[str, date]]:
    """The date expressions inside a longer text, as (the words, the date), in order."""
    return [(text[start:end], value) for start, end, value, _ in find_all_dates(text or "")]


def parse_due(value) -> DueDate:
    """Read one deadline cell (text, or a date from a spreadsheet cell)."""
    if isinstance(value, str):
        due = parse_due_text(value)
        return replace(due, dates=list(due.dates))  # the caller's own, to keep or change
    return _parse_due(value)


@functools.lru_cache(maxsize=4096)
def parse_due_text(value: str) -> DueDate:
    """``parse_due`` of a text cell, remembered: the result is shared, so never changed."""
    return _parse_due(value)


def _parse_due(value) -> DueDate:
    if value is None:
        return DueDate(text="")
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return DueDate(text=value.strftime("%d/%m/%Y"), day=value, kind="date", dates=[value])
    text = " ".join(str(value).split())
    if not text:
        return DueDate(text="")
    bare = text.strip(" .;:")
    if _NO_DATE_WORDS.match(bare):
        return DueDate(text=text, kind="recurring", note=f"'{text}' is not a single date")
    if _SEE.match(bare):
        return DueDate(text=text, kind="reference", note=f"'{text}' refers to another item")
    if _OPEN_ENDED.search(bare):
        # "Commencing March 2025 and ongoing", "Annually in April": no single deadline.
        return DueDate(text=text, kind="recurring", note=f"'{text}' is not a single date")
    year_only = _YEAR_ONLY.match(bare)
    if year_only:
        day = date(int(year_only[1]), 12, 31)
        return DueDate(
            text=text, day=day, kind="date", note="read a year alone as its last day", dates=[day]
        )
    found = find_all_dates(text)
    if not found:
        fallback = _general_reader(text)
        if fallback:
            return DueDate(
                text=text,
                day=fallback,
                kind="date",
                note=f"read '{text}' as {fallback:%-d %B %Y}; check it",
                dates=[fallback],
            )
        return DueDate(text=text, kind="unrecognised", note=f"'{text}' is not a date we recognise")
    dates = [value for _, _, value, _ in found]
    note = ""
    if len(dates) > 1:
        note = f"'{text}' gives {len(dates)} dates; the last is used as the due date"
    return DueDate(text=text, day=dates[-1], kind="date", note=note, dates=dates)


def _general_reader(text: str) -> date | None:
    """Last resort for unusual spellings ("the 3rd of Sept., 2010"): dateparser, day first.

    Only for short texts with a year in them, and only a full month and year counts; a bare
    weekday or "next month" would be a guess, not a deadline.
    """
    if len(text) > 40 or not re.search(r"(?:19|20)\d{2}", text):
        return None
    import dateparser  # imported here: loading its language data costs about a second

    parsed = dateparser.parse(
        text,
        languages=["en"],
        settings={
            "DATE_ORDER": "DMY",
            "PREFER_DAY_OF_MONTH": "last",
            "REQUIRE_PARTS": ["month", "year"],
            "STRICT_PARSING": False,
            "RETURN_AS_TIMEZONE_AWARE": False,
        },
    )
    return parsed.date() if parsed else None
