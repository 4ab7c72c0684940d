"""Line-level text cleanup shared by the PDF and the text-extract readers.

Reports are typeset with hard line breaks and hyphenation; retrieval and figure extraction work
on running prose, so lines are re-joined here: hyphenated words are rebuilt, wrapped lines are
joined with spaces, and bullet items stay on lines of their own (they are separate statements,
often each with its own figure).
"""

from __future__ import annotations

import re

from granska.ingest.periods import MONTHS

# Characters that start a list item. \uf0b7 is the Symbol-font bullet that Word exports keep.
BULLETS = "•●○◦▪■□◆◇▶►▸‣⁃✓✔\uf0b7\uf0a7\uf076\uf0d8"
_BULLET_RE = re.compile(rf"^(?:[{re.escape(BULLETS)}]|[-–](?=\s))\s*")
# "1. Nämnden beslutar", "a) ...": enumerated items also start a line of their own.
_ENUMERATOR_RE = re.compile(r"^(?:\d{1,2}|[a-z])[.)]\s+\S")

# Words that follow a suspended compound ("Hälso- och sjukvård"): the hyphen is meant.
_SUSPENSION_WORDS = frozenset(
    "och eller samt respektive resp som till men and or".split()
)

_SPACES_RE = re.compile(r"[ \t\u00a0\u2009\u202f]+")


def normalise_spaces(text: str) -> str:
    """Collapse runs of spaces (including no-break and thin spaces) into one space.

    Numbers such as "82 700 tkr" are typeset with thin or no-break spaces; a plain space keeps
    them searchable while the digits stay exactly as printed.
    """
    return _SPACES_RE.sub(" ", text).strip()


def is_bullet(line: str) -> bool:
    """True when the line starts a list item."""
    return bool(_BULLET_RE.match(line.lstrip()))


def normalise_bullet(line: str) -> str:
    """Give every list item the same "• " marker, so readers and chunkers see one convention."""
    stripped = line.lstrip()
    match = _BULLET_RE.match(stripped)
    if not match:
        return stripped
    return "• " + stripped[match.end():]


def join_wrapped(previous: str, following: str) -> str:
    """Join two lines of one paragraph, undoing end-of-line hyphenation.

    "kompetens-" + "försörjning" -> "kompetensförsörjning" (a word split by typesetting);
    "Hälso-" + "och sjukvård" -> "Hälso- och sjukvård" (a suspended compound);
    "covid-19-" + "pandemin", "IT-" + "säkerhet" and "jan-" + "aug" keep their hyphen (it is part
    of the word, or of a month range).
    """
    if not previous:
        return following
    if not following:
        return previous
    if previous.endswith("-") and len(previous) >= 2 and previous[-2] not in " -–":
        next_word = following.split(" ", 1)[0].rstrip(",.;:").lower()
        if next_word in _SUSPENSION_WORDS:
            return f"{previous} {following}"
        last_word = previous[:-1].rsplit(" ", 1)[-1].lower()
        if last_word in MONTHS and next_word in MONTHS:
            return previous + following  # a month range: "jan-" + "aug" is "jan-aug"
        before, after = previous[-2], following[0]
        if before.isalpha() and before.islower() and after.isalpha() and after.islower():
            return previous[:-1] + following
        return previous + following
    return f"{previous} {following}"


def join_lines(lines: list[str]) -> str:
    """Join the lines of one paragraph: wrapped lines with spaces, list items on their own lines."""
    out: list[str] = []
    for raw in lines:
        line = normalise_spaces(raw)
        if not line:
            continue
        if is_bullet(line):
            out.append(normalise_bullet(line))
        elif not out or _ENUMERATOR_RE.match(line):
            out.append(line)
        else:
            out[-1] = join_wrapped(out[-1], line)
    return "\n".join(out)


_SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ0-9•\"”(])|\n")


def split_long(text: str, limit: int) -> list[str]:
    """Split a paragraph longer than `limit` at sentence (or list-item) boundaries.

    Falls back to word boundaries for a single sentence longer than the limit, so no piece
    exceeds `limit` unless one word does.
    """
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    current = ""
    cut = 0
    separator = " "  # what separated the sentence being added from the one before it
    for match in _SENTENCE_END_RE.finditer(text):
        current = _append_piece(pieces, current, text[cut:match.start()], separator, limit)
        separator = "\n" if match.group() == "\n" else " "
        cut = match.end()
    current = _append_piece(pieces, current, text[cut:], separator, limit)
    if current:
        pieces.append(current)
    return pieces


def _append_piece(pieces: list[str], current: str, sentence: str, separator: str, limit: int) -> str:
    """Add a sentence to the piece being built, flushing it to `pieces` when it would overflow."""
    sentence = sentence.strip()
    if not sentence:
        return current
    if current and len(current) + 1 + len(sentence) <= limit:
        return current + separator + sentence
    if current:
        pieces.append(current)
    while len(sentence) > limit:
        at = sentence.rfind(" ", 0, limit)
        at = at if at > 0 else limit
        pieces.append(sentence[:at].strip())
        sentence = sentence[at:].strip()
    return sentence
