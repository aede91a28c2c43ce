"""Personal data of people who have left: the words shown instead, and how other apps redact.

``plans.services.person_remove`` replaces a removed lead's name wherever ``plans`` keeps it.
Other apps keep copies too (``reporting`` freezes names into closed quarters' snapshots);
``plans`` never imports them, so they register a hook from their ``AppConfig.ready()`` that
the removal calls inside its transaction, while the old name is still known. See
docs/personal-data.md for what is replaced where, and why.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

FORMER_LEAD = "Former lead"


@dataclass(frozen=True)
class Removal:
    """What a removal hook needs: whose data, in which partnership, and the words to replace."""

    person_id: int
    partnership_id: int
    names: tuple[str, ...]  # the old name (and e-mail address, account name) to replace
    user_id: int | None  # the admin who removed them


_hooks: list[Callable[[Removal], None]] = []


def register_person_removal_hook(hook: Callable[[Removal], None]) -> None:
    """Call ``hook(removal)`` inside every ``person_remove`` transaction (once per hook)."""
    if hook not in _hooks:
        _hooks.append(hook)


def person_removal_hooks() -> list[Callable[[Removal], None]]:
    return list(_hooks)


def _pattern(names: Iterable[str]) -> re.Pattern | None:
    words = sorted({n.strip() for n in names if n and n.strip()}, key=len, reverse=True)
    if not words:
        return None
    alternatives = "|".join(re.escape(w) for w in words)
    # Whole words only, so removing "Jo" leaves "Joint team" alone.
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def redact_text(text: str, *, names: Iterable[str]) -> str:
    """``text`` with every whole-word occurrence of ``names`` replaced by "Former lead"."""
    pattern = _pattern(names)
    if pattern is None or not text:
        return text
    return pattern.sub(FORMER_LEAD, text)


def is_name(value: str, *, names: Iterable[str]) -> bool:
    """True when ``value`` is one of ``names`` (ignoring case and surrounding spaces)."""
    wanted = {n.strip().casefold() for n in names if n and n.strip()}
    return bool(value) and value.strip().casefold() in wanted
