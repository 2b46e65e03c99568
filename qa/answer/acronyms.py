"""A name and its initials are one thing: news writes "the Transport Workers Union" once and
"TWU" after, so a question naming one must find sentences that use the other.

``Acronyms.of(lexicon)`` takes, from the articles (counted when the index is built,
``qa.index.lexicon``), which initials they use (a word
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

from qa.index.lexicon import INITIALS, Lexicon

_CAPITALISED = re.compile(r"\b[A-Z][a-z]+\b")


def _key(name: str) -> str:
    """A name folded as a question may type it: any case, either apostrophe."""
    return name.casefold().replace("'", "’")


@dataclass(frozen=True)
class Acronyms:
    """Initials (case-folded) -> the name they stand for, as the articles write it."""
    names: dict = field(default_factory=dict)

    @classmethod
    def read(cls, texts: Iterable[str]) -> "Acronyms":
        return cls.of(Lexicon.read(texts))

    @classmethod
    def of(cls, lexicon: Lexicon) -> "Acronyms":
        """The initials an index's lexicon found (``qa.index.lexicon``)."""
        return cls(lexicon.initials())

    def aliases(self, question: str) -> list[tuple[str, str]]:
        """(as the question writes it, the other form) for each name or initials of the
        question the articles also write the other way: ("TWU", "Transport Workers
        Union"), ("Acme Workers Union", "AWU"). A name is found in any case ("acme workers
        union"); initials as capitals, or capitalised after the first word as a question
        typed in lower case is read ("what did the Twu say", qa.answer.reading). Empty when
        the articles write none."""
        out: list[tuple[str, str]] = []
        for m in INITIALS.finditer(question):                 # "TWU", "MPs"
            name = self.names.get(m.group(1).casefold())
            if name and (m.group(1), name) not in out:
                out.append((m.group(1), name))
        for m in _CAPITALISED.finditer(question):             # "Twu", as a lower-case question is read
            name = self.names.get(m.group().casefold())
            if name and m.start() > 0 and (m.group(), name) not in out:
                out.append((m.group(), name))
        if self._names_re is not None:
            for m in self._names_re.finditer(question):
                short = self._short[_key(m.group())]
                if (m.group(), short.upper()) not in out:
                    out.append((m.group(), short.upper()))
        return out

    def __post_init__(self):
        # One pattern for every name (longest first), matched in any case; its initials by name.
        short = {_key(name): s for s, name in self.names.items()}
        alts = "|".join(re.sub("['’]", lambda _: "['’]", re.escape(n)) for n in sorted(short, key=len, reverse=True))
        object.__setattr__(self, "_short", short)
        object.__setattr__(self, "_names_re", re.compile(rf"\b(?:{alts})\b", re.I) if alts else None)
