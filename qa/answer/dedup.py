"""One answer per sentence, however many outlets printed it.

Copies of a sentence score almost alike, so they sit together near the top of the
candidate list. A later candidate joins an earlier group when its folded words are
(nearly) contained in the group's, or vice versa. The answer text is then narrowed
to the longest stretch every copy shares character for character, so each citation
still satisfies ``article.text[start:end] == answer.text``.

What a copy may lose to the shared stretch is limited the same way for every copy, so
whether two copies merge never depends on which of them scored higher:
- before it, only a speech lead-in ("A party spokeswoman said: “") or punctuation; the
  lead-in is kept beside the citation (``lead_in``) so the quote does not lose its speaker;
- after it, punctuation, or a short trailing phrase without a negation or a contrast
  ("... closed as a result of the cuts."): cutting "but the party denied it" would
  change what the sentence says.
Copies from articles published more than OCCASION_DAYS apart are different statements
(a spokesperson repeating a line a year later), so they never merge.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from difflib import SequenceMatcher
from typing import Optional, Sequence

CONTAINMENT = 0.85      # share of the shorter sentence's words found in the longer
MIN_WORDS = 5           # shorter than this, sentences are too generic to merge
MIN_SHARED = 0.6        # the shared stretch must keep this share of the representative
MAX_TAIL_SHARE = 0.3    # a lost trailing phrase: at most this share of the copy's words
OCCASION_DAYS = 7       # copies published further apart than this are separate statements
_PUNCT_ONLY = re.compile(r"^[\s\"'“”‘’«».,;:!?()\[\]–—-]*$")
_LEAD_IN = re.compile(r"[:,]\s*[\"“‘']?\s*$")
_SHARED_LEAD = re.compile(r"^[^\"“‘'.!?]{0,60}?[:,]\s*[\"“‘']\s*")
_OPEN_QUOTE = re.compile(r"[\s\"“‘'«]+$")
# Words that, in a lost tail, could reverse or qualify what the kept part says.
_TURN = re.compile(r"\b(not|no|never|nor|but|however|although|though|except|unless|denied|denies|"
                   r"deny|refused|disputed|without|yet)\b|n[’']t\b", re.I)


@dataclass
class Group:
    members: list[int]            # candidate positions, best first
    words: frozenset[str]
    text: str                     # current shared verbatim stretch
    texts: dict[int, str] = field(default_factory=dict)

    def lead_in(self, member: int) -> Optional[str]:
        """The speech lead-in this member's sentence has before the shared stretch
        ("In a statement, a party spokesperson said:"), verbatim; None if there is none."""
        t = self.texts[member]
        at = t.find(self.text)
        head = _OPEN_QUOTE.sub("", t[:at]) if at > 0 else ""
        return head if head and re.search(r"\w", head) and _LEAD_IN.search(t[:at]) else None


def near_duplicate(a: frozenset[str], b: frozenset[str]) -> bool:
    if a == b:
        return True
    small = min(len(a), len(b))
    return small >= MIN_WORDS and len(a & b) / small >= CONTAINMENT


def _loss_ok(text: str, stretch: str) -> bool:
    """May ``text`` be cited by ``stretch`` alone (see the module docstring)?"""
    at = text.find(stretch)
    if at < 0:
        return False
    head, tail = text[:at], text[at + len(stretch):]
    if not (_PUNCT_ONLY.match(head) or _LEAD_IN.search(head)):
        return False
    if _PUNCT_ONLY.match(tail):
        return True
    lost = len(tail.split())
    return lost <= MAX_TAIL_SHARE * len(text.split()) and not _TURN.search(tail)


def shared_stretch(current: str, other: str, rep_len: int) -> str | None:
    """The longest stretch ``current`` and ``other`` share, trimmed to whole words, when
    it keeps at least MIN_SHARED of the representative and both may lose the rest."""
    if current in other:
        return current if _loss_ok(other, current) else None
    sm = SequenceMatcher(None, current, other, autojunk=False)
    m = sm.find_longest_match(0, len(current), 0, len(other))
    s, e = m.a, m.a + m.size
    while s < e and s > 0 and current[s - 1].isalnum() and current[s].isalnum():
        s += 1   # started mid-word
    while e > s and e < len(current) and current[e - 1].isalnum() and current[e].isalnum():
        e -= 1   # ended mid-word
    stretch = re.sub(r"^[\s,;:–—-]+|[\s,;:–—-]+$", "", current[s:e])
    # Two lead-ins can end alike ("... spokesperson said: “" and "... spokeswoman said: “"),
    # so the common stretch may start inside them: the quote starts after the opening mark.
    lead = _SHARED_LEAD.match(stretch)
    for cut in ((stretch[lead.end():],) if lead else ()) + (stretch,):
        if len(cut) >= max(20, MIN_SHARED * rep_len) and cut in other \
                and _loss_ok(current, cut) and _loss_ok(other, cut):
            return cut
    return None


def same_occasion(a: Optional[str], b: Optional[str]) -> bool:
    """Two articles' dates (YYYY-MM-DD or None) close enough to report one statement."""
    if not a or not b:
        return True
    return abs((date.fromisoformat(a) - date.fromisoformat(b)).days) <= OCCASION_DAYS


def group(texts: list[str], words: list[frozenset[str]], limit: int,
          dates: Sequence[Optional[str]] | None = None) -> list[Group]:
    """Group candidates (already sorted best first) into at most ``limit`` groups;
    near-duplicates found further down still join groups already open. ``dates`` are
    the candidates' article dates, to keep statements made on different occasions apart."""
    dates = dates if dates is not None else [None] * len(texts)
    groups: list[Group] = []
    for i, (t, w) in enumerate(zip(texts, words)):
        for g in groups:
            if not near_duplicate(g.words, w):
                continue
            if not all(same_occasion(dates[m], dates[i]) for m in g.members):
                continue
            # Every member must still be citable by the narrowed text.
            stretch = shared_stretch(g.text, t, len(g.texts[g.members[0]]))
            if stretch is not None and all(_loss_ok(g.texts[m], stretch) for m in g.members):
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
