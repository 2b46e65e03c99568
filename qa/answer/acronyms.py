"""A name and its initials are one thing: news writes "the Transport Workers Union" once and
"TWU" after, so a question naming one must find sentences that use the other.

``Acronyms.read(texts)`` learns, from the articles alone, which initials they use (a word
of two or more capitals, "TWU", "FoE") and which name each stands for (a run of capitalised
words in the same article whose initials spell it, little words counted or not: "Friends
in Need Trust" is "FNT" or "FINT"). ``aliases(question)`` then gives, for each name the
question writes, the initials the articles use for it, and for each initials it writes, the
name: words to search for beside the question's own (``qa.answer.retrieve.Query.alias``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable

from qa.ingest.textnorm import unpossessed

# Initials as written: two capitals or more, and at least half the word ("TWU", "FoE",
# "MPs"), not a name with a capital inside ("McAllister"), at most six letters.
_INITIALS = re.compile(r"\b(?=[A-Za-z]{2,6}s?\b)([A-Z][A-Za-z]*[A-Z][A-Za-z]*?)s?\b")
_ROMAN = re.compile(r"^[IVX]+$")      # "II", "XIV": a number, not initials
_LITTLE = frozenset("of for the and in on against to at".split())
# Capitalised words with little words between them: a name as the articles write one.
_RUN = re.compile(r"[A-Z][\w’'-]*(?:\s+(?:(?:of|for|the|and|in|on|against|to|at)\s+)*[A-Z][\w’'-]*)+")
_WORD = re.compile(r"[A-Za-z][\w’'-]*")


def _is_initials(word: str) -> bool:
    caps = sum(c.isupper() for c in word)
    return caps >= 2 and 2 * caps >= len(word)


def _spellings(words: list[str]) -> set[str]:
    """The initials a run of words may be shortened to, case-folded: of its capitalised
    words only, and of every word ("Friends in Need Trust": "fnt", "fint")."""
    caps = "".join(w[0] for w in words if w[0].isupper())
    every = "".join(w[0] for w in words)
    return {caps.casefold(), every.casefold()}


def _runs(text: str) -> Iterable[list[str]]:
    """Every stretch of two or more words of a capitalised run that starts and ends on a
    capitalised word ("Did the Acme Workers Union …" holds "Acme Workers Union")."""
    for m in _RUN.finditer(text):
        words = _WORD.findall(m.group())
        for i in range(len(words)):
            if not words[i][0].isupper():
                continue
            for j in range(i + 2, len(words) + 1):
                if words[j - 1][0].isupper() and not _is_initials(words[j - 1]):
                    yield words[i:j - 1] + [unpossessed(words[j - 1])]   # "Acme Union’s": the name


@dataclass(frozen=True)
class Acronyms:
    """Initials (case-folded) -> the name they stand for, as the articles write it."""
    names: dict = field(default_factory=dict)

    @classmethod
    def read(cls, texts: Iterable[str]) -> "Acronyms":
        counts: dict[str, dict[str, int]] = {}
        for t in texts:
            # News spells a name out, then uses its initials, in the same article: initials
            # and a name from different articles ("LP" and "La Palma") are not paired.
            used = {m.group(1).casefold() for m in _INITIALS.finditer(t)
                    if _is_initials(m.group(1)) and not _ROMAN.match(m.group(1))}
            if not used:
                continue
            for words in _runs(t):
                if not all(w[0].isupper() or w.casefold() in _LITTLE for w in words):
                    continue
                for short in _spellings(words) & used:
                    if len(short) >= 2:
                        name = " ".join(words)
                        counts.setdefault(short, {}).setdefault(name, 0)
                        counts[short][name] += 1
        # The name written most often for those initials; on a tie, the longer one.
        return cls({s: max(c, key=lambda n: (c[n], len(n))) for s, c in counts.items()})

    def aliases(self, question: str) -> list[tuple[str, str]]:
        """(as the question writes it, the other form) for each name or initials of the
        question the articles also write the other way: ("AWL", "Alliance for Workers'
        Liberty"), ("Acme Workers Union", "AWU"). Empty when they write none."""
        out: list[tuple[str, str]] = []
        for m in _INITIALS.finditer(question):
            name = self.names.get(m.group(1).casefold())
            if name and (m.group(1), name) not in out:
                out.append((m.group(1), name))
        for words in _runs(question):
            written = " ".join(words)
            for short in sorted(_spellings(words)):
                if short in self.names and self.names[short].casefold() == written.casefold():
                    if (written, short.upper()) not in out:
                        out.append((written, short.upper()))
        return out
