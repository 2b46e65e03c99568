"""What the articles say about their own words, read once when the index is built: which
words they only write as names, which initials they use for which names, and every word
they use (with how they write the capitalised ones).

The question rules need the names and initials on every question (a sentence's first word
is a name when the articles write it as one; a name is also searched by its initials), the
typo reader the words on a question's first unknown word. Reading every
article costs about 0.25 s a megabyte of text (measured), so they are counted at build
time, stored in the index as ``lexicon.json`` and merged when articles are added; an
index written before this file existed reads its articles once instead. Only counts are
kept, so two lexicons merge into the one their articles would give together.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from qa.ingest.textnorm import Tokenizer, unpossessed

# A word as the name counts read it (qa.answer.reading capitalises questions word by word
# the same way, so that its words are the keys ``names`` gives).
NAME_WORD = re.compile(r"[A-Za-z][\w’'-]*")
# A capitalised word with a lower-case letter (not initials): how the articles write a name.
_CAPITALISED = re.compile(r"\b[A-Z][A-Za-z]*[a-z][A-Za-z]*\b")
_WORDS = Tokenizer()     # its ``words`` (folded, stopwords kept) do not depend on its settings
MIN_NAME_USES = 2        # a word capitalised once is as likely a headline or a quote's opening
_OPENS = re.compile(r"[.!?:“‘\"\n]\s*$")

# Initials as written: two capitals or more, and at least half the word ("TWU", "FoE",
# "MPs"), not a name with a capital inside ("McAllister"), at most six letters.
INITIALS = re.compile(r"\b(?=[A-Za-z]{2,6}s?\b)([A-Z][A-Za-z]*[A-Z][A-Za-z]*?)s?\b")
_ROMAN = re.compile(r"^[IVX]+$")      # "II", "XIV": a number, not initials
_LITTLE = frozenset("of for the and in on against to at".split())
# Capitalised words with little words between them: a name as the articles write one.
_RUN = re.compile(rf"[A-Z][\w’'-]*(?:\s+(?:(?:{'|'.join(sorted(_LITTLE))})\s+)*[A-Z][\w’'-]*)+")


def is_initials(word: str) -> bool:
    """Two capitals or more, and at least half the word ("TWU", "LSE"; not "McAllister")."""
    caps = sum(c.isupper() for c in word)
    return caps >= 2 and 2 * caps >= len(word) and not _ROMAN.match(word)


def spellings(words: list[str]) -> set[str]:
    """The initials a run of words may be shortened to, case-folded: of its capitalised
    words only, and of every word ("Friends in Need Trust": "fnt", "fint")."""
    caps = "".join(w[0] for w in words if w[0].isupper())
    every = "".join(w[0] for w in words)
    return {caps.casefold(), every.casefold()}


def name_runs(text: str) -> Iterator[list[str]]:
    """Every stretch of two or more words of a capitalised run that starts and ends on a
    capitalised word ("Did the Acme Workers Union …" holds "Acme Workers Union"), the last
    word without a possessive ("Acme Union’s members": "Acme Union")."""
    for m in _RUN.finditer(text):
        words = NAME_WORD.findall(m.group())
        for i in range(len(words)):
            if not words[i][0].isupper():
                continue
            for j in range(i + 2, len(words) + 1):
                if words[j - 1][0].isupper() and not is_initials(words[j - 1]):
                    yield words[i:j - 1] + [unpossessed(words[j - 1])]


@dataclass
class Lexicon:
    """Counts read from the articles. ``upper``: folded word -> its capitalised uses after
    a sentence's or a quote's first word; ``lower``: folded words also written in lower
    case there; ``pairs``: folded initials -> name -> how many articles write both;
    ``words``: every word, folded; ``forms``: folded capitalised word -> how it is written ->
    uses (the typo reader, qa/answer/spelling.py, writes a word as the articles do)."""
    upper: dict = field(default_factory=dict)
    lower: set = field(default_factory=set)
    pairs: dict = field(default_factory=dict)
    words: set = field(default_factory=set)
    forms: dict = field(default_factory=dict)

    @classmethod
    def read(cls, texts: Iterable[str]) -> "Lexicon":
        lex = cls()
        for text in texts:
            lex._read_names(text)
            lex._read_initials(text)
            lex.words.update(_WORDS.words(text))
            for m in _CAPITALISED.finditer(text):
                by_form = lex.forms.setdefault(m.group().casefold(), {})
                by_form[m.group()] = by_form.get(m.group(), 0) + 1
        return lex

    def _read_names(self, text: str) -> None:
        for m in NAME_WORD.finditer(text):
            if m.start() == 0 or _OPENS.search(text[max(0, m.start() - 2):m.start()]):
                continue                      # a sentence's or a quote's first word: capitalised anyway
            w = m.group()
            key = w.casefold()
            if w[0].isupper():
                self.upper[key] = self.upper.get(key, 0) + 1
            else:
                self.lower.add(key)

    def _read_initials(self, text: str) -> None:
        # News spells a name out, then uses its initials, in the same article: initials and
        # a name from different articles ("LP" and "La Palma") are not paired.
        used = {m.group(1).casefold() for m in INITIALS.finditer(text) if is_initials(m.group(1))}
        if not used:
            return
        found: set[tuple[str, str]] = set()
        for words in name_runs(text):
            if all(w[0].isupper() or w.casefold() in _LITTLE for w in words):
                name = " ".join(words)
                found.update((short, name) for short in spellings(words) & used if len(short) >= 2)
        for short, name in found:
            by_name = self.pairs.setdefault(short, {})
            by_name[name] = by_name.get(name, 0) + 1

    def merge(self, other: "Lexicon") -> "Lexicon":
        """The lexicon of both sets of articles (counts added)."""
        upper = dict(self.upper)
        for w, n in other.upper.items():
            upper[w] = upper.get(w, 0) + n
        return Lexicon(upper, self.lower | other.lower, _add(self.pairs, other.pairs),
                       self.words | other.words, _add(self.forms, other.forms))

    def names(self, min_uses: int = MIN_NAME_USES) -> frozenset[str]:
        """Words (folded) written capitalised every time they are used mid-sentence, at
        least ``min_uses`` times: names ("Grant", "Unison"), not words that open sentences."""
        return frozenset(w for w, n in self.upper.items() if n >= min_uses and w not in self.lower)

    def capitalised(self) -> frozenset[str]:
        """Words (folded) written capitalised mid-sentence at least once, if in lower case
        elsewhere too: "Association" of "Acme Tenants Association". A typo of a name's word
        is one of these ("Assocaition"), where ``names`` holds only the words never written
        otherwise."""
        return frozenset(self.upper)

    def initials(self) -> dict[str, str]:
        """Folded initials -> the name written beside them in the most articles (on a tie,
        the longer name, then the first in order)."""
        return {s: max(sorted(by), key=lambda n: (by[n], len(n))) for s, by in self.pairs.items()}

    def written(self) -> dict[str, str]:
        """Folded capitalised word -> how the articles most often write it ("McAllister");
        on a tie, the form met first."""
        return {w: max(by, key=by.get) for w, by in self.forms.items()}

    def to_dict(self) -> dict:
        return {"upper": self.upper, "lower": sorted(self.lower), "pairs": self.pairs,
                "words": sorted(self.words), "forms": self.forms}

    @classmethod
    def from_dict(cls, d: dict) -> "Lexicon":
        return cls(dict(d["upper"]), set(d["lower"]), {s: dict(by) for s, by in d["pairs"].items()},
                   set(d["words"]), {w: dict(by) for w, by in d["forms"].items()})


def _add(mine: dict, theirs: dict) -> dict:
    """Two {key: {item: count}} tables as one (counts added, first seen first)."""
    out = {k: dict(by) for k, by in mine.items()}
    for k, by in theirs.items():
        into = out.setdefault(k, {})
        for item, n in by.items():
            into[item] = into.get(item, 0) + n
    return out
