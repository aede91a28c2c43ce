"""Split a cell that holds several items: "a) … b) …", "21.3 … 21.4 …", bullet lines.

Also reads an item's own number ("6.3 Revise…" → "6.3", "Revise…") and cross-references
such as "(see 11)" or "(see 26, 27 and 36)".
"""

import re
from dataclasses import dataclass

_BULLET = re.compile(r"^\s*(?:[•·▪◦●○■□➢➤►‣⁃*]|-(?=\s)|–|—|o(?=\s))\s*")
# "6.3 Revise…", "1. Evaluate…", "2) Agree…"; a bare "100 pieces…" is a quantity, not a number.
_LEADING_NUMBER = re.compile(r"^\s*(\d{1,3}(?:\.\d{1,3})+|\d{1,3}(?=[.)]))[.)]?\s+(?=\S)")
_LETTER_MARKER = re.compile(r"(?:(?<=\s)|^)\(?([a-z])\)\s+")
_DOTTED_NUMBER = re.compile(r"(?:(?<=\s)|^)(\d{1,3}\.\d{1,3})\s+(?=[A-Za-z(])")
_SEE = re.compile(r"\(\s*see\s+([^)]*)\)", re.IGNORECASE)


@dataclass(frozen=True)
class Item:
    number: str
    text: str


def _tidy(text: str) -> str:
    return " ".join(text.split()).strip()


def split_number(text: str) -> tuple[str, str]:
    """ "6.3 Revise procedures" → ("6.3", "Revise procedures"); no number → ("", text)."""
    text = text or ""
    match = _LEADING_NUMBER.match(text)
    if not match:
        return "", text.strip()
    return match[1], text[match.end() :].strip()


def see_also(text: str) -> list[str]:
    """The item numbers a text cross-refers to: "(see 26, 27 and 36)" → ["26", "27", "36"]."""
    numbers: list[str] = []
    for match in _SEE.finditer(text or ""):
        for number in re.findall(r"\d{1,3}(?:\.\d{1,3})?", match[1]):
            if number not in numbers:
                numbers.append(number)
    return numbers


def _letter_items(text: str) -> tuple[str, list[Item]] | None:
    markers = list(_LETTER_MARKER.finditer(text))
    # Keep only a run a), b), c)… in order, starting at a).
    run = []
    expected = "a"
    for marker in markers:
        if marker[1] == expected:
            run.append(marker)
            expected = chr(ord(expected) + 1)
    if len(run) < 2:
        return None
    preamble = _tidy(text[: run[0].start()])
    items = []
    for index, marker in enumerate(run):
        end = run[index + 1].start() if index + 1 < len(run) else len(text)
        body = _tidy(text[marker.end() : end]).rstrip(";,")
        items.append(Item(number=f"{marker[1]})", text=body.strip()))
    return preamble, items


def _numbered_items(text: str) -> tuple[str, list[Item]] | None:
    markers = list(_DOTTED_NUMBER.finditer(text))
    if len(markers) < 2:
        return None
    prefixes = {marker[1].split(".")[0] for marker in markers}
    if len(prefixes) != 1:
        return None
    minors = [int(marker[1].split(".")[1]) for marker in markers]
    if any(b != a + 1 for a, b in zip(minors, minors[1:], strict=False)):
        return None
    preamble = _tidy(text[: markers[0].start()])
    items = []
    for index, marker in enumerate(markers):
        end = markers[index + 1].start() if index + 1 < len(markers) else len(text)
        items.append(Item(number=marker[1], text=_tidy(text[marker.end() : end])))
    return preamble, items


_LINE_MARKER = re.compile(r"^\s*\(?(\d{1,3}[a-z]?|[a-z]|[ivx]{1,4})\)\s+(?=\S)")


def _marked_lines(text: str) -> tuple[str, list[Item]] | None:
    """Every line starts with its own marker: "(1b) …", "(1c) …", "ii) …"."""
    lines = [line for line in re.split(r"[\r\n]+", text) if line.strip()]
    if len(lines) < 2:
        return None
    items = []
    for line in lines:
        match = _LINE_MARKER.match(line)
        if match is None:
            if not items:
                return None
            items[-1] = Item(items[-1].number, _tidy(f"{items[-1].text} {line}"))
            continue
        items.append(Item(number=match[1], text=_tidy(line[match.end() :])))
    return ("", items) if len(items) >= 2 else None


def split_lines(text) -> list[Item]:
    """Each non-empty line an item, its own marker ("(1b)", "2.") read as its number."""
    items = []
    for line in re.split(r"[\r\n]+", str(text or "")):
        if not line.strip():
            continue
        match = _LINE_MARKER.match(line)
        if match:
            items.append(Item(number=match[1], text=_tidy(line[match.end() :])))
        else:
            number, rest = split_number(_BULLET.sub("", line))
            items.append(Item(number=number, text=_tidy(rest)))
    return items


def _line_items(text: str, *, every_line: bool) -> tuple[str, list[Item]] | None:
    lines = [line for line in re.split(r"[\r\n]+", text) if line.strip()]
    if len(lines) < 2:
        return None
    bulleted = [bool(_BULLET.match(line)) for line in lines]
    if every_line and not any(bulleted):
        return "", [Item(number="", text=_tidy(line)) for line in lines]
    if sum(bulleted) < 2 and not (every_line and sum(bulleted) >= 1):
        return None
    # Lines before the first bullet are the preamble; a non-bullet line after a bullet
    # continues it (text wrapped by hand in the original).
    preamble_lines: list[str] = []
    items: list[str] = []
    for line, is_bullet in zip(lines, bulleted, strict=True):
        if is_bullet:
            items.append(_BULLET.sub("", line))
        elif items and not every_line:
            items[-1] = f"{items[-1]} {line}"
        elif items:
            items.append(line)
        else:
            preamble_lines.append(line)
    preamble = _tidy(" ".join(preamble_lines))
    if every_line and preamble:
        items.insert(0, preamble)
        preamble = ""
    return preamble, [Item(number="", text=_tidy(item).rstrip(",;")) for item in items]


def split_items(text, *, every_line: bool = False) -> tuple[str, list[Item]]:
    """Split a cell into (preamble, items); one item means the cell holds a single step.

    ``every_line`` treats each line as an item even without bullets (milestone columns,
    where every line is a step); otherwise only bullet lines split.
    """
    if text is None:
        return "", []
    text = str(text).strip()
    if not text:
        return "", []
    for splitter in (_numbered_items, _letter_items, _marked_lines):
        found = splitter(text)
        if found:
            return found
    found = _line_items(text, every_line=every_line)
    if found and len(found[1]) >= 2:
        return found
    return "", [Item(number="", text=_tidy(_BULLET.sub("", text)))]
