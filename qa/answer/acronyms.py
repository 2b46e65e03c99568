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

from dataclasses import dataclass, field
from typing import Iterable

from qa.index.lexicon import INITIALS, Lexicon, name_runs, spellings


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
        Union"), ("Acme Workers Union", "AWU"). Empty when they write none."""
        out: list[tuple[str, str]] = []
        for m in INITIALS.finditer(question):
            name = self.names.get(m.group(1).casefold())
            if name and (m.group(1), name) not in out:
                out.append((m.group(1), name))
        for words in name_runs(question):
            written = " ".join(words)
            for short in sorted(spellings(words)):
                if short in self.names and self.names[short].casefold() == written.casefold():
                    if (written, short.upper()) not in out:
                        out.append((written, short.upper()))
        return out
