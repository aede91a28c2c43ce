"""Read the "Who" cell of a legacy plan into people, their roles and their agencies.

Forms seen in real plans: "Strategic Lead: Simon Perry / Lead Officer: Chris Brown" (one per
line), "YOT (Ken Dance)", "A & B", "DD Safe-guarding/ LSCB Manager", initials ("JW") and job
titles ("SM Co-ordinator"). A job title is a lead in its own right: the plan names the post.
"""

import functools
import re
from dataclasses import dataclass

_ROLE_LABEL = re.compile(
    r"^\s*((?:joint |deputy |co-?)?(?:strategic|operational|lead|responsible|accountable|"
    r"project|named|senior|executive|service|delivery|portfolio)"
    r"(?: (?:lead|officer|manager|owner|director|inspector|member|sponsor))*)\s*:\s*(.+)$",
    re.IGNORECASE,
)
# Line breaks, and "/" or ";" when a new "Role:" label follows on the same line.
_LABEL_BREAK = re.compile(r"[\r\n]+|\s*[/;|]\s*(?=(?:[A-Za-z-]+ ){0,3}[A-Za-z-]+\s*:)")
_AGENCY_PERSON = re.compile(r"^(.+?)\s*\(\s*([^()]+?)\s*\)\s*$")
# "BHWBB: make children in need safer": a body named by its acronym, then what its part of
# the work is aligned to. The acronym is the lead; the rest is not a name.
ACRONYM_LABEL = re.compile(r"^\s*((?-i:[A-Z][A-Z&]{1,7}))\s*:\s+\S")
# "A & B", "A and B", "A / B", "A; B". Commas are not separators: "Manager, Specialist
# Services" is one job title.
_SEPARATORS = re.compile(r"\s*(?:&|\+|/|;|\band\b)\s*", re.IGNORECASE)
# Ranks and honorifics stay in the name the plan writes ("Insp. Gwyn Thomas", "Cllr Lee"),
# but do not make two people of one when names are compared.
_HONORIFIC = re.compile(
    r"^(?:chief inspector|inspector|insp\.?|sergeant|sgt\.?|superintendent|supt\.?|dr\.?|"
    r"mr\.?|mrs\.?|ms\.?|miss|cllr\.?|councillor|prof\.?|professor)\s+(?=[A-Z])",
    re.IGNORECASE,
)
_LEADING_NOISE = re.compile(r"^(?:led by|lead by|lead:|by)\s+", re.IGNORECASE)
# "Jo Smith (JS)": initials in brackets after a name are not an agency.
_INITIALS = re.compile(r"\s*\(\s*[A-Z]{2,4}\s*\)\s*$")
# "Jo Smith, YJS" / "Jo Smith, NHS Trust": a name, then the agency after a comma.
_NAME_COMMA_ORG = re.compile(
    r"^((?:(?:Dr|Cllr|Insp|Sgt|Supt|DCI|DI|DS|PC|Mr|Mrs|Ms|Miss|Prof)\.?\s+)?"
    r"[A-Z][a-z'’-]+(?:\s+[A-Z][a-z'’-]+){1,2})\s*,\s*(.+)$"
)
# What the part after a name's comma must look like to be an agency: an acronym ("YJS",
# "NHS") or an organisation's word; "Senior Practitioner, Adoption" is a job title.
_ORGANISATION = re.compile(
    r"^(?-i:[A-Z][A-Z&]{1,7})$|\b(?:council|police|constabulary|nhs|trust|ccg|icb|board|"
    r"service|services|school|college|university|hospital|foundation|partnership|"
    r"probation|fire|housing|association|charity|academy|centre|agency)\b",
    re.IGNORECASE,
)
# "Jo Smith – Head of Service" / "Head of Service – Jo Smith and Ann Lee".
_DASH = re.compile(r"\s+[–—-]\s+")
_ROLE_WORDS = re.compile(
    r"\b(?:head|manager|director|officer|lead|chair|chairs|co-?ordinator|coordinator|"
    r"commissioner|inspector|service|team|board|partnership|group|panel|principal|"
    r"advisor|adviser|consultant|specialist|assistant|deputy|executive|member|members|"
    r"practitioner|worker|nurse|teacher|analyst|administrator|senior|principal)\b",
    re.IGNORECASE,
)
_PERSON_NAME = re.compile(
    r"^(?:(?:Dr|Cllr|Councillor|Insp|Inspector|Sgt|Sergeant|Supt|DCI|DI|DS|PC|Mr|Mrs|Ms|Miss|"
    r"Prof)\.?\s+)?[A-Z][a-z'’-]+(?:\s+[A-Z][a-z'’-]+){0,2}$"
)


@dataclass(frozen=True)
class LeadRef:
    """One lead as a plan names them."""

    name: str
    role_title: str = ""
    organisation: str = ""


