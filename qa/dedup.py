"""One answer per sentence, however many outlets printed it.

Copies of a sentence score almost alike, so they sit together near the top of the
candidate list. A later candidate joins an earlier group when its folded words are
(nearly) contained in the group's, or vice versa. The answer text is then narrowed
to the longest stretch every copy shares character for character, so each citation
still satisfies ``article.text[start:end] == answer.text``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

CONTAINMENT = 0.85      # share of the shorter sentence's words found in the longer
MIN_WORDS = 5           # shorter than this, sentences are too generic to merge
MIN_SHARED = 0.6        # the shared stretch must keep this share of the representative
_PUNCT_ONLY = re.compile(r"^[\s\"'“”‘’«».,;:!?()\[\]–—-]*$")
_LEAD_IN = re.compile(r"[:,]\s*[\"“‘']?\s*$")


@dataclass
class Group:
    members: list[int]            # candidate positions, best first
    words: frozenset[str]
    text: str                     # current shared verbatim stretch
    texts: dict[int, str] = field(default_factory=dict)


def near_duplicate(a: frozenset[str], b: frozenset[str]) -> bool:
    if a == b:
        return True
    small = min(len(a), len(b))
    return small >= MIN_WORDS and len(a & b) / small >= CONTAINMENT


def shared_stretch(current: str, other: str, rep_len: int) -> str | None:
    """``current`` if ``other`` contains it; else their longest common stretch,
    trimmed to whole words, when it keeps at least MIN_SHARED of the representative."""
    if current in other:
        return current
    sm = SequenceMatcher(None, current, other, autojunk=False)
    m = sm.find_longest_match(0, len(current), 0, len(other))
    s, e = m.a, m.a + m.size
    while s < e and s > 0 and current[s - 1].isalnum() and current[s].isalnum():
        s += 1   # started mid-word
    while e > s and e < len(current) and current[e - 1].isalnum() and current[e].isalnum():
        e -= 1   # ended mid-word
    stretch = current[s:e]
    stretch = re.sub(r"^[\s,;:–—-]+|[\s,;:–—-]+$", "", stretch)
    if len(stretch) < max(20, MIN_SHARED * rep_len) or stretch not in other:
        return None
    at = current.find(stretch)
    head, tail = current[:at], current[at + len(stretch):]
    # Only a speech lead-in ("A spokeswoman said:") or punctuation may be lost: cutting
    # words from the end or the middle would change what the quote says.
    if _PUNCT_ONLY.match(tail) and (_PUNCT_ONLY.match(head) or _LEAD_IN.search(head)):
        return stretch
    return None


def group(texts: list[str], words: list[frozenset[str]], limit: int) -> list[Group]:
    """Group candidates (already sorted best first) into at most ``limit`` groups;
    near-duplicates found further down still join groups already open."""
    groups: list[Group] = []
    for i, (t, w) in enumerate(zip(texts, words)):
        for g in groups:
            if not near_duplicate(g.words, w):
                continue
            stretch = shared_stretch(g.text, t, len(g.texts[g.members[0]]))
            if stretch is not None:
                g.text = stretch
                g.members.append(i)
                g.texts[i] = t
                break
        else:
            # No group can cite it verbatim: it is a different sentence (a partial quote
            # with other words around it, say) and stands as its own answer.
            if len(groups) < limit:
                groups.append(Group([i], w, t, {i: t}))
    return groups
