"""Acronyms written out and written short: "VA" is "Vatten och avlopp", "A&Å" "Avfall & Återvinning".

Swedish public reports name a unit in full in one place and by its initials in another (a
heading "Uppföljning Drift VA" over a table whose rows never repeat the full name, a question
that says "VA-verksamheten" about a section headed "Vatten och avlopp"). No list of acronyms is
kept: an acronym is recognised by its spelling, the initials of a phrase whose words are joined
by "och" or "&" (the way a compound name is written, and the only shape where two initials are
evidence rather than chance), with the connector dropped, kept as "o" ("HoS") or kept as "&".
Only tokens written with two capitals or more are taken for acronyms, so the words "va" or
"av" in running text never are.
"""

from __future__ import annotations

import re
from functools import lru_cache

_ACRONYM = re.compile(r"(?<![\wÅÄÖåäö])([A-ZÅÄÖ][A-ZÅÄÖa-zåäö&]{1,5})(?![a-zåäö])")
_WORD = re.compile(r"[A-Za-zÅÄÖåäöÉé]+-?|&")
_CONNECTORS = {"och", "&"}


def acronyms(text: str) -> set[str]:
    """Tokens written as acronyms ("VA", "HoS", "A&Å", the "VA" of "VA-verksamheten"): two
    capitals or more, nothing lower case after the last capital but a connector's "o"."""
    out = set()
    for match in _ACRONYM.finditer(text):
        token = match.group(1)
        capitals = sum(ch.isupper() for ch in token)
        if capitals >= 2 and (token.isupper() or re.fullmatch(r"[A-ZÅÄÖ]+(?:o|&)[A-ZÅÄÖ]+", token)):
            out.add(token)
    return out


@lru_cache(maxsize=4096)
def spelled_out(text: str) -> dict[str, tuple[str, ...]]:
    """Acronyms a text writes out, each with the words that spell it: "Vatten och avlopp" gives
    "VA", "VoA" and "V&A" -> ("vatten", "avlopp"). Phrases of two to four words joined by a
    connector between the last two ("Hälso- och sjukvård", "Kultur, fritid och turism")."""
    words = [w.rstrip("-") for w in _WORD.findall(text)]
    out: dict[str, tuple[str, ...]] = {}
    for i, word in enumerate(words):
        if word.lower() not in _CONNECTORS or i == 0 or i + 1 >= len(words):
            continue
        after = words[i + 1]
        if after.lower() in _CONNECTORS:
            continue
        for start in range(max(0, i - 3), i):
            before = words[start:i]
            if any(w.lower() in _CONNECTORS for w in before) or not before[0][:1].isalpha():
                continue
            phrase = (*before, after)
            letters = [w[0].upper() for w in phrase]
            head, last = "".join(letters[:-1]), letters[-1]
            for form in (f"{head}{last}", f"{head}o{last}", f"{head}&{last}"):
                out.setdefault(form, tuple(w.lower() for w in phrase))
    return out


def expansions(acronyms_in: set[str], text: str) -> list[tuple[str, ...]]:
    """The phrases of `text` that spell one of the acronyms (matched case-insensitively on the
    letters, so "VA" meets "Vatten och Avlopp" and "HOS" "Hälso- och sjukvård")."""
    if not acronyms_in:
        return []
    wanted = {a.upper() for a in acronyms_in}
    return [words for form, words in spelled_out(text).items() if form.upper() in wanted]