def person_key(name: str) -> str:
    """Compare names case-, space-, punctuation- and title-insensitively ("Insp. Gwyn Thomas")."""
    text = name or ""
    if len(text.split()) >= 3:
        text = _HONORIFIC.sub("", text)
    text = text.lower().replace("&", " and ")
    return re.sub(r"[^0-9a-z]+", "", text)


def _names_and(text: str) -> list[str]:
    return [part for part in re.split(r"\s*(?:&|\band\b|,|/)\s*", text) if part.strip()]


def _dash_form(line: str) -> list["LeadRef"] | None:
    """ "Jo Smith – Head of Service", "Head of Service – Jo Smith and Ann Lee"."""
    parts = _DASH.split(line, maxsplit=1)
    if len(parts) != 2:
        return None
    left, right = _tidy(parts[0]), _tidy(parts[1])
    if _PERSON_NAME.match(left) and not _ROLE_WORDS.search(left) and _ROLE_WORDS.search(right):
        return [LeadRef(name=left[:200], role_title=right[:200])]
    names = _names_and(right)
    if _ROLE_WORDS.search(left) and names and all(_PERSON_NAME.match(_tidy(n)) for n in names):
        return [LeadRef(name=_tidy(n)[:200], role_title=left[:200]) for n in names]
    return None


def _tidy(text: str) -> str:
    return " ".join(text.split()).strip(" ,.;:-–")


def _is_modifier(text: str) -> bool:
    """A single ordinary word (not an acronym like "JCG") that qualifies what follows it."""
    words = text.split()
    return len(words) == 1 and not words[0].isupper() and words[0][:1].isupper()


def _split_names(text: str) -> list[str]:
    """Split "A & B" into its parts, except inside "Manager, Communications & Engagement"."""
    parts = [part for part in _SEPARATORS.split(text) if _tidy(part)]
    if len(parts) < 2:
        return [text]
    joined: list[str] = []
    for part in parts:
        # After a comma phrase, a single following word belongs to it ("X, Y & Z").
        if joined and "," in joined[-1] and len(part.split()) == 1:
            joined[-1] = f"{joined[-1]} & {part}"
        elif joined and _is_modifier(joined[-1]) and len(part.split()) >= 2:
            # "Commissioning & Development Officer": one post whose title shares a noun.
            joined[-1] = f"{joined[-1]} & {part}"
        else:
            joined.append(part)
    return joined


def parse_leads(text) -> list[LeadRef]:
    """Every lead named in a cell, in the order written, without repeats."""
    if text is None:
        return []
    return list(lead_refs(str(text)))  # the caller's own list: actions add their steps' leads


@functools.lru_cache(maxsize=4096)
def lead_refs(text: str) -> tuple[LeadRef, ...]:
    """``parse_leads`` remembered: a plan names the same few dozen leads row after row."""
    leads: list[LeadRef] = []
    seen: set[tuple[str, str]] = set()
    for line in _LABEL_BREAK.split(text):
        line = _LEADING_NOISE.sub("", _tidy(line))
        if not line:
            continue
        role_title = ""
        acronym = ACRONYM_LABEL.match(line)
        if acronym and not _ROLE_LABEL.match(line):
            line = acronym[1]
        labelled = _ROLE_LABEL.match(line)
        dashed = None if labelled else _dash_form(line)
        if dashed:
            for lead in dashed:
                key = (person_key(lead.name), person_key(lead.role_title))
                if key not in seen:
                    seen.add(key)
                    leads.append(lead)
            continue
        if labelled:
            role_title, line = _tidy(labelled[1]).title(), _tidy(labelled[2])
            names = [line]
        else:
            names = _split_names(line)
        for raw in names:
            raw = _tidy(raw)
            if not raw:
                continue
            organisation = ""
            raw = _INITIALS.sub("", raw) if _PERSON_NAME.match(_INITIALS.sub("", raw)) else raw
            bracketed = _AGENCY_PERSON.match(raw)
            if bracketed and re.search(r"[a-z]", bracketed[2]):
                organisation, raw = _tidy(bracketed[1]), _tidy(bracketed[2])
            comma = None if organisation else _NAME_COMMA_ORG.match(raw)
            if comma and not _ROLE_WORDS.search(comma[1]) and _ORGANISATION.search(comma[2]):
                raw, organisation = _tidy(comma[1]), _tidy(comma[2])
            lead = LeadRef(name=raw[:200], role_title=role_title[:200], organisation=organisation)
            key = (person_key(lead.name), person_key(lead.role_title))
            if key in seen:
                continue
            seen.add(key)
            leads.append(lead)
    return tuple(leads)


def split_repeated(text, count: int) -> list[str] | None:
    """Split a cell written once per item ("DD Achievement DD Achievement") into ``count``."""
    if text is None or count < 2:
        return None
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    if len(lines) == count:
        return lines
    tokens = " ".join(str(text).split()).split(" ")
    if len(tokens) % count:
        return None
    size = len(tokens) // count
    parts = [" ".join(tokens[i * size : (i + 1) * size]) for i in range(count)]
    return parts if len(set(parts)) == 1 else None
